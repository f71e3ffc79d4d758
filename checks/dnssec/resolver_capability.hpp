// Resolver capability, probed once per run (rubric 2026-12, guidance §3.6): does the resolver
// the audit was given return DNSSEC records? Many strip them, and then no domain's DNSSEC can be
// told: DNSSEC-01 and DANE-01 are a run-level error, not one re-check per domain.
#pragma once

#include <string>
#include <string_view>

#include "checks/core/check_result.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::dnssec {

struct ResolverDnssecProbe {
  std::string name;       // a name known to be signed: the root, where the trust anchors start
  dns::DnsAnswer answer;  // its SOA, asked with the DO bit as every audit query is
};

// The only DNS access: <name> SOA.
ResolverDnssecProbe probeResolverDnssec(dns::Resolver& resolver, std::string_view name = ".");

// Pure: why DNSSEC cannot be judged through this resolver, or "" when it can (RRSIGs came back)
// or the probe could not tell (no answer: the domains' own checks then say so one by one).
std::string dnssecUnavailableReason(const ResolverDnssecProbe& probe);

// DNSSEC-01 or DANE-01 for a domain audited through such a resolver: an error with the run's
// reason (tags DNSSEC_RESOLVER_NO_DNSSEC, DANE_RESOLVER_NO_DNSSEC), never a re-check reason.
CheckResult judgeDnssecUnavailable(std::string_view check_id, std::string_view reason);

// True for the error findings that come from the run, not the domain (no re-check helps them).
bool isRunLevelError(const Finding& f);
// The tags of those findings.
inline constexpr std::string_view kRunLevelErrorTags[] = {"DNSSEC_RESOLVER_NO_DNSSEC",
                                                          "DANE_RESOLVER_NO_DNSSEC"};

}  // namespace mh::dnssec
