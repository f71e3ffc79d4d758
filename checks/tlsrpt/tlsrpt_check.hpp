// TLSRPT-01 (R only): a valid v=TLSRPTv1 record with rua at _smtp._tls.<domain> (RFC 8460 §3).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"
#include "checks/dns/dns_types.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/tlsrpt/tlsrpt_record.hpp"

namespace mh::tlsrpt {

struct TlsRptEvidence {
  std::string domain;
  dns::DnsAnswer answer;              // _smtp._tls.<domain> TXT (a CNAME is followed)
  std::vector<std::string> texts;     // each TXT record, strings joined without separators
  std::vector<TlsRptRecord> records;  // parsed, parallel to texts

  Json toJson() const;
};

TlsRptEvidence gatherTlsRpt(dns::Resolver& resolver, std::string_view domain);
CheckResult judgeTlsRpt01(const TlsRptEvidence& e, const DomainProfile& profile);  // R only
std::span<const TagSpec> tlsRptTagSpecs();

}  // namespace mh::tlsrpt
