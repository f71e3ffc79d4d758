// DKIM-01 (key published) and DKIM-02 (key quality): gather selector answers, judge them purely.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"
#include "checks/dkim/dkim_key.hpp"
#include "checks/dns/dns_types.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::dkim {

enum class SelectorSource { Registered, Common };
std::string_view toString(SelectorSource s);

// One probed selector: <selector>._domainkey.<domain> TXT (CNAMEs to a provider followed by the
// resolver) and one parsed DkimKey per TXT record found there.
struct SelectorEvidence {
  std::string selector;
  SelectorSource source = SelectorSource::Common;
  std::string name;
  dns::DnsAnswer answer;
  std::vector<DkimKey> keys;  // non-DKIM text (e.g. a wildcard SPF) parses with looks_like_dkim
                              // false and is not a key

  // The DKIM key records among keys (looks_like_dkim).
  std::vector<const DkimKey*> dkimRecords() const;
};

struct DkimEvidence {
  std::string domain;
  // _domainkey.<domain> TXT: NOERROR/NODATA means the empty non-terminal exists (something may
  // be below); NXDOMAIN means nothing is below it (RFC 8020), unless the server is broken.
  dns::DnsAnswer domainkey;
  std::vector<SelectorEvidence> selectors;  // registered first, then the common list

  Json toJson() const;
};

// Well-known selectors probed when the agency registered none (guidance §3.5), including the
// defaults of common providers and mail software.
const std::vector<std::string>& commonSelectors();

DkimEvidence gatherDkim(dns::Resolver& resolver, std::string_view domain,
                        const std::vector<std::string>& registeredSelectors);

CheckResult judgeDkim01(const DkimEvidence& e, const DomainProfile& profile);  // S only, else Na
CheckResult judgeDkim02(const DkimEvidence& e, const DomainProfile& profile);  // S only, else Na

// A usable (non-revoked, email) key exists at some selector: a "sends mail" signal.
bool dkimKeyFound(const DkimEvidence& e);

std::span<const TagSpec> dkimTagSpecs();

}  // namespace mh::dkim
