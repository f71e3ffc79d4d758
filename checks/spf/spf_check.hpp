// SPF checks SPF-01/02/03 (guidance.md §3.2): gather the record and an audit evaluation, then
// judge.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check_result.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/spf/spf_eval.hpp"
#include "checks/spf/spf_record.hpp"

namespace mh::spf {

// How the policy that applies to unlisted senders was found (following redirect=, RFC 7208 §6.1).
enum class EffectivePolicy {
  Unknown,          // not evaluated (no single parseable record)
  All,              // an "all" mechanism: see SpfEvidence::effective_all
  NoAll,            // neither "all" nor redirect: neutral (§4.7)
  RedirectMissing,  // a redirect target has no SPF record (permerror)
  RedirectInvalid,  // a redirect target's record is invalid (permerror)
  LookupError,      // a lookup on the way failed: we cannot tell
};

// One audit client's evaluation, summarised (the full tree is kept only for the walk judged).
struct SpfProbe {
  std::string client;
  SpfResult result = SpfResult::None;
  int lookups = 0;
  std::string match_path;  // when the client passed: the term path that matched it
  std::string match_term;  // the last term of that path (the one that listed the client)
};

struct SpfEvidence {
  std::string domain;
  dns::DnsAnswer txt;                    // TXT at the domain
  std::optional<dns::DnsAnswer> spf_rr;  // type 99, asked only when no v=spf1 TXT exists
  std::vector<std::string> records;      // the v=spf1 TXT records (joined strings)
  bool spf_rr_only = false;              // v=spf1 only in the obsolete SPF RR type
  std::string record;                    // the record, when exactly one
  std::optional<SpfParseResult> parsed;  // its parse, when exactly one
  bool evaluated = false;                // `audit` holds an evaluation
  // check_host() for every audit client (kAuditClientAddresses), in that order.
  std::vector<SpfProbe> probes;
  // The worst-case walk over those clients: the one with most lookups, a client the record
  // matches nowhere when there is one. SPF-02 and SPF-03 judge this evaluation.
  SpfEvaluation audit;
  std::string audit_client;
  EffectivePolicy effective = EffectivePolicy::Unknown;
  std::optional<Qualifier> effective_all;
  std::string effective_domain;             // the record holding the effective "all"
  std::vector<std::string> redirect_chain;  // redirect targets followed
  std::string redirect_target;              // the failing target for RedirectMissing/Invalid
  bool rejects_all = false;
};

SpfEvidence gatherSpf(dns::Resolver& resolver, std::string_view domain);
CheckResult judgeSpf01(const SpfEvidence& e);                       // exists and parses
CheckResult judgeSpf02(const SpfEvidence& e, bool dmarcEnforcing);  // final policy
CheckResult judgeSpf03(const SpfEvidence& e);                       // processing limits
// The record is, after redirects, only "-all" (no other mechanisms): the "does not send" signal
// of guidance §3.1.
bool spfRejectsAll(const SpfEvidence& e);
std::span<const TagSpec> spfTagSpecs();

Json toJson(const SpfEvidence& e);

}  // namespace mh::spf
