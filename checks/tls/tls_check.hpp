// TLS-01..04 (guidance §3.2): STARTTLS on every MX (RFC 3207), protocol versions (RFC 8996),
// cipher suites and key exchange (NCSC-NL 2025-05), and the MX certificate (RFC 5280, RFC 6125).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/mx/mx_check.hpp"
#include "checks/tls/address_safety.hpp"
#include "checks/tls/certificate.hpp"
#include "checks/tls/probe_registry.hpp"
#include "checks/tls/starttls_probe.hpp"
#include "checks/tls/tls_enumeration.hpp"

namespace mh::tls {

// The caps table (issue 11): how much of the scanner one domain's DNS can make it probe, however
// many MX hosts and addresses it publishes. Addresses refused by address safety do not count.
struct ProbeCaps {
  std::size_t mx_hosts = mx::kMaxMxHosts;  // MX hosts probed per domain (at most kMaxMxHosts)
  std::size_t addresses_per_host = 8;      // addresses probed per MX host
  std::size_t addresses_per_domain = 20;   // addresses probed per domain, all MX hosts together
};

struct TlsAuditOptions {
  std::uint16_t smtp_port = 25;
  std::string ehlo_name;               // empty => kDefaultEhloName; sent in EHLO
  bool allow_private_targets = false;  // the lab needs it
  std::string ca_file;                 // extra trust anchors (lab CA)
  ProbeTimeouts timeouts;              // from starttls_probe.hpp
  bool enumerate = true;               // protocol/cipher enumeration (more connections)
  ProbeCaps caps;
};

// The EHLO name when none is configured (RFC 5321 §4.1.1.1 wants the client's FQDN; an operator
// should set the scanner's own resolvable name so administrators can recognise it).
inline constexpr std::string_view kDefaultEhloName = "mailhygiene.invalid";

// Shared by every domain of one audit run (thread-safe): one prober, one registry, so each MX
// address is probed once per run and never by two connections at once. The enumeration of an
// address is cached too. The constructor throws std::runtime_error on a configuration error
// (unreadable CA file), never for a network outcome.
class TlsAuditContext {
 public:
  explicit TlsAuditContext(TlsAuditOptions options);
  // A fresh context (no cached probes) that takes its address leases from `locks`: the re-checks
  // of a run, which must not contact an address while a first look of the run does.
  TlsAuditContext(TlsAuditOptions options, std::shared_ptr<AddressLocks> locks);

  const TlsAuditOptions& options() const { return options_; }
  const StartTlsProber& prober() const { return prober_; }
  ProbeRegistry& registry() { return registry_; }
  // The STARTTLS probe of target's (address, port), run once per audit (ProbeRegistry). `cap` (the
  // domain audit's deadline) ends it earlier than its per-address budget.
  ProbeResult probe(const SmtpTarget& target,
                    SteadyClock::time_point cap = SteadyClock::time_point::max());
  // The enumeration of target's (address, port), run once per audit under the address's lease.
  // One cut short by `cap` is not kept for the other domains of the audit.
  TlsEnumeration enumerationFor(const SmtpTarget& target, const ProbeResult& first,
                                SteadyClock::time_point cap = SteadyClock::time_point::max());
  // TCP connections made so far (STARTTLS probes and enumeration), for logs and tests.
  std::size_t connections() const;

 private:
  TlsAuditOptions options_;
  StartTlsProber prober_;
  TlsEnumerator enumerator_;
  ProbeRegistry registry_;
  std::atomic<std::size_t> probe_connections_{0};
  mutable std::mutex mu_;  // guards enumerations_ and cut_connections_
  std::map<std::pair<std::string, std::uint16_t>, TlsEnumeration> enumerations_;
  std::size_t cut_connections_ = 0;  // of the enumerations cut short by a domain's budget
};

// One address of one MX host.
struct TlsAddressEvidence {
  std::string host;
  std::string address;
  std::uint16_t port = 25;
  AddressClass address_class = AddressClass::Invalid;
  bool allowed = true;  // false: refused by address safety, no connection was made
  ProbeResult probe;
  std::optional<TlsEnumeration> enumeration;    // when enumerate and the probe reached TLS
  std::optional<CertificateFacts> certificate;  // when the handshake completed
};

struct TlsHostEvidence {
  std::string name;
  std::uint16_t preference = 0;
  dns::DnsStatus a_status = dns::DnsStatus::NoError;  // the host's A and AAAA lookups
  dns::DnsStatus aaaa_status = dns::DnsStatus::NoError;
  std::vector<TlsAddressEvidence> addresses;
};

// Per MX host (at most mx::kMaxMxHosts, preference order) per address.
struct TlsEvidence {
  std::string domain;
  bool enumerated = false;  // TlsAuditOptions::enumerate
  std::vector<TlsHostEvidence> hosts;
  std::size_t hosts_skipped = 0;      // MX hosts beyond ProbeCaps::mx_hosts
  std::size_t addresses_skipped = 0;  // addresses beyond the ProbeCaps address caps
  std::string mx_lookup_error;        // the MX lookup's status when it could not be answered
};

// Probes the domain's MX addresses within the caps; none runs past `deadline` (the domain audit's
// budget): an address reached after it is a Timeout that says so.
TlsEvidence gatherTls(TlsAuditContext& context, const mx::MxEvidence& mx,
                      SteadyClock::time_point deadline = SteadyClock::time_point::max());

CheckResult judgeTls01(const TlsEvidence& e,
                       const DomainProfile& profile);  // STARTTLS on every MX (R only)
CheckResult judgeTls02(const TlsEvidence& e, const DomainProfile& profile);  // protocol versions
CheckResult judgeTls03(const TlsEvidence& e,
                       const DomainProfile& profile);  // ciphers / key exchange
CheckResult judgeTls04(const TlsEvidence& e, const DomainProfile& profile,
                       std::chrono::system_clock::time_point now);  // certificate

std::span<const TagSpec> tlsTagSpecs();

// The evidence of one address as JSON: transcript summary, session, certificate, enumeration.
Json toJson(const TlsAddressEvidence& a);

}  // namespace mh::tls
