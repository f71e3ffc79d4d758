// Orchestrates one domain's DNS audit: fetch every area's evidence first, then judge purely.
#include "checks/audit/domain_audit.hpp"

#include <idn2.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "checks/audit/check_registry.hpp"
#include "checks/audit/scoring.hpp"
#include "checks/core/logging.hpp"
#include "checks/core/rubric.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/mx/mx_check.hpp"

namespace mh::audit {

namespace {

// Counts the queries an audit asks, and stops asking a resolver that has stopped answering:
// after kMaxSilentQueries consecutive timeouts or network errors, the remaining queries of this
// domain return the same "could not tell" outcome at once. A recursive resolver answers SERVFAIL
// when a domain's own servers are dead, so silence means the resolver (or our network) is
// unreachable, and waiting out every remaining query would only multiply the delay.
// A dead domain costs one timeout budget, not three: when the very first query about a name at or
// under the audited domain gets silence (every attempt timed out), no answer about the domain is
// coming (its nameservers never answer, and the resolver is still waiting on them), so the rest
// of the domain's own names are not asked either. Once anything about the domain was answered,
// only the three-in-a-row rule applies, so one name that a server drops does not end the audit.
class AuditResolver : public dns::Resolver {
 public:
  static constexpr int kMaxSilentQueries = 3;

  AuditResolver(dns::Resolver& inner, std::string domain,
                std::chrono::steady_clock::time_point deadline)
      : inner_(inner), domain_(std::move(domain)), deadline_(deadline) {}
  dns::DnsAnswer query(std::string_view name, std::uint16_t type) override {
    ++count_;
    std::string qname = dns::normaliseName(name);
    if (auto skipped = skip(qname, type)) return std::move(*skipped);
    dns::DnsAnswer answer = inner_.query(name, type);
    observe(qname, answer);
    return answer;
  }
  // A batch is sent as one (the questions are independent); the silence rules apply to what is
  // left unsent when it starts, and the answers then count in order.
  std::vector<dns::DnsAnswer> queryMany(std::span<const dns::DnsQuestion> questions) override {
    count_ += questions.size();
    std::vector<dns::DnsAnswer> answers(questions.size());
    std::vector<dns::DnsQuestion> asked;
    std::vector<std::size_t> askedAt;
    for (std::size_t i = 0; i < questions.size(); ++i) {
      if (auto skipped = skip(dns::normaliseName(questions[i].name), questions[i].type)) {
        answers[i] = std::move(*skipped);
      } else {
        asked.push_back(questions[i]);
        askedAt.push_back(i);
      }
    }
    if (asked.empty()) return answers;
    auto fetched = inner_.queryMany(asked);
    for (std::size_t k = 0; k < fetched.size(); ++k) {
      observe(dns::normaliseName(asked[k].name), fetched[k]);
      answers[askedAt[k]] = std::move(fetched[k]);
    }
    return answers;
  }
  std::size_t count() const { return count_; }
  bool gaveUp() const { return silent_ >= kMaxSilentQueries || domainSilent_; }
  // Queries not sent because the domain's audit budget had run out.
  std::size_t budgetSkips() const { return budget_skips_; }

 private:
  // The "could not tell" answer given without asking, when the rules above say not to ask or the
  // domain's audit budget has run out.
  std::optional<dns::DnsAnswer> skip(const std::string& qname, std::uint16_t type) {
    if (std::chrono::steady_clock::now() >= deadline_) {
      ++budget_skips_;
      dns::DnsAnswer skipped;
      skipped.qname = qname;
      skipped.qtype = type;
      skipped.status = dns::DnsStatus::Timeout;
      skipped.error = "not sent: the domain's audit budget ran out";
      return skipped;
    }
    const bool own = atOrUnderDomain(qname);
    if (silent_ < kMaxSilentQueries && !(own && domainSilent_)) return std::nullopt;
    dns::DnsAnswer skipped;
    skipped.qname = qname;
    skipped.qtype = type;
    skipped.status = own && domainSilent_ ? domainSilence_ : lastSilence_;
    skipped.error = own && domainSilent_
                        ? "not sent: the first query about " + domain_ + " got no answer"
                        : "not sent: the resolver did not answer the last " +
                              std::to_string(kMaxSilentQueries) + " queries";
    return skipped;
  }
  // Updates the silence counters with the answer to a question that was sent.
  void observe(const std::string& qname, const dns::DnsAnswer& answer) {
    const bool own = atOrUnderDomain(qname);
    const bool silence =
        answer.status == dns::DnsStatus::Timeout || answer.status == dns::DnsStatus::NetworkError;
    if (silence) {
      ++silent_;
      lastSilence_ = answer.status;
    } else {
      silent_ = 0;
    }
    if (own && !domainAnswered_) {
      if (silence) {
        domainSilent_ = true;
        domainSilence_ = answer.status;
      } else {
        domainAnswered_ = true;
      }
    }
  }
  bool atOrUnderDomain(const std::string& qname) const {
    return qname == domain_ || (qname.size() > domain_.size() && qname.ends_with(domain_) &&
                                qname[qname.size() - domain_.size() - 1] == '.');
  }

  dns::Resolver& inner_;
  std::string domain_;  // normalised
  std::chrono::steady_clock::time_point deadline_;
  std::size_t budget_skips_ = 0;
  std::size_t count_ = 0;
  int silent_ = 0;
  dns::DnsStatus lastSilence_ = dns::DnsStatus::Timeout;
  bool domainAnswered_ = false;  // some query about the domain got an answer (even SERVFAIL)
  bool domainSilent_ = false;    // the first query about the domain got silence
  dns::DnsStatus domainSilence_ = dns::DnsStatus::Timeout;
};

std::shared_ptr<spdlog::logger> auditLogger() {
  static const auto logger = subsystemLogger("audit");
  return logger;
}

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

constexpr TagSpec kAuditTags[] = {
    {"DOMAIN_NOT_FOUND", "", "{domain} does not exist (NXDOMAIN): nothing to audit", "", "",
     "Tên miền {domain} không tồn tại (NXDOMAIN): không có gì để đánh giá"},
    {"AUDIT_BUDGET_EXHAUSTED", "",
     "not judged: the audit of {domain} ran out of its {budget_s} s budget before this check's "
     "evidence was complete (servers too slow to answer); it will be checked again",
     "", "",
     "Chưa đánh giá: việc kiểm tra {domain} đã dùng hết thời gian cho phép ({budget_s} giây) trước "
     "khi thu thập đủ dữ liệu cho mục này (máy chủ trả lời quá chậm); sẽ được kiểm tra lại"},
};

// The budget of one domain audit and the evidence sources it cut short (bit i: the registry's
// source i).
class AuditBudget {
 public:
  AuditBudget(std::chrono::steady_clock::time_point start, std::chrono::milliseconds budget)
      : budget_(budget),
        deadline_(budget.count() > 0 ? start + budget
                                     : std::chrono::steady_clock::time_point::max()) {}

  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  // Runs one gathering step of the source `bit`. The source is cut when the step had queries left
  // unsent by the budget, or ended after the deadline (a probe or a fetch cut at it).
  template <class Step>
  auto gather(std::uint64_t bit, const AuditResolver& resolver, Step&& step) {
    const std::size_t skipsBefore = resolver.budgetSkips();
    auto evidence = step();
    if (resolver.budgetSkips() != skipsBefore || std::chrono::steady_clock::now() >= deadline_)
      cut_ |= bit;
    return evidence;
  }
  // Turns every check that rests on a cut source into `error` with AUDIT_BUDGET_EXHAUSTED; the
  // evidence stays. Returns how many checks it changed.
  int markUnfinished(std::vector<CheckResult>& checks, const std::string& domain) const {
    int marked = 0;
    for (auto& c : checks) {
      if ((checkRegistry().sourceBits(c.id) & cut_) == 0) continue;
      // A run-level error (no DNSSEC from the resolver) is not the budget's and stays as it is.
      if (std::any_of(c.findings.begin(), c.findings.end(),
                      [](const Finding& f) { return dnssec::isRunLevelError(f); }))
        continue;
      c.status = Status::Error;
      c.findings.clear();
      c.remediation = {};
      c.add(makeFinding("AUDIT_BUDGET_EXHAUSTED", Status::Error)
                .arg("domain", domain)
                .arg("budget_s", static_cast<std::int64_t>((budget_.count() + 999) / 1000)));
      ++marked;
    }
    return marked;
  }

 private:
  std::chrono::milliseconds budget_;
  std::chrono::steady_clock::time_point deadline_;
  std::uint64_t cut_ = 0;
};

// False when the name does not exist: NXDOMAIN for both its MX and its address.
bool exists(const mx::MxEvidence& mx) {
  return mx.mx.status != dns::DnsStatus::NxDomain || mx.a.status != dns::DnsStatus::NxDomain;
}

// Every check that would run is N/A with DOMAIN_NOT_FOUND and the MX answers as evidence.
void markNotFound(DomainReport& report, const mx::MxEvidence& mx, const AuditOptions& options) {
  report.exists = false;
  report.profile.receives_mail = report.profile.sends_mail = false;
  report.profile.reasons.push_back("the domain does not exist (NXDOMAIN)");
  const CheckRegistry& registry = checkRegistry();
  for (const auto& check : registry.checks()) {
    if (!registry.runs(check, options)) continue;
    CheckResult r;
    r.id = std::string(check.id);
    r.add(makeFinding("DOMAIN_NOT_FOUND", Status::Na)).arg("domain", report.domain);
    r.evidence =
        Json::object({{"answers", Json(Json::Array{dns::toJson(mx.mx), dns::toJson(mx.a)})}});
    report.checks.push_back(std::move(r));
  }
}

std::span<const TagSpec> auditTagSpecs() {
  return kAuditTags;
}

}  // namespace

const CheckResult* DomainReport::find(std::string_view id) const {
  for (const auto& c : checks)
    if (c.id == id) return &c;
  return nullptr;
}

DomainReport auditDomain(dns::Resolver& resolver, std::string_view domain,
                         const AuditOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  DomainReport report;
  report.domain = dns::normaliseName(domain);
  report.rubric_version = std::string(kRubricVersion);
  report.started_at = utcNow();
  AuditBudget budget(start, options.budget);
  AuditResolver counting(resolver, report.domain, budget.deadline());
  const CheckRegistry& registry = checkRegistry();
  const auto now = options.now == std::chrono::system_clock::time_point{}
                       ? std::chrono::system_clock::now()
                       : options.now;

  // Fetch here, each source after its needs...
  EvidenceSet evidence;
  const auto sources = registry.sources();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const EvidenceSource& source = sources[i];
    std::string withheld;
    if (!registry.runs(source, options) || registry.withholder(source, options, withheld)) continue;
    GatherContext context{counting, report.domain, options, now, budget.deadline(),
                          EvidenceView(evidence, source.name, source.needs)};
    auto gather = [&] { return source.gather(context); };
    evidence.put(source.type,
                 source.io ? budget.gather(std::uint64_t{1} << i, counting, gather) : gather());
    if (source.type == typeid(mx::MxEvidence) && !exists(*evidence.find<mx::MxEvidence>())) {
      // The name does not exist: every check is N/A and the report says why, instead of accusing
      // a non-existent domain of lacking SPF and DMARC (legacy domains of merged agencies).
      markNotFound(report, *evidence.find<mx::MxEvidence>(), options);
      break;
    }
  }

  if (report.exists) {
    // ...judge there, purely.
    if (const auto* profile = evidence.find<DomainProfile>()) report.profile = *profile;
    for (const auto& check : registry.checks()) {
      if (!registry.runs(check, options)) continue;
      std::string reason;
      if (const EvidenceSource* withheld = registry.withholder(check, options, reason))
        report.checks.push_back(withheld->unavailable(check.id, reason));
      else
        report.checks.push_back(
            check.judge({EvidenceView(evidence, check.id, check.needs, check.uses), now}));
    }
    if (const int unfinished = budget.markUnfinished(report.checks, report.domain); unfinished > 0)
      auditLogger()->warn("domain budget ran out domain={} budget_ms={} unfinished_checks={}",
                          report.domain, options.budget.count(), unfinished);
  }

  report.dns_queries = counting.count();
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int errors = 0;
  for (const auto& c : report.checks) errors += c.status == Status::Error;
  auditLogger()->debug(
      "domain audited domain={} checks={} errors={} queries={} ms={:.0f} gave_up={}", report.domain,
      report.checks.size(), errors, report.dns_queries, report.duration_ms, counting.gaveUp());
  return report;
}

bool needsRecheck(const DomainReport& report) {
  for (const auto& c : report.checks) {
    if (c.status != Status::Error) continue;
    const bool runLevel = std::any_of(c.findings.begin(), c.findings.end(), [](const Finding& f) {
      return dnssec::isRunLevelError(f);
    });
    if (!runLevel) return true;
  }
  return false;
}

std::optional<std::string> normaliseDomainArgument(std::string_view text, std::string& error) {
  std::string name = dns::normaliseName(text);
  if (name.empty() || name == ".") {
    error = "empty domain name";
    return std::nullopt;
  }
  if (std::any_of(name.begin(), name.end(), [](unsigned char c) { return c >= 0x80; })) {
    // An internationalised name: its A-label (IDNA2008 with the UTS #46 mapping, as browsers
    // and mail software use) is what DNS holds.
    char* ascii = nullptr;
    int rc = idn2_to_ascii_8z(name.c_str(), &ascii, IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, decltype(&idn2_free)> owned(ascii, &idn2_free);
    if (rc != IDN2_OK) {
      error = "'" + std::string(text) + "' is not a valid internationalised domain name (" +
              idn2_strerror(rc) + ")";
      return std::nullopt;
    }
    name = dns::normaliseName(owned.get());
  }
  if (name.size() > 253) {
    error = "domain name longer than 253 characters";
    return std::nullopt;
  }
  std::size_t labels = 0, start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    std::string_view label(name.data() + start, dot - start);
    if (label.empty() || label.size() > 63) {
      error = "'" + std::string(text) + "' has an empty label or one longer than 63 characters";
      return std::nullopt;
    }
    for (char c : label) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
        error = "'" + std::string(text) + "' is not a host name: character '" + std::string(1, c) +
                "' is not allowed (letters, digits and hyphens only)";
        return std::nullopt;
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      error = "'" + std::string(text) + "': a label cannot start or end with a hyphen";
      return std::nullopt;
    }
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) {
    error = "'" + std::string(text) + "' is not a registered domain (it needs at least two labels)";
    return std::nullopt;
  }
  return name;
}

const TagSpec* findAnyTagSpec(std::string_view tag) {
  for (auto catalogue : allTagCatalogues())
    if (const TagSpec* spec = findTagSpec(catalogue, tag)) return spec;
  return nullptr;
}

std::vector<std::span<const TagSpec>> allTagCatalogues() {
  static const std::vector<std::span<const TagSpec>> catalogues = [] {
    std::vector<std::span<const TagSpec>> out = {auditTagSpecs()};
    for (const auto& source : checkRegistry().sources())
      if (source.tags) out.push_back(source.tags());
    return out;
  }();
  return catalogues;
}

std::string renderMessage(const TagSpec& spec, const Finding& f, Language language) {
  if (language == Language::Vi && !spec.message_vi.empty())
    return renderTemplate(spec.message_vi, f);
  return renderTemplate(spec.message, f);
}

std::string renderMessage(const Finding& f, Language language) {
  const TagSpec* spec = findAnyTagSpec(f.tag);
  return spec ? renderMessage(*spec, f, language) : f.tag;
}

Json toJson(const DomainReport& report) {
  Json reasons = Json::array();
  for (const auto& r : report.profile.reasons) reasons.push(r);
  Json checks = Json::array();
  for (const auto& c : report.checks) {
    Json j = mh::toJson(c);
    if (const RubricEntry* entry = findRubricEntry(c.id)) {
      j.set("title", Json::object({{"en", entry->title_en}, {"vi", entry->title_vi}}));
    }
    Json findings = Json::array();
    std::size_t i = 0;
    for (const auto& f : j.find("findings")->asArray()) {
      Json withMessage = f;
      const Finding& finding = c.findings[i++];
      withMessage.set("message", renderMessage(finding));
      withMessage.set("message_vi", renderMessage(finding, Language::Vi));
      findings.push(withMessage);
    }
    j.set("findings", findings);
    checks.push(j);
  }
  return Json::object({{"domain", report.domain},
                       {"profile", Json::object({{"receives_mail", report.profile.receives_mail},
                                                 {"sends_mail", report.profile.sends_mail},
                                                 {"reasons", reasons}})},
                       {"exists", report.exists},
                       {"rubric_version", report.rubric_version},
                       {"scoring", toJson(scoreReport(report))},
                       {"started_at", report.started_at},
                       {"duration_ms", report.duration_ms},
                       {"dns_queries", report.dns_queries},
                       {"checks", checks}});
}

}  // namespace mh::audit
