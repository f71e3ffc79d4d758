// MTASTS-01 cross-check: covered MX hosts whose completed STARTTLS probe shows a delivery failure.
#include "checks/mta_sts/mx_tls.hpp"

#include <algorithm>

#include "checks/core/text.hpp"
#include "checks/tls/address_safety.hpp"
#include "checks/tls/certificate.hpp"

namespace mh::mta_sts {
namespace {

using tls::ProbeOutcome;

void addUnique(std::vector<std::string>& items, const std::string& item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
}

// The addresses of one host that showed one defect, and why.
struct Defect {
  std::vector<std::string> addresses;
  std::vector<std::string> reasons;
};

}  // namespace

std::string_view toString(MxTlsVerdict v) {
  switch (v) {
    case MxTlsVerdict::Valid:
      return "valid";
    case MxTlsVerdict::NoStartTls:
      return "no_starttls";
    case MxTlsVerdict::CertificateInvalid:
      return "certificate_invalid";
    case MxTlsVerdict::NotTested:
      return "not_tested";
  }
  return "not_tested";
}

MxTlsAddressVerdict judgeMxTlsAddress(const tls::TlsAddressEvidence& a,
                                      std::chrono::system_clock::time_point now) {
  const tls::ProbeResult& p = a.probe;
  if (!a.allowed)
    return {MxTlsVerdict::NotTested,
            "not probed: " + std::string(tls::toString(a.address_class)) + " address"};
  switch (p.outcome) {
    case ProbeOutcome::NoStartTls:
      return {MxTlsVerdict::NoStartTls, "STARTTLS not offered"};
    case ProbeOutcome::StartTlsRejected:
      // RFC 3207 §4: 454 is "TLS not available due to temporary reason": a sender retries.
      if (p.starttls_code / 100 == 4)
        return {MxTlsVerdict::NotTested,
                "STARTTLS answered " + std::to_string(p.starttls_code) + " (temporary)"};
      return {MxTlsVerdict::NoStartTls, "STARTTLS refused: " + std::to_string(p.starttls_code) +
                                            (p.starttls_text.empty() ? "" : " " + p.starttls_text)};
    case ProbeOutcome::HandshakeFailed:
      if (tls::handshakeRejectedByServer(p))
        return {MxTlsVerdict::NoStartTls, "TLS handshake failed: " + p.detail};
      return {MxTlsVerdict::NotTested, "handshake interrupted: " + p.detail};
    case ProbeOutcome::Ok:
      break;
    default:  // timeout, refused, 4xx/5xx greeting, dropped, garbage: could not tell
      return {MxTlsVerdict::NotTested,
              std::string(tls::toString(p.outcome)) + (p.detail.empty() ? "" : ": " + p.detail)};
  }
  if (!a.certificate || !a.certificate->parsed || a.certificate->trust == tls::CertTrust::Unknown)
    return {MxTlsVerdict::NotTested, "certificate not verified"};
  // §4.2: the certificate must chain to a trusted root, be within its validity dates and be
  // valid for the MX host name (RFC 6125; the wildcard rule of X509_check_host).
  const tls::CertificateFacts& c = *a.certificate;
  std::vector<std::string> reasons;
  switch (tls::judgeCertificate(c, now).dates) {
    case tls::CertDates::Expired:
      reasons.push_back("expired on " + tls::isoTime(c.not_after));
      break;
    case tls::CertDates::NotYetValid:
      reasons.push_back("not valid before " + tls::isoTime(c.not_before));
      break;
    case tls::CertDates::Valid:
    case tls::CertDates::ExpiringSoon:
      break;
  }
  if (c.trust == tls::CertTrust::SelfSigned)
    reasons.push_back("self-signed");
  else if (c.trust == tls::CertTrust::Untrusted)
    reasons.push_back("untrusted chain: " +
                      (c.verify_error.empty() ? std::string("not verified") : c.verify_error));
  if (!c.name_matches)
    reasons.push_back("does not name " + a.host + " (names " +
                      (c.dns_names.empty() ? c.subject : joined(c.dns_names, ", ")) + ")");
  if (reasons.empty()) return {MxTlsVerdict::Valid, ""};
  return {MxTlsVerdict::CertificateInvalid, joined(reasons, ", ")};
}

MxTlsCrossCheck crossCheckMxTls(const MtaStsEvidence& e, const tls::TlsEvidence* tls,
                                std::chrono::system_clock::time_point now) {
  MxTlsCrossCheck out;
  if (tls == nullptr || !e.fetch || e.fetch->outcome != FetchOutcome::Ok || !e.fetch->policy)
    return out;
  const MtaStsPolicy& policy = *e.fetch->policy;
  if (!policy.valid || !policy.mode || *policy.mode == StsMode::None) return out;
  const bool enforce = *policy.mode == StsMode::Enforce;
  // §5.1 enforce: "MUST NOT deliver the message to this host"; §5 testing: deliver, and report
  // the failure (TLS-RPT, RFC 8460).
  const Status status = enforce ? Status::Fail : Status::Warn;
  const std::string prefix = enforce ? "MTASTS_ENFORCE_MX_" : "MTASTS_TESTING_MX_";

  Json hosts = Json::array();
  for (const auto& host : tls->hosts) {
    // An IP-literal MX matches no pattern (patterns are names, §4.1).
    const bool covered = tls::classifyAddress(host.name) == tls::AddressClass::Invalid &&
                         policy.matchesMx(host.name);
    if (!covered) continue;
    Defect noStartTls, certificate;
    Json addresses = Json::array();
    for (const auto& a : host.addresses) {
      const MxTlsAddressVerdict v = judgeMxTlsAddress(a, now);
      Json row = Json::object({{"address", a.address}, {"verdict", toString(v.verdict)}});
      if (!v.reason.empty()) row.set("reason", v.reason);
      addresses.push(row);
      Defect* defect = v.verdict == MxTlsVerdict::NoStartTls           ? &noStartTls
                       : v.verdict == MxTlsVerdict::CertificateInvalid ? &certificate
                                                                       : nullptr;
      if (defect == nullptr) continue;
      defect->addresses.push_back(a.address);
      addUnique(defect->reasons, v.reason);
    }
    hosts.push(Json::object({{"host", host.name}, {"addresses", addresses}}));
    for (const auto& [defect, tag] :
         {std::pair{&noStartTls, "NO_STARTTLS"}, std::pair{&certificate, "CERT_INVALID"}}) {
      if (defect->addresses.empty()) continue;
      out.findings.push_back(makeFinding(prefix + tag, status)
                                 .arg("domain", e.domain)
                                 .arg("host", host.name)
                                 .arg("address", joined(defect->addresses, ", "))
                                 .arg("reason", joined(defect->reasons, "; ")));
    }
  }
  out.evidence = Json::object({{"mode", std::string(toString(*policy.mode))}, {"hosts", hosts}});
  return out;
}

}  // namespace mh::mta_sts
