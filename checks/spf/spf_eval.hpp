// RFC 7208 check_host() over an injected resolver, recording an expansion tree with lookup counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/json.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/spf/spf_record.hpp"

namespace mh::spf {

// RFC 7208 §2.6.
enum class SpfResult { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
std::string_view toString(SpfResult r);

// What made an evaluation end in permerror (or what a node ran into).
enum class SpfIssueKind {
  SyntaxError,         // a record on the path does not parse
  MultipleRecords,     // a name on the path has several v=spf1 records
  IncludeNoRecord,     // include target has no SPF record (§5.2: permerror)
  RedirectNoRecord,    // redirect target has no SPF record (§6.1: permerror)
  TooManyLookups,      // more than 10 DNS-querying terms (§4.6.4)
  TooManyVoidLookups,  // more than 2 lookups answered NXDOMAIN or NODATA (§4.6.4)
  TooManyMxRecords,    // an "mx" target has more than 10 MX records (§4.6.4)
  TooDeep,             // include/redirect nesting beyond any sane depth
};
std::string_view toString(SpfIssueKind k);

struct SpfIssue {
  SpfIssueKind kind = SpfIssueKind::SyntaxError;
  std::string domain;  // the domain whose record holds the term
  std::string term;    // the term (or "" for record-level issues)
  std::string detail;  // e.g. the syntax error reason or the target name
};

// A query that could not be answered (timeout, SERVFAIL, ...): temperror, never fail.
struct SpfLookupFailure {
  std::string name;
  std::uint16_t type = 0;
  dns::DnsStatus status = dns::DnsStatus::OtherError;
  std::string path;  // the term path that asked, e.g. "include:a.example > mx"
};

// One node of the expansion tree. Record nodes (the root, include and redirect targets) carry
// the record; every evaluated term is a child of the record node it belongs to.
struct SpfNode {
  std::string term;    // as written; "" for the root
  std::string domain;  // record nodes: the domain evaluated; mechanisms: their target name
  std::string record;  // record nodes: the selected record text
  int lookups = 0;     // DNS-querying terms this node counts (0 or 1)
  int cumulative = 0;  // the evaluation-wide lookup count after this term
  int voids = 0;       // void lookups this term caused
  std::vector<std::string> queries;  // "name TYPE STATUS" of the queries it asked
  std::string result;                // "match", "no match", or an SPF result for record nodes
  std::vector<std::string> notes;
  std::vector<SpfNode> children;

  // Largest cumulative count in this subtree.
  int maxCumulative() const;
};

Json toJson(const SpfNode& node);

struct SpfEvalOptions {
  int lookup_limit = 10;  // §4.6.4
  int void_limit = 2;     // §4.6.4 (SHOULD; default two)
  int mx_limit = 10;      // §4.6.4: more MX records => permerror
  int ptr_limit = 10;     // §4.6.4: further PTR names are ignored
  // Audit mode (no real client): keep walking past the lookup limit, up to audit_hard_cap, so the
  // report shows the total; the result is still permerror. PTR queries are skipped (their answer
  // depends on the client) and "%{p}" expands to "unknown".
  bool audit = false;
  int audit_hard_cap = 40;
  std::string default_explanation = "DEFAULT";
  std::string receiver = "unknown";  // %{r}
  std::int64_t timestamp = 0;        // %{t}
};

struct SpfEvaluation {
  SpfResult result = SpfResult::None;
  std::string explanation;  // for fail: from exp= (§6.2) or the default
  bool explanation_default = true;
  SpfNode tree;
  int lookups = 0;
  int void_lookups = 0;
  bool limit_exceeded = false;
  std::string limit_exceeded_at;  // term path where the count passed the limit
  bool ptr_used = false;          // a "ptr" mechanism or "%{p}" macro on the path
  std::vector<SpfIssue> issues;
  std::vector<SpfLookupFailure> lookup_failures;
  std::vector<dns::DnsAnswer> answers;  // every answer used, in order

  bool hasIssue(SpfIssueKind k) const;
};

// check_host(<ip>, <domain>, <sender>) with the HELO identity for %{h}. An empty sender means
// "postmaster@<helo>" (RFC 7208 §2.4). Only TXT is queried for records (§3.1, §4.4).
SpfEvaluation checkHost(dns::Resolver& resolver, const IpAddress& ip, std::string_view domain,
                        std::string_view sender, std::string_view helo,
                        const SpfEvalOptions& options = {});

// The clients an audit evaluates with (rubric 2026-12, guidance §3.6): addresses from different
// ranges and both families, so that no verdict hangs on one probe address. A record may list one
// of them (lab zones and examples list the documentation ranges); the others then still walk it
// as a sender it matches nowhere. The first is the classic RFC 5737 TEST-NET-1 client.
inline constexpr std::array<std::string_view, 6> kAuditClientAddresses = {
    "192.0.2.1",    // RFC 5737 TEST-NET-1
    "198.51.100.1", // RFC 5737 TEST-NET-2
    "203.0.113.1",  // RFC 5737 TEST-NET-3
    "240.0.0.1",    // RFC 1112 reserved (class E): listed by no real sender
    "2001:db8::1",  // RFC 3849 documentation prefix
    "3fff::1",      // RFC 9637 documentation prefix
};
inline constexpr std::string_view kAuditClientAddress = kAuditClientAddresses[0];

// check_host() for `client` in audit mode: every term up to the first match (for a client the
// record lists nowhere, up to the final "all") is evaluated, so the lookup count is the one a
// receiver pays for forged mail.
SpfEvaluation auditSpf(dns::Resolver& resolver, std::string_view domain,
                       std::string_view client = kAuditClientAddress);

}  // namespace mh::spf
