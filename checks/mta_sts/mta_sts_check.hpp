// MTASTS-01 (R only): the _mta-sts TXT record now; the HTTPS policy fetch comes in a later issue.
#pragma once

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

namespace mh::mta_sts {

struct MtaStsEvidence {
  std::string domain;
  dns::DnsAnswer answer;              // _mta-sts.<domain> TXT (a CNAME is followed)
  std::vector<std::string> texts;     // each TXT record, strings joined without separators
  std::vector<MtaStsRecord> records;  // parsed, parallel to texts

  Json toJson() const;
};

MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain);
CheckResult judgeMtaSts01(const MtaStsEvidence& e, const DomainProfile& profile);  // R only
std::span<const TagSpec> mtaStsTagSpecs();

}  // namespace mh::mta_sts
