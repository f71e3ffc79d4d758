// Bounds-checked parser of a server's first reply to a ClientHello: ServerHello, Alert, SSLv2.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mh::tls {

// What the server's first bytes say about the offered ClientHello.
enum class HelloOutcome : std::uint8_t {
  Accepted,    // a ServerHello (or SSLv2 SERVER-HELLO): the version and a suite were accepted
  Rejected,    // an Alert (or SSLv2 ERROR) before any ServerHello: "not accepted"
  NotTls,      // the first byte cannot start a TLS record or SSLv2 message (e.g. "421 ...")
  Incomplete,  // valid so far; at least `need` more bytes are required
  Malformed,   // TLS framing, but inconsistent or not a ServerHello
};

std::string_view toString(HelloOutcome outcome);

// TLS record content types (RFC 5246 §6.2.1, RFC 6520).
enum class ContentType : std::uint8_t {
  ChangeCipherSpec = 20,
  Alert = 21,
  Handshake = 22,
  ApplicationData = 23,
  Heartbeat = 24,
};

inline constexpr std::uint8_t kAlertWarning = 1;
inline constexpr std::uint8_t kAlertFatal = 2;
// Alert descriptions (RFC 5246 §7.2, RFC 8446 §6) most often sent for a refused hello.
inline constexpr std::uint8_t kAlertHandshakeFailure = 40;
inline constexpr std::uint8_t kAlertIllegalParameter = 47;
inline constexpr std::uint8_t kAlertProtocolVersion = 70;
inline constexpr std::uint8_t kAlertInsufficientSecurity = 71;
inline constexpr std::uint8_t kAlertInternalError = 80;
inline constexpr std::uint8_t kAlertInappropriateFallback = 86;
inline constexpr std::uint8_t kAlertUnrecognizedName = 112;

std::string_view alertName(std::uint8_t description);  // "handshake_failure", or "other"

// Extension types the parser interprets (RFC 8446 §4.2, RFC 5746).
inline constexpr std::uint16_t kExtServerName = 0;
inline constexpr std::uint16_t kExtSupportedGroups = 10;
inline constexpr std::uint16_t kExtEcPointFormats = 11;
inline constexpr std::uint16_t kExtSignatureAlgorithms = 13;
inline constexpr std::uint16_t kExtExtendedMasterSecret = 23;
inline constexpr std::uint16_t kExtSupportedVersions = 43;
inline constexpr std::uint16_t kExtKeyShare = 51;
inline constexpr std::uint16_t kExtRenegotiationInfo = 0xFF01;

struct HelloExtension {
  std::uint16_t type = 0;
  std::vector<std::uint8_t> data;
};

struct ServerHello {
  HelloOutcome outcome = HelloOutcome::Incomplete;
  std::size_t need = 0;  // Incomplete: the minimum number of further bytes needed
  std::string error;     // Malformed / NotTls: what was wrong, for the evidence

  // Accepted (TLS / SSLv3): RFC 5246 §7.4.1.3, RFC 8446 §4.1.3, RFC 6101 §5.6.1.2.
  bool sslv2 = false;               // the reply was an SSLv2 message
  std::uint16_t recordVersion = 0;  // version field of the first record header
  std::uint16_t legacyVersion = 0;  // ServerHello.server_version / legacy_version
  std::uint16_t version = 0;        // negotiated: supported_versions if present, else legacy
  std::array<std::uint8_t, 32> random{};
  std::vector<std::uint8_t> sessionId;
  std::uint16_t cipherSuite = 0;
  std::uint8_t compression = 0;
  std::vector<HelloExtension> extensions;
  std::optional<std::uint16_t> selectedVersion;  // supported_versions (RFC 8446 §4.2.1)
  std::optional<std::uint16_t> keyShareGroup;    // key_share in a ServerHello or HRR
  bool helloRetryRequest = false;    // RFC 8446 §4.1.3: the special random of a HelloRetryRequest
  bool secureRenegotiation = false;  // renegotiation_info present (RFC 5746 §3.6)

  // Rejected: the alert (TLS) or SSLv2 error code.
  std::uint8_t alertLevel = 0;
  std::uint8_t alertDescription = 0;
  std::uint16_t sslv2ErrorCode = 0;

  // Accepted (SSLv2 SERVER-HELLO, draft-hickman-netscape-ssl-00 §2.6).
  bool sessionIdHit = false;
  std::uint8_t certificateType = 0;
  std::vector<std::uint8_t> certificate;
  std::vector<std::uint32_t> sslv2CipherSpecs;
  std::vector<std::uint8_t> connectionId;

  bool accepted() const { return outcome == HelloOutcome::Accepted; }
  const HelloExtension* extension(std::uint16_t type) const;
};

// Parses the bytes received so far. The answer depends only on the prefix up to the end of the
// first ServerHello/Alert; bytes after it (Certificate, ServerHelloDone...) are ignored. Never
// reads outside `bytes`, for any input.
ServerHello parseServerHello(std::span<const std::uint8_t> bytes);

}  // namespace mh::tls
