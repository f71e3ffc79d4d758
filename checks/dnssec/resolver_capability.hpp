// Resolver capability, probed once per run (rubric 2026-12, guidance §3.6): does the resolver
// the audit was given return DNSSEC records? Many strip them, and then no domain's DNSSEC can be
// told: DNSSEC-01 and DANE-01 are a run-level error, not one re-check per domain.
#pragma once

#include <string>
#include <string_view>

#include "checks/core/check_result.hpp"
#include "checks/dns/ldns_resolver.hpp"
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

// The same preflight for the transport: does each of the run's nameservers answer over TCP, and
// does it speak EDNS0 (RFC 6891)? One that does not fails every answer larger than 512 octets
// (DNSSEC, long TXT records, large MX sets) for every domain: said once for the run.
struct ResolverTransportProbe {
  std::string server;         // "addr#port"
  dns::ExchangeResult udp;    // <name> <type> over UDP with EDNS0 and DO
  dns::ExchangeResult plain;  // the same without EDNS0, asked only when `udp` got FORMERR/NOTIMP
  dns::ExchangeResult tcp;    // the same over TCP with EDNS0 and DO, asked when UDP answered
  std::uint16_t edns_udp_size = 0;  // the buffer size offered
};

// The only network access: per nameserver of `options` (resolv.conf when empty), two or three
// exchanges of `name` `type`, each within options.timeout. The default question, the root's NS
// set with its signature, is larger than 512 octets through any resolver, so one that truncates
// at 512 whatever EDNS0 offers shows it.
std::vector<ResolverTransportProbe> probeResolverTransport(const dns::LdnsResolverOptions& options,
                                                           std::string_view name = ".",
                                                           std::uint16_t type = dns::rr::NS);

// Pure: why answers cannot come over TCP from these nameservers ("" when they do, or when the
// probe could not tell: no answer over UDP either).
std::string tcpUnavailableReason(const std::vector<ResolverTransportProbe>& probes);
// Pure: why EDNS0 does not work through them: FORMERR or NOTIMP to a query with EDNS0 that
// is answered without it, an answer without OPT record, or truncation at 512 octets of an answer
// that fits the buffer offered (its TCP size says so). "" when it works or could not be told.
std::string ednsUnavailableReason(const std::vector<ResolverTransportProbe>& probes);

}  // namespace mh::dnssec
