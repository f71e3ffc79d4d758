// Protocol and cipher enumeration of one MX address after STARTTLS (RFC 3207): which of TLS 1.3,
// 1.2, 1.1, 1.0 (pinned OpenSSL handshakes), SSLv3 and SSLv2 (hand-built hellos) are accepted,
// which weak suite groups are accepted, forward secrecy and the server's preference.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/tls/cipher_suites.hpp"
#include "checks/tls/starttls_probe.hpp"

namespace mh::tls {

// Unknown: the probe could not tell (timeout, rate limiting, a reply that is not TLS). It is never
// read as "not accepted" and never as "accepted".
enum class Support : std::uint8_t { Accepted, NotAccepted, Unknown };

std::string_view toString(Support s);  // "accepted", "not_accepted", "unknown"

// Suite groups probed with hand-built hellos. NCSC-NL 2025-05: all insufficient; the rubric
// (guidance §3.2 TLS-03) fails the first six and warns on the last two.
enum class SuiteGroup : std::uint8_t {
  Rc4,
  TripleDes,
  Des,
  Null,
  Export,
  Anon,
  StaticRsa,
  CbcSha1
};

inline constexpr std::array<SuiteGroup, 6> kFailingGroups = {
    SuiteGroup::Rc4,  SuiteGroup::TripleDes, SuiteGroup::Des,
    SuiteGroup::Null, SuiteGroup::Export,    SuiteGroup::Anon};
inline constexpr std::array<SuiteGroup, 2> kPhaseOutGroups = {SuiteGroup::StaticRsa,
                                                              SuiteGroup::CbcSha1};

std::string_view toString(SuiteGroup g);  // "RC4", "3DES", "DES", "NULL", "EXPORT", "anon", ...
std::vector<std::uint16_t> suitesOf(SuiteGroup g);

struct VersionProbe {
  ProtocolVersion version = ProtocolVersion::Tls12;
  Support support = Support::Unknown;
  // How it was learnt: "starttls" (the ordinary probe's negotiation), "openssl" (a pinned
  // handshake), "hello" (a hand-built ClientHello), "" (not probed).
  std::string method;
  std::string detail;
  std::uint16_t cipher_id = 0;  // the suite chosen when accepted
  std::string cipher;           // its IANA name
  std::string group;            // key-exchange group of an OpenSSL handshake ("X25519")
  int group_bits = 0;           // size of the server's ephemeral key
};

struct SuiteGroupProbe {
  SuiteGroup group = SuiteGroup::Rc4;
  Support support = Support::Unknown;
  ProtocolVersion version = ProtocolVersion::Tls12;  // the hello's version
  std::uint16_t suite = 0;                           // the suite the server chose, when accepted
  std::string detail;
};

struct TlsEnumeration {
  std::vector<VersionProbe> versions;   // TLS 1.3, 1.2, 1.1, 1.0, SSLv3, SSLv2, in this order
  std::vector<SuiteGroupProbe> suites;  // one per SuiteGroup, in enum order
  // The suite chosen for a client that lists strong suites first (OpenSSL's order) at the highest
  // accepted version of TLS 1.2 and below, or TLS 1.3 when that is all there is.
  std::uint16_t preferred_suite = 0;
  ProtocolVersion preferred_version = ProtocolVersion::Tls12;
  // The server keeps its own order: it chose the same TLS 1.2 suite when offered every suite
  // weakest first. nullopt when not measured.
  std::optional<bool> server_order;
  std::size_t connections = 0;  // TCP connections made for the enumeration
  std::chrono::milliseconds elapsed{0};
  std::string stopped;  // why the enumeration stopped early (rate limited, budget); else empty

  const VersionProbe* version(ProtocolVersion v) const;
  const SuiteGroupProbe* group(SuiteGroup g) const;
  // Did the server's preferred suite have forward secrecy and an AEAD cipher?
  bool preferredForwardSecret() const;
  bool preferredAead() const;
};

// Runs the enumeration with its own pinned provers built from `base` (ehlo name, timeouts, trust,
// address safety). Thread safety: enumerate() is const and may run on many threads at once.
// Politeness is the caller's: hold the address's lease (ProbeRegistry::lease) around enumerate().
// The constructor throws std::runtime_error on a configuration error, as StartTlsProber does.
class TlsEnumerator {
 public:
  explicit TlsEnumerator(ProbeOptions base);

  // `first` is the ordinary STARTTLS probe of the same target: its negotiated version answers the
  // versions at and above it without another connection. Runs only when `first` reached TLS
  // (Ok or HandshakeFailed); otherwise returns an empty enumeration with `stopped` set. Stops early
  // (the rest Unknown) when a connection could not test (421 rate limiting, timeout, reset) or
  // after kEnumerationBudgets per-address budgets in total, or at `cap` (the domain audit's own
  // deadline) when that comes first.
  TlsEnumeration enumerate(const SmtpTarget& target, const ProbeResult& first,
                           SteadyClock::time_point cap = SteadyClock::time_point::max()) const;

  const ProbeOptions& options() const { return base_; }

 private:
  ProbeOptions base_;
  // TLS 1.3 needs no pinned handshake: the ordinary probe offers it and the server picks it.
  StartTlsProber tls12_;
  StartTlsProber tls11_;
  StartTlsProber tls10_;
};

// The whole enumeration of one address costs at most this many per-address budgets.
inline constexpr int kEnumerationBudgets = 3;

}  // namespace mh::tls
