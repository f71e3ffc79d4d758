// Hand-built TLS evidence for pure judgement tests (TLS-01..04 tables, the rubric scoring table).
#pragma once

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "checks/tls/tls_check.hpp"

namespace mh::tls::testing {

inline constexpr const char* kEvidenceMxHost = "mx1.example.test";


inline TlsAddressEvidence address(ProbeOutcome outcome, std::string addr = "192.0.2.10") {
  TlsAddressEvidence a;
  a.host = kEvidenceMxHost;
  a.address = std::move(addr);
  a.address_class = AddressClass::Public;
  a.probe.outcome = outcome;
  a.probe.target = {kEvidenceMxHost, a.address, 25};
  if (outcome == ProbeOutcome::Ok) {
    TlsSessionFacts t;
    t.protocol = "TLSv1.3";
    t.protocol_version = 0x0304;
    t.cipher_iana = "TLS_AES_256_GCM_SHA384";
    t.cipher_id = 0x1302;
    t.group = "x25519";
    t.peer_tmp_key = "X25519";
    t.peer_tmp_key_bits = 253;
    t.verify_result = 0;
    a.probe.tls = t;
  }
  return a;
}

inline TlsEnumeration enumeration(std::initializer_list<ProtocolVersion> accepted,
                           std::uint16_t preferred = 0xC02B) {
  TlsEnumeration e;
  for (auto v : {ProtocolVersion::Tls13, ProtocolVersion::Tls12, ProtocolVersion::Tls11,
                 ProtocolVersion::Tls10, ProtocolVersion::SslV3, ProtocolVersion::SslV2}) {
    VersionProbe p;
    p.version = v;
    p.support = std::find(accepted.begin(), accepted.end(), v) != accepted.end()
                    ? Support::Accepted
                    : Support::NotAccepted;
    e.versions.push_back(p);
  }
  for (auto g : kFailingGroups) e.suites.push_back({g, Support::NotAccepted});
  for (auto g : kPhaseOutGroups) e.suites.push_back({g, Support::NotAccepted});
  e.preferred_suite = preferred;
  return e;
}

inline void setVersion(TlsEnumeration& e, ProtocolVersion v, Support s) {
  for (auto& p : e.versions)
    if (p.version == v) p.support = s;
}
inline void setGroup(TlsEnumeration& e, SuiteGroup g, Support s, std::uint16_t suite = 0) {
  for (auto& p : e.suites)
    if (p.group == g) {
      p.support = s;
      p.suite = suite;
    }
}

inline CertificateFacts goodCertificate() {
  CertificateFacts c;
  c.parsed = true;
  c.subject = "CN=mx1.example.test";
  c.issuer = "CN=Public CA";
  c.dns_names = {kEvidenceMxHost};
  c.not_before =
      std::chrono::duration_cast<std::chrono::seconds>((std::chrono::system_clock::now() - std::chrono::hours(24 * 30)).time_since_epoch())
          .count();
  c.not_after = c.not_before + 365 * 86'400;
  c.key_type = "EC";
  c.key_bits = 256;
  c.signature_hash = c.weakest_hash = "SHA256";
  c.verify_result = 0;
  c.trust = CertTrust::Trusted;
  c.name_matches = true;
  c.host = kEvidenceMxHost;
  return c;
}

inline TlsEvidence evidence(std::vector<TlsAddressEvidence> addresses, bool enumerated = true) {
  TlsEvidence e;
  e.domain = "example.test";
  e.enumerated = enumerated;
  TlsHostEvidence h;
  h.name = kEvidenceMxHost;
  h.preference = 10;
  h.addresses = std::move(addresses);
  e.hosts.push_back(std::move(h));
  return e;
}

}  // namespace mh::tls::testing
