// Helpers shared by the transport lab tests: TLS audit options for loopback servers, a hand-built
// MX evidence for one host, the TLS-01..04 verdicts of one audit, and readable explanations.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "checks/core/check_result.hpp"
#include "checks/mx/mx_check.hpp"
#include "checks/tls/tls_check.hpp"
#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::lab {

inline constexpr const char* kLabEhloName = "probe.mailhygiene.test";

// Short timeouts (a loopback server answers at once), the lab CA trusted, loopback allowed.
inline tls::TlsAuditOptions labTlsOptions(std::uint16_t port, bool enumerate = true) {
  using namespace std::chrono_literals;
  tls::TlsAuditOptions o;
  o.smtp_port = port;
  o.ehlo_name = kLabEhloName;
  o.allow_private_targets = true;
  o.ca_file = tls::testing::labPki().ca_file;
  o.enumerate = enumerate;
  o.timeouts.connect = 2s;
  o.timeouts.greeting = 5s;  // Postfix spawns smtpd on the first connection
  o.timeouts.reply = 5s;
  o.timeouts.handshake = 5s;
  o.timeouts.budget = 10s;
  return o;
}

// The MX evidence of a domain whose only MX host `host` has the IPv4 `addresses`.
inline mx::MxEvidence mxFor(const std::string& host, const std::vector<std::string>& addresses) {
  mx::MxEvidence e;
  e.domain = "example.test";
  e.mx.status = dns::DnsStatus::NoError;
  mx::MxHost h;
  h.name = host;
  h.preference = 10;
  h.a.qname = host;
  h.a.qtype = dns::rr::A;
  h.a.status = addresses.empty() ? dns::DnsStatus::NoData : dns::DnsStatus::NoError;
  for (const auto& address : addresses) {
    dns::DnsRecord r;
    r.owner = host;
    r.type = dns::rr::A;
    r.data = address;
    h.a.records.push_back(r);
  }
  h.aaaa.qname = host;
  h.aaaa.qtype = dns::rr::AAAA;
  h.aaaa.status = dns::DnsStatus::NoData;
  e.hosts.push_back(h);
  e.total_hosts = 1;
  return e;
}

struct TlsVerdicts {
  tls::TlsEvidence evidence;
  CheckResult tls01, tls02, tls03, tls04;

  const tls::TlsAddressEvidence& first() const { return evidence.hosts.at(0).addresses.at(0); }
};

inline TlsVerdicts auditTls(tls::TlsAuditContext& ctx, const mx::MxEvidence& mx) {
  const DomainProfile receiving{true, true, {}};
  TlsVerdicts v;
  v.evidence = tls::gatherTls(ctx, mx);
  v.tls01 = tls::judgeTls01(v.evidence, receiving);
  v.tls02 = tls::judgeTls02(v.evidence, receiving);
  v.tls03 = tls::judgeTls03(v.evidence, receiving);
  v.tls04 = tls::judgeTls04(v.evidence, receiving, std::chrono::system_clock::now());
  return v;
}

inline std::multiset<std::string> tagsOf(const CheckResult& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) out.insert(f.tag);
  return out;
}

// "TLS-02 warn:\n  TAG message" for failure messages.
inline std::string explain(const CheckResult& r) {
  std::string out = r.id + " " + std::string(toString(r.status)) + ":";
  for (const auto& f : r.findings) {
    const TagSpec* spec = findTagSpec(tls::tlsTagSpecs(), f.tag);
    out += "\n  " + f.tag + " " + (spec ? renderTemplate(spec->message, f) : "");
  }
  return out;
}

inline std::string explain(const TlsVerdicts& v) {
  return explain(v.tls01) + "\n" + explain(v.tls02) + "\n" + explain(v.tls03) + "\n" +
         explain(v.tls04);
}

}  // namespace mh::lab
