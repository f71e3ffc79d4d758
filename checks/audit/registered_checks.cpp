// Every evidence source and every check of the audit, declared once (guidance.md §3.2).
#include <algorithm>
#include <map>

#include "checks/audit/check_registry.hpp"
#include "checks/dkim/dkim_check.hpp"
#include "checks/dmarc/dmarc_check.hpp"
#include "checks/dnssec/dane_check.hpp"
#include "checks/dnssec/dnssec_check.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/hygiene/reverse_dns_check.hpp"
#include "checks/mta_sts/mta_sts_check.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/mx/mx_check.hpp"
#include "checks/spf/spf_check.hpp"
#include "checks/tls/tls_check.hpp"
#include "checks/tlsrpt/tlsrpt_check.hpp"

namespace mh::audit {

namespace {

using dkim::DkimEvidence;
using dmarc::DmarcEvidence;
using dnssec::DaneEvidence;
using dnssec::DnssecEvidence;
using hygiene::ReverseDnsEvidence;
using mta_sts::MtaStsEvidence;
using mx::MxEvidence;
using spf::SpfEvidence;
using tls::TlsEvidence;
using tlsrpt::TlsRptEvidence;

// Guidance §3.1: a domain does not send (NS) when its SPF authorises nobody ("-all" only, after
// redirects) and its DMARC policy is reject; any DKIM key found means it sends.
DomainProfile deriveProfile(const MxEvidence& mx, const SpfEvidence& spf,
                            const DmarcEvidence& dmarc, const DkimEvidence& dkim) {
  DomainProfile p;
  p.receives_mail = mx::receivesMail(mx);
  if (mx.mx.isError())
    p.reasons.push_back("assumed to receive mail: the MX lookup could not be answered");
  else if (!mx.hosts.empty())
    p.reasons.push_back("receives mail: " + std::to_string(mx.total_hosts) + " MX host(s)");
  else if (p.receives_mail)
    p.reasons.push_back("receives mail: no MX, but the domain has an address (implicit MX)");
  else if (mx.null_mx)
    p.reasons.push_back("receives no mail: null MX (RFC 7505)");
  else
    p.reasons.push_back("receives no mail: neither MX nor address");
  const bool rejectsAll = spf::spfRejectsAll(spf);
  const bool rejects = dmarc::dmarcRejects(dmarc);
  const bool hasDkim = dkim::dkimKeyFound(dkim);
  p.sends_mail = hasDkim || !(rejectsAll && rejects);
  if (hasDkim)
    p.reasons.push_back("sends mail: a DKIM key is published");
  else if (p.sends_mail)
    p.reasons.push_back(rejectsAll ? "sends mail: SPF is \"-all\" but DMARC is not p=reject"
                                   : "sends mail: SPF does not reject every sender");
  else
    p.reasons.push_back("sends no mail: SPF \"-all\" and DMARC p=reject");
  return p;
}

// DANE is matched against the chain each MX host presented (its first probed address).
std::map<std::string, std::vector<std::vector<unsigned char>>> presentedChains(
    const TlsEvidence* tls) {
  std::map<std::string, std::vector<std::vector<unsigned char>>> chains;
  if (tls == nullptr) return chains;
  for (const auto& host : tls->hosts) {
    for (const auto& address : host.addresses) {
      if (!address.probe.tls || address.probe.tls->peer_chain.empty()) continue;
      auto& chain = chains[host.name];
      for (const auto& cert : address.probe.tls->peer_chain) chain.push_back(cert.der);
      break;
    }
  }
  return chains;
}

bool probesSmtp(const AuditOptions& o) {
  return o.tls != nullptr;
}
bool validatesDnssec(const AuditOptions& o) {
  return o.trust_anchors != nullptr;
}
std::string dnssecWithheld(const AuditOptions& o) {
  return o.dnssec_unavailable;
}

// The evidence sources, in the order they are gathered when their needs allow.
std::vector<EvidenceSource> sources() {
  std::vector<EvidenceSource> s;
  s.push_back(source<MxEvidence>("mx", needs<>(), &mx::mxTagSpecs, [](const GatherContext& g) {
    return mx::gatherMx(g.resolver, g.domain);
  }));
  s.push_back(source<SpfEvidence>("spf", needs<>(), &spf::spfTagSpecs, [](const GatherContext& g) {
    return spf::gatherSpf(g.resolver, g.domain);
  }));
  s.push_back(
      source<DmarcEvidence>("dmarc", needs<>(), &dmarc::dmarcTagSpecs, [](const GatherContext& g) {
        return dmarc::gatherDmarc(g.resolver, g.domain, *g.options.psl);
      }));
  s.push_back(
      source<DkimEvidence>("dkim", needs<>(), &dkim::dkimTagSpecs, [](const GatherContext& g) {
        return dkim::gatherDkim(g.resolver, g.domain, g.options.dkim_selectors);
      }));
  s.push_back(source<DomainProfile>(
      "profile", needs<MxEvidence, SpfEvidence, DmarcEvidence, DkimEvidence>(), nullptr,
      [](const GatherContext& g) {
        const auto& e = g.evidence;
        return deriveProfile(e.need<MxEvidence>(), e.need<SpfEvidence>(), e.need<DmarcEvidence>(),
                             e.need<DkimEvidence>());
      }));
  s.back().io = false;
  s.push_back(source<MtaStsEvidence>(
      "mta_sts", needs<>(), &mta_sts::mtaStsTagSpecs, [](const GatherContext& g) {
        if (!g.options.mta_sts_fetch) return mta_sts::gatherMtaSts(g.resolver, g.domain, nullptr);
        // The policy fetch ends by the budget's deadline too.
        mta_sts::PolicyFetchOptions fetch = *g.options.mta_sts_fetch;
        fetch.timeout = std::min(fetch.timeout, g.left());
        return mta_sts::gatherMtaSts(g.resolver, g.domain, &fetch);
      }));
  s.push_back(source<TlsRptEvidence>(
      "tlsrpt", needs<>(), &tlsrpt::tlsRptTagSpecs,
      [](const GatherContext& g) { return tlsrpt::gatherTlsRpt(g.resolver, g.domain); }));
  s.push_back(source<ReverseDnsEvidence>(
      "reverse_dns", needs<MxEvidence>(), &hygiene::reverseDnsTagSpecs, [](const GatherContext& g) {
        return hygiene::gatherReverseDns(g.resolver, g.evidence.need<MxEvidence>());
      }));
  s.push_back(source<TlsEvidence>(
      "tls", needs<MxEvidence>(), &tls::tlsTagSpecs, [](const GatherContext& g) {
        return tls::gatherTls(*g.options.tls, g.evidence.need<MxEvidence>(), g.deadline);
      }));
  s.back().enabled = &probesSmtp;
  s.push_back(source<DnssecEvidence>(
      "dnssec", needs<MxEvidence>(), &dnssec::dnssecTagSpecs, [](const GatherContext& g) {
        return dnssec::gatherDnssec(g.resolver, g.domain, g.evidence.need<MxEvidence>(),
                                    *g.options.trust_anchors, g.now);
      }));
  s.back().enabled = &validatesDnssec;
  s.back().withheld = &dnssecWithheld;
  s.back().unavailable = &dnssec::judgeDnssecUnavailable;
  s.push_back(source<DaneEvidence>(
      "dane", needs<MxEvidence>(), &dnssec::daneTagSpecs, [](const GatherContext& g) {
        const std::uint16_t port = g.options.tls ? g.options.tls->options().smtp_port : 25;
        return dnssec::gatherDane(g.resolver, g.evidence.need<MxEvidence>(),
                                  *g.options.trust_anchors, port, g.now);
      }));
  s.back().enabled = &validatesDnssec;
  s.back().withheld = &dnssecWithheld;
  s.back().unavailable = &dnssec::judgeDnssecUnavailable;
  return s;
}

// A check judged on one area's evidence alone.
template <class E>
CheckRegistration judgedOn(std::string_view id, CheckResult (*judge)(const E&)) {
  return {
      id, needs<E>(), {}, [judge](const JudgeInput& in) { return judge(in.evidence.need<E>()); }};
}

// A check judged on one area's evidence under the domain profile (N/A for some profiles).
template <class E>
CheckRegistration judgedWithProfile(std::string_view id,
                                    CheckResult (*judge)(const E&, const DomainProfile&)) {
  return {id, needs<E, DomainProfile>(), {}, [judge](const JudgeInput& in) {
            return judge(in.evidence.need<E>(), in.evidence.need<DomainProfile>());
          }};
}

// The checks; the registry puts them in rubric order.
std::vector<CheckRegistration> checks() {
  using P = DomainProfile;
  return {
      judgedOn("MX-01", &mx::judgeMx01),
      judgedOn("SPF-01", &spf::judgeSpf01),
      // SPF-02 weighs "~all" by whether DMARC enforces.
      {"SPF-02",
       needs<SpfEvidence, DmarcEvidence>(),
       {},
       [](const JudgeInput& in) {
         return spf::judgeSpf02(in.evidence.need<SpfEvidence>(),
                                dmarc::dmarcEnforcing(in.evidence.need<DmarcEvidence>()));
       }},
      judgedOn("SPF-03", &spf::judgeSpf03),
      judgedOn("DMARC-01", &dmarc::judgeDmarc01),
      judgedOn("DMARC-02", &dmarc::judgeDmarc02),
      judgedOn("DMARC-03", &dmarc::judgeDmarc03),
      judgedWithProfile("DMARC-04", &dmarc::judgeDmarc04),
      judgedWithProfile("DKIM-01", &dkim::judgeDkim01),
      judgedWithProfile("DKIM-02", &dkim::judgeDkim02),
      judgedWithProfile("TLS-01", &tls::judgeTls01),
      judgedWithProfile("TLS-02", &tls::judgeTls02),
      judgedWithProfile("TLS-03", &tls::judgeTls03),
      // Certificate dates are judged at the audit's time.
      {"TLS-04",
       needs<TlsEvidence, P>(),
       {},
       [](const JudgeInput& in) {
         return tls::judgeTls04(in.evidence.need<TlsEvidence>(), in.evidence.need<P>(), in.now);
       }},
      // MTASTS-01 also weighs the MX hosts' STARTTLS evidence (no STARTTLS, invalid certificate).
      {"MTASTS-01", needs<MtaStsEvidence, MxEvidence, P>(), needs<TlsEvidence>(),
       [](const JudgeInput& in) {
         return mta_sts::judgeMtaSts01(
             in.evidence.need<MtaStsEvidence>(), in.evidence.need<MxEvidence>(),
             in.evidence.use<TlsEvidence>(), in.evidence.need<P>(), in.now);
       }},
      judgedWithProfile("TLSRPT-01", &tlsrpt::judgeTlsRpt01),
      judgedOn("DNSSEC-01", &dnssec::judgeDnssec01),
      {"DANE-01", needs<DaneEvidence, P>(), needs<TlsEvidence>(),
       [](const JudgeInput& in) {
         return dnssec::judgeDane01(in.evidence.need<DaneEvidence>(),
                                    presentedChains(in.evidence.use<TlsEvidence>()),
                                    in.evidence.need<P>());
       }},
      judgedWithProfile("HYG-01", &hygiene::judgeHyg01),
  };
}

}  // namespace

const CheckRegistry& checkRegistry() {
  static const CheckRegistry registry(sources(), checks());
  return registry;
}

}  // namespace mh::audit
