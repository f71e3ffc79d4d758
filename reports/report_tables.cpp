// Report rows: each report builds its typed rows from report data and hands them to a RowWriter.
#include "reports/report_tables.hpp"

#include <algorithm>
#include <cstdio>

#include "checks/core/text.hpp"

namespace mh::reports {

namespace {

std::string yesNo(bool b) {
  return b ? "yes" : "no";
}

std::string percentText(const std::optional<double>& p) {
  if (!p) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *p);
  return buf;
}

// "R+S", "R", "S", "none"; "nxdomain" for a name that does not exist.
std::string profileText(const DomainRunResult& r) {
  if (!r.exists) return "nxdomain";
  if (r.receives_mail && r.sends_mail) return "R+S";
  if (r.receives_mail) return "R";
  if (r.sends_mail) return "S";
  return "none";
}

// The SPF all qualifier as a word, so that the cell does not start with '-' or '+' (which the
// writer would neutralise with an apostrophe): -all hardfail, ~all softfail, ?all neutral,
// +all pass.
std::string spfPolicyText(const std::string& all) {
  if (all == "-all") return "hardfail";
  if (all == "~all") return "softfail";
  if (all == "?all") return "neutral";
  if (all == "+all") return "pass";
  return all;
}

void sortByDomain(std::vector<DomainRunResult>& results) {
  std::sort(results.begin(), results.end(),
            [](const auto& a, const auto& b) { return a.info.domain < b.info.domain; });
}

}  // namespace

std::vector<std::string> nationalColumns() {
  return {"domain",       "agency_vi",       "agency_en",   "category",
          "group",        "legacy",          "score",       "grade",
          "tier",         "tier_vi",         "dmarc_phase", "spf_policy",
          "dmarc_policy", "starttls_all_mx", "lowest_tls",  "dkim_found",
          "mta_sts_mode", "dnssec",          "profile",     "run_id"};
}

void writeNational(RowWriter& out, std::vector<DomainRunResult> results) {
  sortByDomain(results);
  out.header(nationalColumns());
  for (const auto& r : results) {
    const auto& f = r.facts;
    out.row({r.info.domain,
             r.info.agency_vi,
             r.info.agency_en,
             r.info.category,
             r.info.group,
             yesNo(r.info.legacy),
             Cell::decimal(scoreText(r.score)),
             r.grade.value_or(""),
             r.tier.value_or(""),
             tierLabelVi(r.tier.value_or("")),
             r.dmarc_phase.value_or(""),
             spfPolicyText(f.spf_all),
             f.dmarc_policy,
             statusText(r.status("TLS-01")),
             f.lowest_tls,
             r.exists ? yesNo(f.dkim_found) : std::string(),
             f.mta_sts_mode,
             statusText(r.status("DNSSEC-01")),
             profileText(r),
             Cell::integer(r.run_id)});
  }
}

std::vector<std::string> matrixColumns(const std::vector<std::string>& check_ids) {
  std::vector<std::string> cols = {"domain", "agency_vi", "category", "group", "score", "grade"};
  cols.insert(cols.end(), check_ids.begin(), check_ids.end());
  return cols;
}

void writeMatrix(RowWriter& out, std::vector<DomainRunResult> results,
                 const std::vector<std::string>& check_ids) {
  sortByDomain(results);
  out.header(matrixColumns(check_ids));
  for (const auto& r : results) {
    Row row = {r.info.domain,
               r.info.agency_vi,
               r.info.category,
               r.info.group,
               Cell::decimal(scoreText(r.score)),
               r.grade.value_or("")};
    for (const auto& id : check_ids) row.push_back(statusText(r.status(id)));
    out.row(row);
  }
}

std::vector<std::string> groupsColumns() {
  std::vector<std::string> cols = {"run_id",  "group_by", "group",      "population",
                                   "domains", "scored",   "mean_score", "median_score"};
  for (const auto& m : metricSpecs()) {
    cols.push_back(std::string(m.name) + "_pct");
    cols.push_back(std::string(m.name) + "_n");
    cols.push_back(std::string(m.name) + "_of");
  }
  return cols;
}

void writeGroups(RowWriter& out, std::int64_t run_id, GroupBy by,
                 const std::vector<Aggregate>& aggregates) {
  out.header(groupsColumns());
  for (const auto& a : aggregates) {
    Row row = {Cell::integer(run_id),
               a.group.empty() ? "national" : std::string(toString(by)),
               a.group.empty() ? "(national)" : a.group,
               std::string(toString(a.population)),
               Cell::integer(a.domains),
               Cell::integer(a.scored),
               Cell::decimal(scoreText(a.mean_score)),
               Cell::decimal(scoreText(a.median_score))};
    for (const auto& m : a.metrics) {
      row.push_back(Cell::decimal(percentText(m.percent())));
      row.push_back(Cell::integer(m.count));
      row.push_back(Cell::integer(m.of));
    }
    out.row(row);
  }
}

std::vector<std::string> trendColumns(const std::vector<RunRef>& runs) {
  std::vector<std::string> cols = {"domain", "agency_vi", "category", "group"};
  for (const auto& r : runs) cols.push_back("run_" + std::to_string(r.id));
  cols.insert(cols.end(), {"first_score", "last_score", "score_change", "regressions",
                           "unconfirmed_regressions", "regression_details", "unreachable_checks"});
  return cols;
}

void writeTrend(RowWriter& out, const std::vector<RunRef>& runs,
                const std::vector<TrendRow>& rows) {
  out.header(trendColumns(runs));
  std::vector<std::int64_t> runIds;
  for (const auto& r : runs) runIds.push_back(r.id);
  for (const auto& t : rows) {
    Row row = {t.info.domain, t.info.agency_vi, t.info.category, t.info.group};
    std::optional<double> first, last;
    for (const auto& run : runs) {
      auto it = t.scores.find(run.id);
      const std::optional<double> s = it == t.scores.end() ? std::nullopt : it->second;
      row.push_back(Cell::decimal(scoreText(s)));
      if (s) {
        if (!first) first = s;
        last = s;
      }
    }
    std::optional<double> change;
    if (first && last) change = *last - *first;
    std::size_t unconfirmed = 0;
    std::vector<std::string> details;
    for (const auto& r : t.regressions) {
      if (!r.confirmed) ++unconfirmed;
      details.push_back(describe(r));
    }
    row.insert(row.end(),
               {Cell::decimal(scoreText(first)), Cell::decimal(scoreText(last)),
                Cell::decimal(scoreText(change)),
                Cell::integer(static_cast<std::int64_t>(t.regressions.size())),
                Cell::integer(static_cast<std::int64_t>(unconfirmed)), joined(details, "\n"),
                joined(unreachableChecks(t.errored_checks, runIds), " ")});
    out.row(row);
  }
}

std::vector<std::string> regressionsColumns() {
  return {"domain",       "agency_vi",  "category",     "group",
          "check_id",     "run_before", "run_after",    "status_before",
          "status_after", "confirmed",  "confirmed_by", "record_changes"};
}

void writeRegressions(RowWriter& out, const std::vector<Regression>& regressions,
                      const std::map<std::string, DomainInfo>& infos) {
  out.header(regressionsColumns());
  for (const auto& r : regressions) {
    DomainInfo info;
    if (auto it = infos.find(r.domain); it != infos.end()) info = it->second;
    std::vector<std::string> changes;
    for (const auto& c : r.record_changes) changes.push_back(describe(c));
    out.row({r.domain, info.agency_vi, info.category, info.group, r.check_id,
             Cell::integer(r.run_before), Cell::integer(r.run_after),
             std::string(toString(r.before)), std::string(toString(r.after)), yesNo(r.confirmed),
             r.confirmed_by, joined(changes, "\n")});
  }
}

std::vector<std::string> historyColumns(const std::vector<std::string>& check_ids) {
  std::vector<std::string> cols = {"domain", "run_id",  "run_kind",   "run_state",
                                   "date",   "attempt", "score",      "grade",
                                   "tier",   "tier_vi", "dmarc_phase"};
  cols.insert(cols.end(), check_ids.begin(), check_ids.end());
  cols.insert(cols.end(), {"regressions", "changes"});
  return cols;
}

void writeHistory(RowWriter& out, const std::string& domain, const std::vector<HistoryRow>& rows,
                  const std::vector<std::string>& check_ids) {
  out.header(historyColumns(check_ids));
  for (const auto& h : rows) {
    const auto& s = h.snapshot;
    Row row = {domain,
               Cell::integer(s.run_id),
               s.kind,
               s.state,
               Cell::date(s.started_at),
               Cell::integer(s.attempt),
               Cell::decimal(scoreText(h.score)),
               h.grade.value_or(""),
               h.tier.value_or(""),
               tierLabelVi(h.tier.value_or("")),
               h.dmarc_phase.value_or("")};
    for (const auto& id : check_ids) row.push_back(statusText(s.status(id)));
    std::vector<std::string> regressions, changes;
    for (const auto& r : h.regressions) regressions.push_back(describe(r));
    for (const auto& c : h.changes) changes.push_back(describe(c));
    row.push_back(joined(regressions, "\n"));
    row.push_back(joined(changes, "\n"));
    out.row(row);
  }
}

}  // namespace mh::reports
