// Test helpers: crafted TLS/SSLv2 server replies (ServerHello, Alert, SERVER-HELLO) as bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace mh::tls::testing {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

inline void put24(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Ext {
  std::uint16_t type;
  Bytes data;
};

// A ServerHello handshake message (type 2 + 24-bit length + body), RFC 5246 §7.4.1.3.
inline Bytes serverHelloMessage(std::uint16_t version, std::uint16_t suite,
                                std::vector<Ext> exts = {}, bool withExtBlock = true,
                                Bytes sessionId = Bytes(32, 0xAB)) {
  Bytes body;
  put16(body, version);
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x10 + i));
  body.push_back(static_cast<std::uint8_t>(sessionId.size()));
  body.insert(body.end(), sessionId.begin(), sessionId.end());
  put16(body, suite);
  body.push_back(0);  // compression null
  if (withExtBlock) {
    Bytes e;
    for (const auto& x : exts) {
      put16(e, x.type);
      put16(e, static_cast<std::uint16_t>(x.data.size()));
      e.insert(e.end(), x.data.begin(), x.data.end());
    }
    put16(body, static_cast<std::uint16_t>(e.size()));
    body.insert(body.end(), e.begin(), e.end());
  }
  Bytes msg{2};
  put24(msg, body.size());
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

// One TLS record of the given content type around `fragment`.
inline Bytes record(std::uint8_t type, std::uint16_t version, const Bytes& fragment) {
  Bytes r{type};
  put16(r, version);
  put16(r, static_cast<std::uint16_t>(fragment.size()));
  r.insert(r.end(), fragment.begin(), fragment.end());
  return r;
}

inline Bytes handshakeRecord(std::uint16_t version, const Bytes& fragment) {
  return record(22, version, fragment);
}

inline Bytes alertRecord(std::uint16_t version, std::uint8_t level, std::uint8_t description) {
  return record(21, version, Bytes{level, description});
}

// A complete server flight start: ServerHello in one record, as most servers send it.
inline Bytes serverHelloRecord(std::uint16_t version, std::uint16_t suite,
                               std::vector<Ext> exts = {}, bool withExtBlock = true) {
  return handshakeRecord(version,
                         serverHelloMessage(version, suite, std::move(exts), withExtBlock));
}

// SSLv2 SERVER-HELLO with a 2-byte record header (draft-hickman-netscape-ssl-00 §2.6).
inline Bytes sslv2ServerHello(std::vector<std::uint32_t> specs, Bytes cert = Bytes(40, 0x30),
                              Bytes connId = Bytes(16, 0xC1)) {
  Bytes body{4, 0 /*session id hit*/, 1 /*X.509*/};
  put16(body, 0x0002);
  put16(body, static_cast<std::uint16_t>(cert.size()));
  put16(body, static_cast<std::uint16_t>(specs.size() * 3));
  put16(body, static_cast<std::uint16_t>(connId.size()));
  body.insert(body.end(), cert.begin(), cert.end());
  for (auto s : specs) {
    body.push_back(static_cast<std::uint8_t>(s >> 16));
    body.push_back(static_cast<std::uint8_t>(s >> 8));
    body.push_back(static_cast<std::uint8_t>(s));
  }
  body.insert(body.end(), connId.begin(), connId.end());
  Bytes r{static_cast<std::uint8_t>(0x80 | (body.size() >> 8)),
          static_cast<std::uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

}  // namespace mh::tls::testing
