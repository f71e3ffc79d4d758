// The shape every check area follows, and the domain profile (guidance.md §3.1) checks are judged under.
#pragma once

#include <string>
#include <vector>

#include "checks/core/check_result.hpp"

namespace mh {

// Every area (checks/<area>/) has the same two halves, as PowerDNS's secpoll does:
//   struct <X>Evidence { ... };                         plain data, incl. DnsAnswer evidence
//   <X>Evidence gather<X>(dns::Resolver&, domain, ...); fetch here (the only DNS access)
//   CheckResult judge<ID>(const <X>Evidence&, ...);     judge there: pure, unit-tested on fixtures
//   std::span<const TagSpec> <x>TagSpecs();             the area's tag catalogue
// Record parsers (<x>_record.*) are pure string-to-struct functions citing their RFC section.

// Does the domain receive mail (R) and/or send it (S)? Checks marked N/A for a profile are left
// out of the score. Derived by the audit from MX, SPF, DMARC and DKIM evidence.
struct DomainProfile {
  bool receives_mail = true;
  bool sends_mail = true;
  std::vector<std::string> reasons;  // why, in short English phrases, for the report
};

}  // namespace mh
