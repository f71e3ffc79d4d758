// Tests for checks/tls/client_hello.cpp: the built records parse back with consistent lengths.
#include "checks/tls/client_hello.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>

namespace mh::tls {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint16_t be16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

// A strict mini-parser of one ClientHello record (RFC 5246 §7.4.1.2), failing the test on any
// inconsistency.
struct ParsedHello {
  std::uint16_t recordVersion = 0;
  std::uint16_t version = 0;
  Bytes random;
  Bytes sessionId;
  std::vector<std::uint16_t> suites;
  Bytes compression;
  std::optional<std::map<std::uint16_t, Bytes>> extensions;  // nullopt: no extensions block
  std::size_t messageLength = 0;
};

ParsedHello parseClientHello(const Bytes& b) {
  ParsedHello p;
  EXPECT_GE(b.size(), 5u);
  EXPECT_EQ(b.at(0), 22);
  p.recordVersion = be16(b, 1);
  EXPECT_EQ(be16(b, 3), b.size() - 5) << "record length";
  EXPECT_EQ(b.at(5), 1) << "handshake type client_hello";
  p.messageLength = std::size_t{b.at(6)} << 16 | std::size_t{b.at(7)} << 8 | b.at(8);
  EXPECT_EQ(p.messageLength, b.size() - 9) << "handshake length";
  std::size_t at = 9;
  p.version = be16(b, at);
  at += 2;
  p.random.assign(b.begin() + at, b.begin() + at + 32);
  at += 32;
  const std::size_t sid = b.at(at++);
  p.sessionId.assign(b.begin() + at, b.begin() + at + sid);
  at += sid;
  const std::size_t suitesLength = be16(b, at);
  at += 2;
  EXPECT_EQ(suitesLength % 2, 0u);
  for (std::size_t i = 0; i < suitesLength; i += 2) p.suites.push_back(be16(b, at + i));
  at += suitesLength;
  const std::size_t compLength = b.at(at++);
  p.compression.assign(b.begin() + at, b.begin() + at + compLength);
  at += compLength;
  if (at == b.size()) return p;
  const std::size_t extLength = be16(b, at);
  at += 2;
  EXPECT_EQ(extLength, b.size() - at) << "extensions length";
  p.extensions.emplace();
  while (at + 4 <= b.size()) {
    const std::uint16_t type = be16(b, at), length = be16(b, at + 2);
    at += 4;
    EXPECT_LE(at + length, b.size());
    EXPECT_EQ(p.extensions->count(type), 0u) << "duplicate extension " << type;
    (*p.extensions)[type] = Bytes(b.begin() + at, b.begin() + at + length);
    at += length;
  }
  EXPECT_EQ(at, b.size());
  return p;
}

ClientHelloSpec specFor(ProtocolVersion v, std::string sni = "mx.lab.test") {
  ClientHelloSpec s;
  s.version = v;
  s.sni = std::move(sni);
  for (std::size_t i = 0; i < s.random.size(); ++i) s.random[i] = static_cast<std::uint8_t>(i + 1);
  return s;
}

TEST(ClientHello, Tls12) {
  const auto bytes = buildClientHello(specFor(ProtocolVersion::Tls12));
  const auto p = parseClientHello(bytes);
  EXPECT_EQ(p.recordVersion, 0x0301);
  EXPECT_EQ(p.version, 0x0303);
  EXPECT_EQ(p.random[0], 1);
  EXPECT_EQ(p.random[31], 32);
  EXPECT_TRUE(p.sessionId.empty());
  EXPECT_EQ(p.compression, Bytes{0});
  auto expected = suitesFor(ProtocolVersion::Tls12);
  expected.push_back(kRenegotiationInfoScsv);
  EXPECT_EQ(p.suites, expected);
  ASSERT_TRUE(p.extensions.has_value());
  const auto& ext = *p.extensions;
  // server_name: list length, host_name type 0, name length, name.
  const Bytes sni = ext.at(0);
  EXPECT_EQ(be16(sni, 0), sni.size() - 2);
  EXPECT_EQ(sni.at(2), 0);
  EXPECT_EQ(std::string(sni.begin() + 5, sni.end()), "mx.lab.test");
  EXPECT_EQ(ext.at(11), (Bytes{1, 0}));
  const Bytes groups = ext.at(10);
  EXPECT_EQ(be16(groups, 0), groups.size() - 2);
  EXPECT_EQ(be16(groups, 2), kGroupX25519);
  const Bytes sigs = ext.at(13);
  EXPECT_EQ(be16(sigs, 0), sigs.size() - 2);
  EXPECT_EQ(ext.count(43), 0u);
  EXPECT_EQ(ext.count(51), 0u);
  EXPECT_GE(p.messageLength, 512u);  // padded past the 256-511 byte range (RFC 7685)
}

TEST(ClientHello, Tls10AndTls11HaveNoSignatureAlgorithms) {
  for (auto v : {ProtocolVersion::Tls10, ProtocolVersion::Tls11}) {
    const auto p = parseClientHello(buildClientHello(specFor(v)));
    EXPECT_EQ(p.version, static_cast<std::uint16_t>(v));
    EXPECT_EQ(p.recordVersion, 0x0301);
    ASSERT_TRUE(p.extensions.has_value());
    EXPECT_EQ(p.extensions->count(13), 0u);
    EXPECT_EQ(p.extensions->count(0), 1u);
    EXPECT_EQ(p.suites.back(), kRenegotiationInfoScsv);
  }
}

TEST(ClientHello, Sslv3HasNoExtensions) {
  ClientHelloSpec s = specFor(ProtocolVersion::SslV3);
  s.suites = {0x0005, 0x000A};
  const auto p = parseClientHello(buildClientHello(s));
  EXPECT_EQ(p.recordVersion, 0x0300);
  EXPECT_EQ(p.version, 0x0300);
  EXPECT_EQ(p.suites, (std::vector<std::uint16_t>{0x0005, 0x000A, kRenegotiationInfoScsv}));
  EXPECT_FALSE(p.extensions.has_value());
}

TEST(ClientHello, Tls13) {
  const auto p = parseClientHello(buildClientHello(specFor(ProtocolVersion::Tls13)));
  EXPECT_EQ(p.recordVersion, 0x0301);
  EXPECT_EQ(p.version, 0x0303);  // legacy_version
  EXPECT_EQ(p.sessionId.size(), 32u);
  EXPECT_EQ(p.suites, suitesFor(ProtocolVersion::Tls13));
  ASSERT_TRUE(p.extensions.has_value());
  EXPECT_EQ(p.extensions->at(43), (Bytes{2, 3, 4}));
  const Bytes share = p.extensions->at(51);
  EXPECT_EQ(be16(share, 0), share.size() - 2);
  EXPECT_EQ(be16(share, 2), kGroupX25519);
  EXPECT_EQ(be16(share, 4), 32);
  EXPECT_EQ(p.extensions->count(13), 1u);
}

TEST(ClientHello, SniOmittedForIpLiteralsAndEmpty) {
  for (const char* name : {"", "192.0.2.25", "2001:db8::25"}) {
    const auto p = parseClientHello(buildClientHello(specFor(ProtocolVersion::Tls12, name)));
    ASSERT_TRUE(p.extensions.has_value());
    EXPECT_EQ(p.extensions->count(0), 0u) << name;
  }
}

TEST(ClientHello, ChosenSuitesInOrderAndNoScsvWhenAsked) {
  ClientHelloSpec s = specFor(ProtocolVersion::Tls12);
  s.suites = {0xC011, 0x0005, 0x0004};
  s.renegotiationScsv = false;
  const auto bytes = buildClientHello(s);
  const auto p = parseClientHello(bytes);
  EXPECT_EQ(p.suites, s.suites);
  EXPECT_EQ(buildClientHello(s), bytes);  // pure
}

TEST(ClientHello, ManySuitesStayOneConsistentRecord) {
  ClientHelloSpec s = specFor(ProtocolVersion::Tls12);
  for (std::uint16_t c = 1; c < 3000; ++c) s.suites.push_back(c);
  const auto bytes = buildClientHello(s);
  ASSERT_LE(bytes.size() - 5, 16384u);
  const auto p = parseClientHello(bytes);
  EXPECT_EQ(p.suites.size(), 3000u);
}

TEST(ClientHello, Sslv2) {
  const auto b = buildClientHello(specFor(ProtocolVersion::SslV2));
  ASSERT_GE(b.size(), 11u);
  EXPECT_EQ(b[0] & 0x80, 0x80);
  const std::size_t length = std::size_t{b[0] & 0x7Fu} << 8 | b[1];
  EXPECT_EQ(length, b.size() - 2);
  EXPECT_EQ(b[2], 1);  // CLIENT-HELLO
  EXPECT_EQ(be16(b, 3), 0x0002);
  const std::size_t specs = be16(b, 5), sid = be16(b, 7), challenge = be16(b, 9);
  EXPECT_EQ(specs, allSslv2CipherKinds().size() * 3);
  EXPECT_EQ(sid, 0u);
  EXPECT_EQ(challenge, 16u);
  EXPECT_EQ(11 + specs + sid + challenge, b.size());
  EXPECT_EQ(std::uint32_t{b[11]} << 16 | std::uint32_t{b[12]} << 8 | b[13], 0x010080u);
  EXPECT_EQ(b[11 + specs], 1);  // challenge = random[0..16)
}

}  // namespace
}  // namespace mh::tls
