// DNSSEC-01: are the domain's zone and its MX hosts' addresses DNSSEC-secure (RFC 4033-4035)?
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "checks/dnssec/validator.hpp"
#include "checks/mx/mx_check.hpp"

namespace mh::dnssec {

// One answer and what our validator made of it, with the chain walked.
struct ValidatedAnswer {
  dns::DnsAnswer answer;
  Validation validation;
};

struct DnssecEvidence {
  std::string domain;
  std::string trust_anchor;  // where the anchors came from
  ValidatedAnswer soa;       // <domain> SOA (NODATA below a zone apex is validated as a denial)
  ValidatedAnswer mx;        // <domain> MX, as gathered by the MX check
  // The zone's status: the weaker of the SOA and MX validations.
  SecurityStatus zone_status = SecurityStatus::Indeterminate;
  struct Host {
    std::string name;
    ValidatedAnswer a;
    ValidatedAnswer aaaa;
    SecurityStatus status = SecurityStatus::Indeterminate;  // weaker of the two
  };
  std::vector<Host> mx_hosts;  // the MX hosts of mx::MxEvidence (at most mx::kMaxMxHosts)
};

DnssecEvidence gatherDnssec(dns::Resolver& resolver, std::string_view domain,
                            const mx::MxEvidence& mx, const TrustAnchors& anchors,
                            std::chrono::system_clock::time_point now);

// Pass: the zone is secure. Fail: insecure (unsigned, DNSSEC_UNSIGNED) or bogus (DNSSEC_BOGUS,
// critical). Error: indeterminate. MX hosts: bogus fails (critical), insecure is information,
// indeterminate is an error.
CheckResult judgeDnssec01(const DnssecEvidence& e);

std::span<const TagSpec> dnssecTagSpecs();

}  // namespace mh::dnssec
