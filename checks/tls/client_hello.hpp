// Hand-built ClientHello records (SSLv2, SSLv3, TLS 1.0-1.3) for hello-only version/suite probes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "checks/tls/cipher_suites.hpp"

namespace mh::tls {

struct ClientHelloSpec {
  ProtocolVersion version = ProtocolVersion::Tls12;
  // Suites to offer, in preference order; empty offers suitesFor(version). Ignored for SSLv2,
  // which offers every SSLv2 cipher kind.
  std::vector<std::uint16_t> suites;
  // server_name (RFC 6066 §3); not sent when empty or an IP literal, nor in SSLv2/SSLv3 hellos.
  std::string sni;
  // ClientHello.random (RFC 5246 §7.4.1.2); SSLv2 uses its first 16 bytes as the CHALLENGE.
  std::array<std::uint8_t, 32> random{};
  // Append TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3) to the suites (not for TLS 1.3).
  bool renegotiationScsv = true;
};

// The named groups and signature schemes offered (RFC 8446 §4.2.7, §4.2.3).
inline constexpr std::uint16_t kGroupX25519 = 0x001D;
inline constexpr std::uint16_t kGroupSecp256r1 = 0x0017;

// The complete bytes to write to the socket: one record (TLS/SSLv3: RFC 5246 §6.2.1 and §7.4.1.2;
// TLS 1.3: RFC 8446 §4.1.2 with supported_versions and an x25519 key_share; SSLv2:
// CLIENT-HELLO of draft-hickman-netscape-ssl-00 §2.5 with a 2-byte header). Pure.
std::vector<std::uint8_t> buildClientHello(const ClientHelloSpec& spec);

}  // namespace mh::tls
