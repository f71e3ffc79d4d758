// Bounds-checked parser of a server's reply to a hand-built ClientHello (hello exchange only).
//
// TLS/SSLv3: records (RFC 5246 §6.2.1, RFC 6101 §5.2.1) carrying handshake messages (§7.4) that
// may be split over several records or packed several to a record; the first must be a
// ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3). An Alert (RFC 5246 §7.2) before it means the
// hello was refused. SSLv2: a 2-byte record header and SERVER-HELLO or ERROR
// (draft-hickman-netscape-ssl-00 §2.6, §2.7).
#include "checks/tls/server_hello.hpp"

#include <algorithm>

namespace mh::tls {

namespace {

constexpr std::size_t kRecordHeader = 5;
// RFC 5246 §6.2.3: a TLSCiphertext fragment is at most 2^14 + 2048 bytes.
constexpr std::size_t kMaxRecordLength = 16384 + 2048;
// A ServerHello is at most 2+32+1+32+2+1+2+65535 bytes; anything longer is not one.
constexpr std::size_t kMaxServerHello = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 65535;
constexpr std::uint8_t kHelloRequest = 0;
constexpr std::uint8_t kServerHelloType = 2;
constexpr std::uint8_t kAlertCloseNotify = 0;

// RFC 8446 §4.1.3: SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest.
constexpr std::array<std::uint8_t, 32> kHelloRetryRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// SSLv2 message types (draft-hickman-netscape-ssl-00 §2.5).
constexpr std::uint8_t kSslv2Error = 0;
constexpr std::uint8_t kSslv2ServerHello = 4;

// Reads big-endian fields from a span; every read checks the remaining length first.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }

  bool u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

ServerHello fail(HelloOutcome outcome, std::string error) {
  ServerHello h;
  h.outcome = outcome;
  h.error = std::move(error);
  return h;
}

ServerHello incomplete(std::size_t need) {
  ServerHello h;
  h.outcome = HelloOutcome::Incomplete;
  h.need = need;
  return h;
}

// The ServerHello body (after the 4-byte handshake header).
ServerHello parseServerHelloBody(std::span<const std::uint8_t> body, std::uint16_t recordVersion) {
  ServerHello h;
  h.recordVersion = recordVersion;
  Reader r(body);
  std::span<const std::uint8_t> random, sessionId;
  std::uint8_t sessionIdLength = 0;
  if (!r.u16(h.legacyVersion) || !r.bytes(32, random) || !r.u8(sessionIdLength) ||
      !r.bytes(sessionIdLength, sessionId) || !r.u16(h.cipherSuite) || !r.u8(h.compression))
    return fail(HelloOutcome::Malformed, "ServerHello shorter than its fixed fields");
  if (h.legacyVersion >> 8 != 3)
    return fail(HelloOutcome::Malformed, "ServerHello version is not 3.x");
  if (sessionIdLength > 32)
    return fail(HelloOutcome::Malformed, "ServerHello session_id longer than 32 bytes");
  std::copy(random.begin(), random.end(), h.random.begin());
  h.sessionId.assign(sessionId.begin(), sessionId.end());
  h.helloRetryRequest = h.random == kHelloRetryRandom;

  // Extensions are optional: absent in SSLv3 and in many TLS 1.0 ServerHellos (RFC 5246 §7.4.1.3).
  if (r.remaining() > 0) {
    std::uint16_t extLength = 0;
    if (!r.u16(extLength) || extLength != r.remaining())
      return fail(HelloOutcome::Malformed, "ServerHello extensions length mismatch");
    while (r.remaining() > 0) {
      HelloExtension ext;
      std::uint16_t length = 0;
      std::span<const std::uint8_t> data;
      if (!r.u16(ext.type) || !r.u16(length) || !r.bytes(length, data))
        return fail(HelloOutcome::Malformed, "ServerHello extension overruns the message");
      // RFC 5246 §7.4.1.4: at most one extension of each type.
      for (const auto& seen : h.extensions)
        if (seen.type == ext.type)
          return fail(HelloOutcome::Malformed, "ServerHello repeats an extension");
      ext.data.assign(data.begin(), data.end());
      if (ext.type == kExtSupportedVersions) {
        if (length != 2)
          return fail(HelloOutcome::Malformed, "supported_versions in ServerHello is not 2 bytes");
        h.selectedVersion = be16(data, 0);
      } else if (ext.type == kExtKeyShare && length >= 2) {
        h.keyShareGroup = be16(data, 0);
      } else if (ext.type == kExtRenegotiationInfo) {
        h.secureRenegotiation = true;
      }
      h.extensions.push_back(std::move(ext));
    }
  }
  h.version = h.selectedVersion.value_or(h.legacyVersion);
  h.outcome = HelloOutcome::Accepted;
  return h;
}

ServerHello parseTlsRecords(std::span<const std::uint8_t> in) {
  std::vector<std::uint8_t> handshake;  // handshake bytes reassembled across records
  std::uint16_t firstRecordVersion = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t avail = in.size() - pos;
    // Check what is there of the next header before asking for more bytes.
    if (avail >= 1) {
      const std::uint8_t type = in[pos];
      if (type < static_cast<std::uint8_t>(ContentType::ChangeCipherSpec) ||
          type > static_cast<std::uint8_t>(ContentType::Heartbeat))
        return fail(pos == 0 ? HelloOutcome::NotTls : HelloOutcome::Malformed,
                    "not a TLS record content type");
    }
    if (avail >= 2 && in[pos + 1] != 3)
      return fail(pos == 0 ? HelloOutcome::NotTls : HelloOutcome::Malformed,
                  "record version is not 3.x");
    if (avail < kRecordHeader) {
      std::size_t need = kRecordHeader - avail;
      if (handshake.size() >= 4) {
        const std::size_t total =
            4 + (std::size_t{handshake[1]} << 16 | handshake[2] << 8 | handshake[3]);
        need += total - handshake.size();
      }
      return incomplete(need);
    }
    const auto type = static_cast<ContentType>(in[pos]);
    const std::uint16_t version = be16(in, pos + 1);
    const std::size_t length = be16(in, pos + 3);
    if (pos == 0) firstRecordVersion = version;
    if (length > kMaxRecordLength) return fail(HelloOutcome::Malformed, "record too long");
    // RFC 5246 §6.2.1: no zero-length Handshake, Alert or ChangeCipherSpec fragments.
    if (length == 0 && type != ContentType::ApplicationData)
      return fail(HelloOutcome::Malformed, "empty record");
    if (avail - kRecordHeader < length) return incomplete(length - (avail - kRecordHeader));
    const auto fragment = in.subspan(pos + kRecordHeader, length);
    pos += kRecordHeader + length;

    switch (type) {
      case ContentType::Alert: {
        if (length < 2) return fail(HelloOutcome::Malformed, "alert record shorter than 2 bytes");
        const std::uint8_t level = fragment[0], description = fragment[1];
        if (level != kAlertWarning && level != kAlertFatal)
          return fail(HelloOutcome::Malformed, "alert level is neither warning nor fatal");
        // A warning before the ServerHello (e.g. unrecognized_name) does not end the hello.
        if (level == kAlertWarning && description != kAlertCloseNotify) continue;
        ServerHello h;
        h.outcome = HelloOutcome::Rejected;
        h.recordVersion = firstRecordVersion;
        h.alertLevel = level;
        h.alertDescription = description;
        return h;
      }
      case ContentType::Handshake:
        handshake.insert(handshake.end(), fragment.begin(), fragment.end());
        break;
      default:
        return fail(HelloOutcome::Malformed, "record type not allowed before the ServerHello");
    }

    // Consume whole handshake messages: HelloRequests are skipped, a ServerHello ends the parse.
    while (handshake.size() >= 4) {
      const std::uint8_t msgType = handshake[0];
      const std::size_t msgLength =
          std::size_t{handshake[1]} << 16 | std::size_t{handshake[2]} << 8 | handshake[3];
      if (msgType == kHelloRequest && msgLength == 0) {
        handshake.erase(handshake.begin(), handshake.begin() + 4);
        continue;
      }
      if (msgType != kServerHelloType)
        return fail(HelloOutcome::Malformed, "first handshake message is not a ServerHello");
      if (msgLength > kMaxServerHello) return fail(HelloOutcome::Malformed, "ServerHello too long");
      if (handshake.size() < 4 + msgLength) break;
      return parseServerHelloBody(std::span(handshake).subspan(4, msgLength), firstRecordVersion);
    }
  }
}

// SSLv2 record with a 2-byte header (high bit set, 15-bit length).
ServerHello parseSslv2(std::span<const std::uint8_t> in) {
  if (in.size() < 2) return incomplete(2 - in.size());
  const std::size_t length = std::size_t{in[0] & 0x7Fu} << 8 | in[1];
  if (length == 0) return fail(HelloOutcome::Malformed, "empty SSLv2 record");
  if (in.size() - 2 < length) return incomplete(length - (in.size() - 2));
  Reader r(in.subspan(2, length));
  std::uint8_t msgType = 0;
  r.u8(msgType);
  ServerHello h;
  h.sslv2 = true;
  if (msgType == kSslv2Error) {
    if (!r.u16(h.sslv2ErrorCode)) return fail(HelloOutcome::Malformed, "SSLv2 ERROR too short");
    h.outcome = HelloOutcome::Rejected;
    return h;
  }
  if (msgType != kSslv2ServerHello)
    return fail(HelloOutcome::Malformed, "SSLv2 message is not SERVER-HELLO or ERROR");
  std::uint8_t hit = 0;
  std::uint16_t certLength = 0, specsLength = 0, connIdLength = 0;
  std::span<const std::uint8_t> cert, specs, connId;
  if (!r.u8(hit) || !r.u8(h.certificateType) || !r.u16(h.legacyVersion) || !r.u16(certLength) ||
      !r.u16(specsLength) || !r.u16(connIdLength) || !r.bytes(certLength, cert) ||
      !r.bytes(specsLength, specs) || !r.bytes(connIdLength, connId))
    return fail(HelloOutcome::Malformed, "SSLv2 SERVER-HELLO fields overrun the record");
  if (specsLength % 3 != 0)
    return fail(HelloOutcome::Malformed, "SSLv2 cipher specs not a multiple of 3 bytes");
  h.sessionIdHit = hit != 0;
  h.certificate.assign(cert.begin(), cert.end());
  h.connectionId.assign(connId.begin(), connId.end());
  for (std::size_t i = 0; i < specs.size(); i += 3)
    h.sslv2CipherSpecs.push_back(std::uint32_t{specs[i]} << 16 | std::uint32_t{specs[i + 1]} << 8 |
                                 specs[i + 2]);
  h.version = h.legacyVersion;
  h.outcome = HelloOutcome::Accepted;
  return h;
}

}  // namespace

std::string_view toString(HelloOutcome outcome) {
  switch (outcome) {
    case HelloOutcome::Accepted:
      return "accepted";
    case HelloOutcome::Rejected:
      return "rejected";
    case HelloOutcome::NotTls:
      return "not_tls";
    case HelloOutcome::Incomplete:
      return "incomplete";
    case HelloOutcome::Malformed:
      return "malformed";
  }
  return "malformed";
}

std::string_view alertName(std::uint8_t description) {
  switch (description) {
    case 0:
      return "close_notify";
    case 10:
      return "unexpected_message";
    case 20:
      return "bad_record_mac";
    case 22:
      return "record_overflow";
    case 40:
      return "handshake_failure";
    case 42:
      return "bad_certificate";
    case 47:
      return "illegal_parameter";
    case 50:
      return "decode_error";
    case 51:
      return "decrypt_error";
    case 70:
      return "protocol_version";
    case 71:
      return "insufficient_security";
    case 80:
      return "internal_error";
    case 86:
      return "inappropriate_fallback";
    case 90:
      return "user_canceled";
    case 109:
      return "missing_extension";
    case 110:
      return "unsupported_extension";
    case 112:
      return "unrecognized_name";
    case 120:
      return "no_application_protocol";
    default:
      return "other";
  }
}

const HelloExtension* ServerHello::extension(std::uint16_t type) const {
  for (const auto& e : extensions)
    if (e.type == type) return &e;
  return nullptr;
}

ServerHello parseServerHello(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return incomplete(1);
  if (bytes[0] & 0x80) return parseSslv2(bytes);
  return parseTlsRecords(bytes);
}

}  // namespace mh::tls
