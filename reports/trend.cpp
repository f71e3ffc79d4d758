// Metrics per run and group (guidance §3.4), regressions between consecutive national runs.
#include "reports/trend.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace mh::reports {

namespace {

bool judged(const std::optional<Status>& s) {
  return s && (*s == Status::Pass || *s == Status::Warn || *s == Status::Fail);
}

bool passed(const std::optional<Status>& s) {
  return s && *s == Status::Pass;
}

constexpr std::array<MetricSpec, 14> kMetrics = {{
    {"valid_spf", "SPF-01 passes: exactly one valid SPF record"},
    {"strict_spf", "SPF-02 passes: -all (or ~all under an enforcing DMARC)"},
    {"dmarc_any", "a DMARC record applies (DMARC-01 pass or warn: own or inherited)"},
    {"dmarc_quarantine_or_reject", "the DMARC policy is p=quarantine or p=reject"},
    {"dmarc_reject", "the DMARC policy is p=reject"},
    {"dmarc_rua", "the DMARC record has rua= (aggregate reports)"},
    {"starttls_all_mx", "TLS-01 passes: every reachable MX address completes STARTTLS"},
    {"tls_1_2_or_newer", "TLS-02 passes: no protocol below TLS 1.2"},
    {"no_sslv3_rc4_3des", "no MX address accepts SSLv2/SSLv3, RC4 or 3DES (enumerated)"},
    {"mta_sts_enforce", "the MTA-STS policy has mode: enforce"},
    {"dnssec", "DNSSEC-01 passes: the zone validates"},
    {"dane", "DANE-01 passes: TLSA on every MX matches"},
    {"dkim_found", "DKIM-01 passes: a usable DKIM key was found"},
    {"baseline_compliant", "tier baseline or advanced (Đạt cơ bản / Nâng cao)"},
}};

// Adds the domain to each metric: (counts?, meets?).
void measure(const DomainRunResult& r, std::vector<MetricValue>& m) {
  auto add = [&](std::size_t i, bool applies, bool meets) {
    if (!applies) return;
    ++m[i].of;
    if (meets) ++m[i].count;
  };
  const auto spf1 = r.status("SPF-01"), spf2 = r.status("SPF-02"), dmarc1 = r.status("DMARC-01");
  const auto tls1 = r.status("TLS-01"), tls2 = r.status("TLS-02"), tls3 = r.status("TLS-03");
  const auto& f = r.facts;
  add(0, judged(spf1), passed(spf1));
  add(1, judged(spf2), passed(spf2));
  add(2, judged(dmarc1), dmarc1 == Status::Pass || dmarc1 == Status::Warn);
  add(3, judged(dmarc1), f.dmarc_policy == "quarantine" || f.dmarc_policy == "reject");
  add(4, judged(dmarc1), f.dmarc_policy == "reject");
  add(5, judged(dmarc1), f.dmarc_rua);
  add(6, judged(tls1), passed(tls1));
  add(7, judged(tls2), passed(tls2));
  add(8, f.tls_enumerated && (judged(tls2) || judged(tls3)), !f.weak_tls);
  const auto sts = r.status("MTASTS-01");
  add(9, judged(sts), f.mta_sts_mode == "enforce");
  const auto dnssec = r.status("DNSSEC-01"), dane = r.status("DANE-01");
  add(10, judged(dnssec), passed(dnssec));
  add(11, judged(dane), passed(dane));
  const auto dkim = r.status("DKIM-01");
  add(12, judged(dkim), passed(dkim) || f.dkim_found);
  const std::string tier = r.tier.value_or("");
  add(13, r.exists && !tier.empty() && tier != "indeterminate",
      tier == "baseline" || tier == "advanced");
}

bool inPopulation(const DomainRunResult& r, Population p) {
  switch (p) {
    case Population::Mail:
      return r.mailDomain();
    case Population::NonMail:
      return !r.mailDomain();
    case Population::All:
      return true;
  }
  return true;
}

int rank(Status s) {
  switch (s) {
    case Status::Pass:
      return 0;
    case Status::Warn:
      return 1;
    case Status::Fail:
      return 2;
    default:
      return -1;
  }
}

std::string joinValues(const std::vector<std::string>& values) {
  if (values.empty()) return "(none)";
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "\"" : " | \"") + v + "\"";
  return out;
}

}  // namespace

std::string_view toString(Population p) {
  switch (p) {
    case Population::Mail:
      return "mail";
    case Population::NonMail:
      return "non_mail";
    case Population::All:
      return "all";
  }
  return "all";
}

std::optional<double> MetricValue::percent() const {
  if (of == 0) return std::nullopt;
  return 100.0 * static_cast<double>(count) / static_cast<double>(of);
}

std::span<const MetricSpec> metricSpecs() {
  return kMetrics;
}

Aggregate aggregate(const std::vector<DomainRunResult>& results, Population population,
                    std::string group) {
  Aggregate a;
  a.group = std::move(group);
  a.population = population;
  a.metrics.assign(kMetrics.size(), MetricValue{});
  std::vector<double> scores;
  for (const auto& r : results) {
    if (!inPopulation(r, population)) continue;
    ++a.domains;
    measure(r, a.metrics);
    if (r.score) scores.push_back(*r.score);
  }
  a.scored = static_cast<std::int64_t>(scores.size());
  if (!scores.empty()) {
    double sum = 0;
    for (double s : scores) sum += s;
    a.mean_score = sum / static_cast<double>(scores.size());
    std::sort(scores.begin(), scores.end());
    const std::size_t n = scores.size();
    a.median_score = n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2;
  }
  return a;
}

std::optional<GroupBy> parseGroupBy(std::string_view text) {
  if (text == "category") return GroupBy::Category;
  if (text == "group") return GroupBy::Group;
  return std::nullopt;
}

std::string_view toString(GroupBy g) {
  return g == GroupBy::Category ? "category" : "group";
}

std::vector<Aggregate> groupAggregates(const std::vector<DomainRunResult>& results, GroupBy by) {
  constexpr std::array<Population, 3> kPopulations = {Population::All, Population::Mail,
                                                      Population::NonMail};
  std::vector<Aggregate> out;
  for (Population p : kPopulations) out.push_back(aggregate(results, p));
  std::map<std::string, std::vector<DomainRunResult>> groups;
  for (const auto& r : results) {
    const std::string& key = by == GroupBy::Category ? r.info.category : r.info.group;
    groups[key.empty() ? std::string("(none)") : key].push_back(r);
  }
  for (const auto& [name, members] : groups)
    for (Population p : kPopulations) out.push_back(aggregate(members, p, name));
  return out;
}

bool isRegression(Status before, Status after) {
  const int b = rank(before), a = rank(after);
  return b >= 0 && a >= 0 && a > b;
}

bool explains(const RecordChange& change, std::string_view check_id, std::string_view domain) {
  const std::string_view name = change.name, type = change.type;
  auto under = [&](std::string_view prefix) {
    return name.size() == prefix.size() + domain.size() && name.starts_with(prefix) &&
           name.ends_with(domain);
  };
  if (check_id.starts_with("SPF-")) return type == "TXT" && name == domain;
  if (check_id.starts_with("DMARC-")) return type == "TXT" && name.starts_with("_dmarc.");
  if (check_id.starts_with("DKIM-")) return type == "DKIM";
  if (check_id.starts_with("MTASTS-"))
    return (type == "TXT" && under("_mta-sts.")) || type == "MTA-STS-POLICY" ||
           (type == "MX" && name == domain);
  if (check_id.starts_with("TLSRPT-")) return type == "TXT" && under("_smtp._tls.");
  if (check_id.starts_with("MX-") || check_id.starts_with("TLS-") ||
      check_id.starts_with("DANE-") || check_id.starts_with("HYG-"))
    return type == "MX" && name == domain;
  return false;
}

std::string describe(const RecordChange& change) {
  return change.name + " " + change.type + ": " + joinValues(change.before) + " -> " +
         joinValues(change.after);
}

std::optional<Status> StatusSnapshot::status(std::string_view check_id) const {
  for (const auto& [id, s] : statuses)
    if (id == check_id) return s;
  return std::nullopt;
}

std::vector<Regression> domainRegressions(
    std::string_view domain, const std::vector<StatusSnapshot>& history,
    const std::function<std::vector<RecordChange>(std::int64_t, std::int64_t)>& changes) {
  std::vector<Regression> out;
  const StatusSnapshot* previous = nullptr;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const StatusSnapshot& current = history[i];
    if (current.kind != "national" || current.state != "complete") continue;
    if (previous) {
      std::vector<RecordChange> recordChanges;
      bool fetched = false;
      for (const auto& [id, after] : current.statuses) {
        const auto before = previous->status(id);
        if (!before || !isRegression(*before, after)) continue;
        Regression r;
        r.domain = std::string(domain);
        r.check_id = id;
        r.run_before = previous->run_id;
        r.run_after = current.run_id;
        r.before = *before;
        r.after = after;
        auto stillBad = [&](const StatusSnapshot& s) {
          const auto later = s.status(id);
          return later && rank(*later) >= rank(after);
        };
        if (current.attempt > 1) {
          r.confirmed = true;
          r.confirmed_by = "attempt " + std::to_string(current.attempt) + " of run " +
                           std::to_string(current.run_id);
        } else {
          for (std::size_t j = i + 1; j < history.size(); ++j) {
            if (!stillBad(history[j])) {
              if (history[j].status(id) && *history[j].status(id) != Status::Error) break;
              continue;  // an error or not run: look further
            }
            r.confirmed = true;
            r.confirmed_by =
                "run " + std::to_string(history[j].run_id) + " (" + history[j].kind + ")";
            break;
          }
        }
        if (!fetched && changes) {
          recordChanges = changes(previous->run_id, current.run_id);
          fetched = true;
        }
        for (const auto& c : recordChanges)
          if (explains(c, id, domain)) r.record_changes.push_back(c);
        out.push_back(std::move(r));
      }
    }
    previous = &current;
  }
  return out;
}

std::string describe(const Regression& r) {
  std::string out = r.check_id + " " + std::string(toString(r.before)) + "->" +
                    std::string(toString(r.after)) + " (run " + std::to_string(r.run_before) +
                    "->" + std::to_string(r.run_after) + ", " +
                    (r.confirmed ? "confirmed by " + r.confirmed_by : std::string("unconfirmed"));
  for (const auto& c : r.record_changes) out += "; " + describe(c);
  return out + ")";
}

std::vector<std::string> unreachableChecks(
    const std::map<std::int64_t, std::vector<std::string>>& errored,
    const std::vector<std::int64_t>& runs, std::size_t streak) {
  if (streak == 0) return {};
  std::vector<const std::vector<std::string>*> last;  // newest first
  for (auto it = runs.rbegin(); it != runs.rend() && last.size() < streak; ++it)
    if (const auto found = errored.find(*it); found != errored.end())
      last.push_back(&found->second);
  if (last.size() < streak) return {};
  std::vector<std::string> out;
  for (const auto& check : *last.front()) {
    bool everyRun = true;
    for (const auto* checks : last)
      everyRun = everyRun && std::find(checks->begin(), checks->end(), check) != checks->end();
    if (everyRun) out.push_back(check);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace mh::reports
