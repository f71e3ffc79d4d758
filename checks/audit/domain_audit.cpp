// Orchestrates one domain's DNS audit: fetch every area's evidence first, then judge purely.
#include "checks/audit/domain_audit.hpp"

#include <idn2.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>

#include "checks/audit/scoring.hpp"
#include "checks/core/rubric.hpp"
#include "checks/dkim/dkim_check.hpp"
#include "checks/dmarc/dmarc_check.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dnssec/dane_check.hpp"
#include "checks/dnssec/dnssec_check.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "checks/hygiene/reverse_dns_check.hpp"
#include "checks/mta_sts/mta_sts_check.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/mx/mx_check.hpp"
#include "checks/spf/spf_check.hpp"
#include "checks/tls/tls_check.hpp"
#include "checks/tlsrpt/tlsrpt_check.hpp"

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
  static auto logger = [] {
    auto l = spdlog::get("audit");
    return l ? l : spdlog::default_logger()->clone("audit");
  }();
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

// Guidance §3.1: a domain does not send (NS) when its SPF authorises nobody ("-all" only, after
// redirects) and its DMARC policy is reject; any DKIM key found means it sends.
DomainProfile deriveProfile(const mx::MxEvidence& mx, const spf::SpfEvidence& spf,
                            const dmarc::DmarcEvidence& dmarc, const dkim::DkimEvidence& dkim) {
  DomainProfile p;
  p.receives_mail = mx::receivesMail(mx);
  if (mx.mx.isError())
    p.reasons.push_back("assumed to receive mail: the MX lookup could not be answered");
  else if (!mx.hosts.empty())
    p.reasons.push_back("receives mail: " + std::to_string(mx.total_hosts) + " MX host(s)");
  else if (p.receives_mail)
    p.reasons.push_back("receives mail: no MX, but the domain has an address (implicit MX)");
  else if (mx.null_mx)
    p.reasons.push_back("receives no mail: null MX (RFC 7505)");
  else
    p.reasons.push_back("receives no mail: neither MX nor address");
  const bool rejectsAll = spf::spfRejectsAll(spf);
  const bool rejects = dmarc::dmarcRejects(dmarc);
  const bool hasDkim = dkim::dkimKeyFound(dkim);
  p.sends_mail = hasDkim || !(rejectsAll && rejects);
  if (hasDkim)
    p.reasons.push_back("sends mail: a DKIM key is published");
  else if (p.sends_mail)
    p.reasons.push_back(rejectsAll ? "sends mail: SPF is \"-all\" but DMARC is not p=reject"
                                   : "sends mail: SPF does not reject every sender");
  else
    p.reasons.push_back("sends no mail: SPF \"-all\" and DMARC p=reject");
  return p;
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

// The evidence areas of one audit, as bits: the budget cuts areas, and a check is unfinished when
// an area it is judged on was cut.
enum Area : unsigned {
  kMxArea = 1U << 0,
  kSpfArea = 1U << 1,
  kDmarcArea = 1U << 2,
  kDkimArea = 1U << 3,
  kMtaStsArea = 1U << 4,
  kTlsRptArea = 1U << 5,
  kReverseArea = 1U << 6,
  kTlsArea = 1U << 7,
  kDnssecArea = 1U << 8,
  kDaneArea = 1U << 9,
};
// The profile (receives/sends mail) that many checks are judged with comes from these areas.
constexpr unsigned kProfileAreas = kMxArea | kSpfArea | kDmarcArea | kDkimArea;

unsigned areasOf(std::string_view id) {
  if (id == "MX-01") return kMxArea;
  if (id == "SPF-02") return kSpfArea | kDmarcArea;
  if (id.starts_with("SPF-")) return kSpfArea;
  if (id == "DMARC-04") return kDmarcArea | kProfileAreas;
  if (id.starts_with("DMARC-")) return kDmarcArea;
  if (id.starts_with("DKIM-")) return kDkimArea | kProfileAreas;
  if (id.starts_with("TLS-")) return kTlsArea | kProfileAreas;
  if (id == "MTASTS-01") return kMtaStsArea | kTlsArea | kProfileAreas;
  if (id == "TLSRPT-01") return kTlsRptArea | kProfileAreas;
  if (id == "DNSSEC-01") return kDnssecArea | kMxArea;
  if (id == "DANE-01") return kDaneArea | kTlsArea | kProfileAreas;
  if (id == "HYG-01") return kReverseArea | kProfileAreas;
  return ~0U;  // a check this table does not know: unfinished whenever anything was cut
}

// The budget of one domain audit and the areas it cut short.
class AuditBudget {
 public:
  AuditBudget(std::chrono::steady_clock::time_point start, std::chrono::milliseconds budget)
      : budget_(budget),
        deadline_(budget.count() > 0 ? start + budget
                                     : std::chrono::steady_clock::time_point::max()) {}

  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  std::chrono::milliseconds left() const {
    if (deadline_ == std::chrono::steady_clock::time_point::max()) return std::chrono::hours(24);
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline_ - std::chrono::steady_clock::now()));
  }
  // Runs one gathering step of `area`. The area is cut when the step had queries left unsent by
  // the budget, or ended after the deadline (a probe or a fetch cut at it).
  template <class Step>
  auto gather(unsigned area, const AuditResolver& resolver, Step&& step) {
    const std::size_t skipsBefore = resolver.budgetSkips();
    auto evidence = step();
    if (resolver.budgetSkips() != skipsBefore || std::chrono::steady_clock::now() >= deadline_)
      cut_ |= area;
    return evidence;
  }
  // Turns every check judged on a cut area into `error` with AUDIT_BUDGET_EXHAUSTED; the evidence
  // stays. Returns how many checks it changed.
  int markUnfinished(std::vector<CheckResult>& checks, const std::string& domain) const {
    int marked = 0;
    for (auto& c : checks) {
      if ((areasOf(c.id) & cut_) == 0) continue;
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
  unsigned cut_ = 0;
};

std::span<const TagSpec> auditTagSpecs() {
  return kAuditTags;
}

// The check IDs an audit judges, in report order; the transport checks only when probed.
std::vector<std::string_view> checkIds(const AuditOptions& options) {
  std::vector<std::string_view> ids = {"MX-01",    "SPF-01",   "SPF-02",   "SPF-03",  "DMARC-01",
                                       "DMARC-02", "DMARC-03", "DMARC-04", "DKIM-01", "DKIM-02"};
  if (options.tls) ids.insert(ids.end(), {"TLS-01", "TLS-02", "TLS-03", "TLS-04"});
  ids.insert(ids.end(), {"MTASTS-01", "TLSRPT-01"});
  if (options.trust_anchors) ids.insert(ids.end(), {"DNSSEC-01", "DANE-01"});
  ids.push_back("HYG-01");
  return ids;
}

using Catalogue = std::span<const TagSpec> (*)();
constexpr std::array<Catalogue, 11> kCatalogues = {&auditTagSpecs,
                                                   &tls::tlsTagSpecs,
                                                   &dnssec::dnssecTagSpecs,
                                                   &dnssec::daneTagSpecs,
                                                   &mx::mxTagSpecs,
                                                   &spf::spfTagSpecs,
                                                   &dmarc::dmarcTagSpecs,
                                                   &dkim::dkimTagSpecs,
                                                   &mta_sts::mtaStsTagSpecs,
                                                   &tlsrpt::tlsRptTagSpecs,
                                                   &hygiene::reverseDnsTagSpecs};

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

  // Fetch here...
  auto mxEvidence =
      budget.gather(kMxArea, counting, [&] { return mx::gatherMx(counting, report.domain); });
  if (mxEvidence.mx.status == dns::DnsStatus::NxDomain &&
      mxEvidence.a.status == dns::DnsStatus::NxDomain) {
    // The name does not exist: every check is N/A and the report says why, instead of accusing
    // a non-existent domain of lacking SPF and DMARC (legacy domains of merged agencies).
    report.exists = false;
    report.profile.receives_mail = report.profile.sends_mail = false;
    report.profile.reasons.push_back("the domain does not exist (NXDOMAIN)");
    for (auto id : checkIds(options)) {
      CheckResult r;
      r.id = std::string(id);
      r.add(makeFinding("DOMAIN_NOT_FOUND", Status::Na)).arg("domain", report.domain);
      r.evidence = Json::object(
          {{"answers", Json(Json::Array{dns::toJson(mxEvidence.mx), dns::toJson(mxEvidence.a)})}});
      report.checks.push_back(std::move(r));
    }
    report.dns_queries = counting.count();
    report.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return report;
  }
  auto spfEvidence =
      budget.gather(kSpfArea, counting, [&] { return spf::gatherSpf(counting, report.domain); });
  auto dmarcEvidence = budget.gather(kDmarcArea, counting, [&] {
    return dmarc::gatherDmarc(counting, report.domain, *options.psl);
  });
  auto dkimEvidence = budget.gather(kDkimArea, counting, [&] {
    return dkim::gatherDkim(counting, report.domain, options.dkim_selectors);
  });
  auto mtaStsEvidence = budget.gather(kMtaStsArea, counting, [&] {
    if (!options.mta_sts_fetch) return mta_sts::gatherMtaSts(counting, report.domain, nullptr);
    // The policy fetch ends by the budget's deadline too.
    mta_sts::PolicyFetchOptions fetch = *options.mta_sts_fetch;
    fetch.timeout = std::min(fetch.timeout, budget.left());
    return mta_sts::gatherMtaSts(counting, report.domain, &fetch);
  });
  auto tlsRptEvidence = budget.gather(
      kTlsRptArea, counting, [&] { return tlsrpt::gatherTlsRpt(counting, report.domain); });
  auto reverseEvidence = budget.gather(
      kReverseArea, counting, [&] { return hygiene::gatherReverseDns(counting, mxEvidence); });
  std::optional<tls::TlsEvidence> tlsEvidence;
  if (options.tls)
    tlsEvidence = budget.gather(kTlsArea, counting, [&] {
      return tls::gatherTls(*options.tls, mxEvidence, budget.deadline());
    });
  const auto now = options.now == std::chrono::system_clock::time_point{}
                       ? std::chrono::system_clock::now()
                       : options.now;
  std::optional<dnssec::DnssecEvidence> dnssecEvidence;
  std::optional<dnssec::DaneEvidence> daneEvidence;
  if (options.trust_anchors && options.dnssec_unavailable.empty()) {
    dnssecEvidence = budget.gather(kDnssecArea, counting, [&] {
      return dnssec::gatherDnssec(counting, report.domain, mxEvidence, *options.trust_anchors, now);
    });
    const std::uint16_t port = options.tls ? options.tls->options().smtp_port : 25;
    daneEvidence = budget.gather(kDaneArea, counting, [&] {
      return dnssec::gatherDane(counting, mxEvidence, *options.trust_anchors, port, now);
    });
  }

  // ...judge there.
  report.profile = deriveProfile(mxEvidence, spfEvidence, dmarcEvidence, dkimEvidence);
  const auto& profile = report.profile;
  auto& checks = report.checks;
  checks.push_back(mx::judgeMx01(mxEvidence));
  checks.push_back(spf::judgeSpf01(spfEvidence));
  checks.push_back(spf::judgeSpf02(spfEvidence, dmarc::dmarcEnforcing(dmarcEvidence)));
  checks.push_back(spf::judgeSpf03(spfEvidence));
  checks.push_back(dmarc::judgeDmarc01(dmarcEvidence));
  checks.push_back(dmarc::judgeDmarc02(dmarcEvidence));
  checks.push_back(dmarc::judgeDmarc03(dmarcEvidence));
  checks.push_back(dmarc::judgeDmarc04(dmarcEvidence, profile));
  checks.push_back(dkim::judgeDkim01(dkimEvidence, profile));
  checks.push_back(dkim::judgeDkim02(dkimEvidence, profile));
  if (tlsEvidence) {
    checks.push_back(tls::judgeTls01(*tlsEvidence, profile));
    checks.push_back(tls::judgeTls02(*tlsEvidence, profile));
    checks.push_back(tls::judgeTls03(*tlsEvidence, profile));
    checks.push_back(tls::judgeTls04(*tlsEvidence, profile, now));
  }
  // MTASTS-01 also weighs the MX hosts' STARTTLS evidence (no STARTTLS, invalid certificate).
  checks.push_back(mta_sts::judgeMtaSts01(mtaStsEvidence, mxEvidence,
                                          tlsEvidence ? &*tlsEvidence : nullptr, profile, now));
  checks.push_back(tlsrpt::judgeTlsRpt01(tlsRptEvidence, profile));
  if (dnssecEvidence) {
    checks.push_back(dnssec::judgeDnssec01(*dnssecEvidence));
    // DANE is matched against the chain each MX host presented (its first probed address).
    std::map<std::string, std::vector<std::vector<unsigned char>>> chains;
    if (tlsEvidence) {
      for (const auto& host : tlsEvidence->hosts) {
        for (const auto& address : host.addresses) {
          if (!address.probe.tls || address.probe.tls->peer_chain.empty()) continue;
          auto& chain = chains[host.name];
          for (const auto& cert : address.probe.tls->peer_chain) chain.push_back(cert.der);
          break;
        }
      }
    }
    checks.push_back(dnssec::judgeDane01(*daneEvidence, chains, profile));
  }
  if (options.trust_anchors && !options.dnssec_unavailable.empty()) {
    checks.push_back(dnssec::judgeDnssecUnavailable("DNSSEC-01", options.dnssec_unavailable));
    checks.push_back(dnssec::judgeDnssecUnavailable("DANE-01", options.dnssec_unavailable));
  }
  checks.push_back(hygiene::judgeHyg01(reverseEvidence, profile));
  if (const int unfinished = budget.markUnfinished(checks, report.domain); unfinished > 0)
    auditLogger()->warn("domain budget ran out domain={} budget_ms={} unfinished_checks={}",
                        report.domain, options.budget.count(), unfinished);

  report.dns_queries = counting.count();
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int errors = 0;
  for (const auto& c : checks) errors += c.status == Status::Error;
  auditLogger()->debug(
      "domain audited domain={} checks={} errors={} queries={} ms={:.0f} gave_up={}", report.domain,
      checks.size(), errors, report.dns_queries, report.duration_ms, counting.gaveUp());
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
  for (auto catalogue : kCatalogues)
    if (const TagSpec* spec = findTagSpec(catalogue(), tag)) return spec;
  return nullptr;
}

std::vector<std::span<const TagSpec>> allTagCatalogues() {
  std::vector<std::span<const TagSpec>> catalogues;
  for (auto catalogue : kCatalogues) catalogues.push_back(catalogue());
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
