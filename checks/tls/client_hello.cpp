// Hand-built ClientHello records: only what a server needs to answer with a ServerHello or Alert.
#include "checks/tls/client_hello.hpp"

#include <algorithm>
#include <string_view>

namespace mh::tls {

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kClientHelloType = 1;
constexpr std::uint8_t kSslv2ClientHello = 1;
constexpr std::uint16_t kExtServerNameType = 0;
constexpr std::uint16_t kExtSupportedGroupsType = 10;
constexpr std::uint16_t kExtEcPointFormatsType = 11;
constexpr std::uint16_t kExtSignatureAlgorithmsType = 13;
constexpr std::uint16_t kExtPaddingType = 21;  // RFC 7685
constexpr std::uint16_t kExtSupportedVersionsType = 43;
constexpr std::uint16_t kExtKeyShareType = 51;

// x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048..8192 (RFC 8446 §4.2.7, RFC 7919).
constexpr std::uint16_t kGroups[] = {0x001D, 0x0017, 0x0018, 0x0019, 0x001E,
                                     0x0100, 0x0101, 0x0102, 0x0103, 0x0104};

// RFC 8446 §4.2.3 schemes plus the TLS 1.2 SHA-1/SHA-224 and DSA pairs (RFC 5246 §7.4.1.4.1) so
// that old servers still find one they can sign with.
constexpr std::uint16_t kSignatureSchemes[] = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
    0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0203, 0x0201, 0x0202};

// The x25519 public key of RFC 7748 §6.1 (Alice): a valid point, so servers do not reject the
// key_share; the handshake never gets far enough to need the private key.
constexpr std::uint8_t kX25519Share[32] = {
    0x85, 0x20, 0xF0, 0x09, 0x89, 0x30, 0xA7, 0x54, 0x74, 0x8B, 0x7D, 0xDC, 0xB4, 0x3E, 0xF7, 0x5A,
    0x0D, 0xBF, 0x3A, 0x0D, 0x26, 0x38, 0x1A, 0xF4, 0xEB, 0xA4, 0xA9, 0x8E, 0xAA, 0x9B, 0x4E, 0x6A};

void put8(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
}

void put16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

void put24(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  put16(b, v);
}

void append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}

void putExtension(Bytes& exts, std::uint16_t type, const Bytes& data) {
  put16(exts, type);
  put16(exts, data.size());
  append(exts, data);
}

// RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
bool isIpLiteral(std::string_view name) {
  if (name.find(':') != std::string_view::npos) return true;
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

Bytes serverNameExtension(std::string_view host) {
  Bytes list;
  put8(list, 0);  // host_name
  put16(list, host.size());
  list.insert(list.end(), host.begin(), host.end());
  Bytes data;
  put16(data, list.size());
  append(data, list);
  return data;
}

template <std::size_t N>
Bytes list16(const std::uint16_t (&values)[N]) {
  Bytes data;
  put16(data, N * 2);
  for (auto v : values) put16(data, v);
  return data;
}

Bytes sslv2ClientHello(const ClientHelloSpec& spec) {
  const auto kinds = allSslv2CipherKinds();
  constexpr std::size_t kChallenge = 16;
  Bytes body;
  put8(body, kSslv2ClientHello);
  put16(body, static_cast<std::uint16_t>(ProtocolVersion::SslV2));
  put16(body, kinds.size() * 3);
  put16(body, 0);  // session id length
  put16(body, kChallenge);
  for (const auto& k : kinds) put24(body, k.code);
  body.insert(body.end(), spec.random.begin(), spec.random.begin() + kChallenge);
  Bytes record;
  put16(record, 0x8000 | body.size());  // 2-byte header, no padding
  append(record, body);
  return record;
}

}  // namespace

std::vector<std::uint8_t> buildClientHello(const ClientHelloSpec& spec) {
  if (spec.version == ProtocolVersion::SslV2) return sslv2ClientHello(spec);

  const bool tls13 = spec.version == ProtocolVersion::Tls13;
  const bool ssl3 = spec.version == ProtocolVersion::SslV3;
  std::vector<std::uint16_t> suites = spec.suites.empty() ? suitesFor(spec.version) : spec.suites;
  if (spec.renegotiationScsv && !tls13) suites.push_back(kRenegotiationInfoScsv);

  Bytes body;
  // RFC 8446 §4.1.2: legacy_version is 0x0303 in a TLS 1.3 ClientHello.
  put16(body, tls13 ? 0x0303 : static_cast<std::uint16_t>(spec.version));
  body.insert(body.end(), spec.random.begin(), spec.random.end());
  if (tls13) {  // a 32-byte legacy_session_id for middlebox compatibility (RFC 8446 §D.4)
    put8(body, 32);
    for (std::uint8_t r : spec.random) put8(body, r ^ 0x5A);
  } else {
    put8(body, 0);
  }
  put16(body, suites.size() * 2);
  for (auto s : suites) put16(body, s);
  put8(body, 1);  // compression_methods: null only
  put8(body, 0);

  // SSLv3 servers may not tolerate extensions (RFC 6101 predates them): none are sent.
  if (!ssl3) {
    Bytes exts;
    if (!spec.sni.empty() && !isIpLiteral(spec.sni))
      putExtension(exts, kExtServerNameType, serverNameExtension(spec.sni));
    putExtension(exts, kExtEcPointFormatsType, Bytes{1, 0});  // uncompressed (RFC 8422 §5.1.2)
    putExtension(exts, kExtSupportedGroupsType, list16(kGroups));
    // RFC 5246 §7.4.1.4.1: signature_algorithms only when offering TLS 1.2 or later.
    if (spec.version >= ProtocolVersion::Tls12)
      putExtension(exts, kExtSignatureAlgorithmsType, list16(kSignatureSchemes));
    if (tls13) {
      putExtension(exts, kExtSupportedVersionsType, Bytes{2, 0x03, 0x04});
      Bytes share;
      put16(share, 2 + 2 + sizeof kX25519Share);
      put16(share, kGroupX25519);
      put16(share, sizeof kX25519Share);
      share.insert(share.end(), std::begin(kX25519Share), std::end(kX25519Share));
      putExtension(exts, kExtKeyShareType, share);
    }
    // RFC 7685 §4: some servers hang on hellos of 256-511 bytes; pad the message to 512.
    const std::size_t messageLength = 4 + body.size() + 2 + exts.size();
    if (messageLength >= 256 && messageLength < 512) {
      const std::size_t padding = messageLength + 4 >= 512 ? 0 : 512 - messageLength - 4;
      putExtension(exts, kExtPaddingType, Bytes(padding, 0));
    }
    put16(body, exts.size());
    append(body, exts);
  }

  Bytes message;
  put8(message, kClientHelloType);
  put24(message, body.size());
  append(message, body);

  // RFC 5246 §E.1: the record version of a first ClientHello is {03,00} or {03,01}; TLS 1.3
  // (RFC 8446 §5.1) uses 0x0301. Messages over 2^14 bytes are split into several records.
  const std::uint16_t recordVersion = ssl3 ? 0x0300 : 0x0301;
  Bytes out;
  constexpr std::size_t kMaxFragment = 16384;
  for (std::size_t at = 0; at < message.size(); at += kMaxFragment) {
    const std::size_t n = std::min(kMaxFragment, message.size() - at);
    put8(out, kHandshake);
    put16(out, recordVersion);
    put16(out, n);
    out.insert(out.end(), message.begin() + at, message.begin() + at + n);
  }
  return out;
}

}  // namespace mh::tls
