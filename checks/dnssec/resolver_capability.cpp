// Probing the run's resolver for DNSSEC records once, and the run-level DNSSEC-01/DANE-01 error.
#include "checks/dnssec/resolver_capability.hpp"

#include <algorithm>

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

bool isRunLevelError(const Finding& f) {
  return f.status == Status::Error &&
         std::find(std::begin(kRunLevelErrorTags), std::end(kRunLevelErrorTags), f.tag) !=
             std::end(kRunLevelErrorTags);
}

}  // namespace mh::dnssec
