// Probing the run's resolver for DNSSEC records once, and the run-level DNSSEC-01/DANE-01 error.
#include "checks/dnssec/resolver_capability.hpp"

#include <algorithm>

#include "checks/dns/ldns_ptr.hpp"
#include "checks/dnssec/dane_check.hpp"
#include "checks/dnssec/dnssec_check.hpp"

namespace mh::dnssec {

ResolverDnssecProbe probeResolverDnssec(dns::Resolver& resolver, std::string_view name) {
  ResolverDnssecProbe p;
  p.name = dns::normaliseName(name);
  p.answer = resolver.query(p.name, dns::rr::SOA);
  return p;
}

std::string dnssecUnavailableReason(const ResolverDnssecProbe& probe) {
  const auto& a = probe.answer;
  if (a.isError() || !a.hasRecords()) return "";
  if (!a.signatures.empty()) return "";
  return "the resolver (" + (a.server.empty() ? std::string("?") : a.server) +
         ") returns no DNSSEC signatures: " + (probe.name == "." ? std::string("the root") : probe.name) +
         " SOA came back without RRSIG, so no zone's signatures can be checked through it";
}

// Spec: docs/checks/DNSSEC-01.md and docs/checks/DANE-01.md (the run-level error).
CheckResult judgeDnssecUnavailable(std::string_view check_id, std::string_view reason) {
  CheckResult r;
  r.id = std::string(check_id);
  const bool dane = check_id == "DANE-01";
  r.add(makeFinding(dane ? "DANE_RESOLVER_NO_DNSSEC" : "DNSSEC_RESOLVER_NO_DNSSEC", Status::Error))
      .arg("reason", std::string(reason));
  r.evidence = Json::object({{"run_level", true}, {"reason", std::string(reason)}});
  fillRemediation(r, dane ? daneTagSpecs() : dnssecTagSpecs());
  return r;
}

std::vector<ResolverTransportProbe> probeResolverTransport(const dns::LdnsResolverOptions& options,
                                                           std::string_view name,
                                                           std::uint16_t type) {
  const dns::LdnsResolver resolver(options);  // fills the nameservers from resolv.conf if needed
  std::vector<ResolverTransportProbe> probes;
  for (const auto& server : resolver.nameservers()) {
    ResolverTransportProbe p;
    p.server = server.label();
    dns::ExchangeOptions exchange;
    exchange.edns_udp_size = resolver.options().edns_udp_size;
    exchange.dnssec_ok = resolver.options().dnssec_ok;
    exchange.recursion_desired = resolver.options().recursion_desired;
    exchange.timeout = resolver.options().timeout;
    p.edns_udp_size = exchange.edns_udp_size;
    p.udp = dns::exchangeOnce(server, name, type, exchange);
    if (p.udp.responded &&
        (p.udp.answer.rcode == LDNS_RCODE_FORMERR || p.udp.answer.rcode == LDNS_RCODE_NOTIMPL)) {
      dns::ExchangeOptions plain = exchange;
      plain.edns = false;
      p.plain = dns::exchangeOnce(server, name, type, plain);
    }
    // A server silent over UDP too tells nothing about TCP: its timeout is not waited twice.
    if (p.udp.responded || p.plain.responded) {
      exchange.tcp = true;
      p.tcp = dns::exchangeOnce(server, name, type, exchange);
    }
    probes.push_back(std::move(p));
  }
  return probes;
}

namespace {

// "a (127.0.0.1#53): b; c (::1#53): d" for the reasons found, or "".
std::string perServer(const std::vector<ResolverTransportProbe>& probes,
                      std::string (*reason)(const ResolverTransportProbe&)) {
  std::string out;
  for (const auto& p : probes)
    if (std::string r = reason(p); !r.empty())
      out += (out.empty() ? "" : "; ") + std::string("the resolver (") + p.server + ") " + r;
  return out;
}

std::string tcpReason(const ResolverTransportProbe& p) {
  if (p.tcp.responded || !(p.udp.responded || p.plain.responded)) return "";
  return "answers over UDP but not over TCP (" + p.tcp.answer.error +
         "): answers larger than a UDP datagram cannot be had through it, and the checks that "
         "need them end in error";
}

std::string ednsReason(const ResolverTransportProbe& p) {
  const int rcode = p.udp.answer.rcode;
  if (p.udp.responded && (rcode == LDNS_RCODE_FORMERR || rcode == LDNS_RCODE_NOTIMPL) &&
      p.plain.responded && !p.plain.answer.isError())
    return "answers " + std::string(rcode == LDNS_RCODE_FORMERR ? "FORMERR" : "NOTIMP") +
           " to queries with EDNS0 (RFC 6891) and only answers without it: no DNSSEC records "
           "and no answer over 512 octets by UDP";
  if (p.udp.responded && !p.udp.edns)
    return "answers without an OPT record (no EDNS0, RFC 6891): no DNSSEC records and no answer "
           "over 512 octets by UDP";
  if (p.udp.responded && p.udp.truncated && p.udp.size <= 512 && p.tcp.responded &&
      p.tcp.size <= p.edns_udp_size)
    return "truncates at 512 octets an answer of " + std::to_string(p.tcp.size) +
           " that fits the " + std::to_string(p.edns_udp_size) +
           " offered with EDNS0: every larger answer needs TCP";
  return "";
}

}  // namespace

std::string tcpUnavailableReason(const std::vector<ResolverTransportProbe>& probes) {
  return perServer(probes, &tcpReason);
}

std::string ednsUnavailableReason(const std::vector<ResolverTransportProbe>& probes) {
  return perServer(probes, &ednsReason);
}

bool isRunLevelError(const Finding& f) {
  return f.status == Status::Error &&
         std::find(std::begin(kRunLevelErrorTags), std::end(kRunLevelErrorTags), f.tag) !=
             std::end(kRunLevelErrorTags);
}

}  // namespace mh::dnssec
