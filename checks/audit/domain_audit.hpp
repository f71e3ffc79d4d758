// The DNS audit of one domain: gather every area's evidence, derive the profile, judge every check.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/json.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::dmarc {
class PublicSuffixList;
}
namespace mh::mta_sts {
struct PolicyFetchOptions;
}
namespace mh::tls {
class TlsAuditContext;
}
namespace mh::dnssec {
class TrustAnchors;
}

namespace mh::audit {

struct AuditOptions {
  std::vector<std::string> dkim_selectors;       // registered for this domain (domains.csv)
  const dmarc::PublicSuffixList* psl = nullptr;  // required: the organisational-domain oracle
  // Network checks beyond DNS. nullptr means "not probed" (--no-smtp): the MTA-STS policy is not
  // fetched and the report says so instead of judging it.
  const mta_sts::PolicyFetchOptions* mta_sts_fetch = nullptr;
  // The SMTP/TLS probe shared by every domain of the run (one connection at a time per MX
  // address, results cached per address). nullptr: TLS-01..04 are not run and not reported.
  tls::TlsAuditContext* tls = nullptr;
  // The DNSSEC trust anchors our own validation starts from (DNSSEC-01, DANE-01). nullptr: those
  // checks are not run and not reported.
  const dnssec::TrustAnchors* trust_anchors = nullptr;
  // Non-empty when the run's resolver returns no DNSSEC records (probed once per run, see
  // dnssec::probeResolverDnssec): DNSSEC-01 and DANE-01 are then an error with this run-level
  // reason, not gathered per domain, and not a reason to re-check the domain.
  std::string dnssec_unavailable;
  // The time certificates and signatures are judged at; the epoch means "now".
  std::chrono::system_clock::time_point now{};
  // The wall-clock budget of the whole audit of one domain; zero means none. No query is sent and
  // no connection is opened after it, a probe in progress is cut at it, and every check whose
  // evidence it cut short is `error` with AUDIT_BUDGET_EXHAUSTED (re-checked like any error).
  std::chrono::milliseconds budget{0};
};

// The default budgets of a domain audit (`--domain-budget`): DNS only (--no-smtp) and full.
inline constexpr std::chrono::seconds kDnsOnlyAuditBudget{60};
inline constexpr std::chrono::seconds kFullAuditBudget{300};

struct DomainReport {
  std::string domain;
  bool exists = true;  // false when the name is NXDOMAIN: every check is then N/A
  DomainProfile profile;
  std::vector<CheckResult> checks;  // in rubric order
  std::string rubric_version;
  std::string started_at;  // UTC, ISO 8601
  double duration_ms = 0;
  std::size_t dns_queries = 0;  // queries the audit asked its resolver (cache hits included)

  const CheckResult* find(std::string_view id) const;
};

// Runs every DNS-based check. Never throws for DNS outcomes; `resolver` is used from this thread
// only.
DomainReport auditDomain(dns::Resolver& resolver, std::string_view domain,
                         const AuditOptions& options);

// True when a check ended in an error that a second look may clear: every error but the
// run-level ones (a resolver that returns no DNSSEC records).
bool needsRecheck(const DomainReport& report);

// Validates and normalises a domain given by a user: lower case, no trailing dot, letter-digit-
// hyphen labels, at least two labels; an internationalised name becomes its A-label (xn--).
// On failure returns nullopt and sets `error` to a message for the user.
std::optional<std::string> normaliseDomainArgument(std::string_view text, std::string& error);

// The catalogue entry of any tag of any area; nullptr when unknown.
const TagSpec* findAnyTagSpec(std::string_view tag);

// Every area's tag catalogue (the audit's own included), in no particular order.
std::vector<std::span<const TagSpec>> allTagCatalogues();

// The language a finding's message is rendered in.
enum class Language { En, Vi };

// The human message of a finding, rendered from its tag's template in `language` (the English
// template when the tag has no Vietnamese one; the tag itself if unknown).
std::string renderMessage(const Finding& f, Language language = Language::En);

// A finding's message from the given catalogue entry in `language`; English when the entry has no
// Vietnamese template.
std::string renderMessage(const TagSpec& spec, const Finding& f, Language language);

// {"domain", "profile", "rubric_version", "started_at", "duration_ms", "checks": [...]}; each
// finding carries its rendered "message" (English) and "message_vi" next to tag and args.
Json toJson(const DomainReport& report);

}  // namespace mh::audit
