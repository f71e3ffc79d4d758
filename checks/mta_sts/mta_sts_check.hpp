// MTASTS-01 (R only): TXT record (RFC 8461 §3.1), HTTPS policy (§3.2-3.3), MX coverage (§4.1),
// and the covered MX hosts' STARTTLS and certificates (§4.2, §5.1).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"
#include "checks/dns/dns_types.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/mta_sts/mta_sts_policy.hpp"
#include "checks/mta_sts/mta_sts_record.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/mx/mx_check.hpp"

namespace mh::tls {
struct TlsEvidence;
}

namespace mh::mta_sts {

struct MtaStsEvidence {
  std::string domain;
  dns::DnsAnswer answer;              // _mta-sts.<domain> TXT (a CNAME is followed)
  std::vector<std::string> texts;     // each TXT record, strings joined without separators
  std::vector<MtaStsRecord> records;  // parsed, parallel to texts
  // The policy fetch: made only when network checks are enabled and exactly one valid record
  // is published (a sender fetches nothing otherwise, §3.1); nullopt in every other case.
  std::optional<PolicyFetch> fetch;

  Json toJson() const;
};

// fetch == nullptr: network checks disabled (--no-smtp): the record only, no connection.
MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain,
                            const PolicyFetchOptions* fetch);
// The record only (same as fetch == nullptr); kept for callers of the record-only check.
MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain);

// R only. mx gives the hosts the policy's mx patterns must cover (mx::mailTargets).
CheckResult judgeMtaSts01(const MtaStsEvidence& e, const mx::MxEvidence& mx,
                          const DomainProfile& profile);
// With the STARTTLS evidence of TLS-01..04 (tls == nullptr: not probed, as the overload above): a
// covered MX host whose completed probe showed no STARTTLS or a certificate not valid for its
// name fails in enforce mode and warns in testing mode (crossCheckMxTls, mx_tls.hpp); certificate
// dates are judged at `now`.
CheckResult judgeMtaSts01(const MtaStsEvidence& e, const mx::MxEvidence& mx,
                          const tls::TlsEvidence* tls, const DomainProfile& profile,
                          std::chrono::system_clock::time_point now);
// Without MX evidence: MX coverage is not judged (MTASTS_MX_NOT_CHECKED) and no pass is given.
CheckResult judgeMtaSts01(const MtaStsEvidence& e, const DomainProfile& profile);
std::span<const TagSpec> mtaStsTagSpecs();

}  // namespace mh::mta_sts
