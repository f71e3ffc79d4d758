// DMARC checks DMARC-01..04 (guidance §3.2): gather the policy record from DNS, judge it purely.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"
#include "checks/dmarc/dmarc_record.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::dmarc {

// The TXT records at one _dmarc name, split into DMARC records and the rest.
struct DmarcLookup {
  std::string name;                  // "_dmarc.<domain>"
  dns::DnsAnswer answer;             // as received (evidence)
  std::vector<std::string> records;  // texts that start with v=DMARC1 (RFC 9989 §4.10 step 2)
  std::vector<std::string> ignored;  // other TXT texts at the name
  bool asked = false;                // false: the query was not needed

  bool error() const { return asked && answer.isError(); }
};

// One external report destination and its RFC 7489 §7.1 authorisation query.
struct ReportAuthorisation {
  std::string tag;          // "rua" or "ruf"
  std::string uri;          // as written
  std::string destination;  // the mailto domain
  std::string query_name;   // <policy-domain>._report._dmarc.<destination>
  dns::DnsAnswer answer;
  bool authorised = false;  // a TXT record at query_name starts with v=DMARC1
  bool error() const { return answer.isError(); }
};

// A report destination domain (rua or ruf mailto) and whether it can receive mail: its MX, and
// its addresses when it has no MX (the implicit MX of RFC 5321 §5.1). Rubric 2026-12: reports
// to a domain that cannot receive mail bounce.
struct ReportDestination {
  std::string domain;
  std::vector<std::string> uris;  // the rua/ruf URIs that name it, as written
  dns::DnsAnswer mx;
  std::optional<dns::DnsAnswer> a, aaaa;  // asked when the MX query found no MX record
};

struct DmarcEvidence {
  std::string domain;      // the audited domain, normalised
  std::string org_domain;  // its organisational domain (RFC 7489 §3.2, PSL)
  DmarcLookup own;         // _dmarc.<domain>
  DmarcLookup org;         // _dmarc.<org_domain>; asked when org_domain != domain
  // The record that applies to the domain: one record at _dmarc.<domain>, else (when there none
  // at all) one record at the organisational domain (RFC 7489 §6.6.3 steps 3-4).
  std::optional<DmarcParse> parse;
  std::string record_text;
  std::string record_domain;  // where the applied record was found
  bool inherited = false;     // the applied record is the organisational domain's
  // The organisational domain's record when the domain has its own record (for DMARC-03:
  // subdomains of a non-organisational domain fall back to the organisational domain).
  std::optional<DmarcParse> org_parse;
  // RFC 9989 §4.7 np applies to non-existent domains. Known only when a query told us: NODATA at
  // _dmarc.<domain> proves <domain> exists (RFC 8020); otherwise <domain> A is asked when the
  // policy is inherited. Unknown (lookup error) is assumed to exist and noted.
  std::optional<bool> domain_exists;
  std::optional<dns::DnsAnswer> existence_answer;
  std::vector<ReportAuthorisation> authorisations;
  std::vector<ReportDestination> destinations;  // every distinct mailto domain of rua and ruf

  // A lookup some DMARC check needs could not be answered (those checks are Error). The
  // existence query is not counted: its failure only makes the sp-not-np assumption noted.
  bool lookupError() const;
};

// The only DNS access of the area: _dmarc.<domain>, _dmarc.<org>, <domain> A (existence, only
// when inheriting), <policy-domain>._report._dmarc.<dest> for external report destinations, and
// MX (then A and AAAA when there is none) of every report destination domain.
DmarcEvidence gatherDmarc(dns::Resolver& resolver, std::string_view domain,
                          const PublicSuffixList& psl);

CheckResult judgeDmarc01(const DmarcEvidence& e);  // exists and parses
CheckResult judgeDmarc02(const DmarcEvidence& e);  // policy strength
CheckResult judgeDmarc03(const DmarcEvidence& e);  // subdomain coverage (sp, np)
CheckResult judgeDmarc04(const DmarcEvidence& e, const DomainProfile& profile);  // reporting

// The policy receivers apply to mail from the audited domain (p of its own record; sp, or np for
// a non-existent domain, of an inherited one), after RFC 9989 §4.7 t=y lowers it one level.
// Empty when no usable record applies or a lookup failed.
std::optional<Policy> appliedPolicy(const DmarcEvidence& e);
// Applied policy quarantine or reject (used by SPF-02).
bool dmarcEnforcing(const DmarcEvidence& e);
// Applied policy reject, no t=y and pct 100 or absent (the "does not send" signal with SPF -all).
bool dmarcRejects(const DmarcEvidence& e);

std::span<const TagSpec> dmarcTagSpecs();

// Evidence of the area in JSON (used by every DMARC check result).
Json toJson(const DmarcEvidence& e);

}  // namespace mh::dmarc
