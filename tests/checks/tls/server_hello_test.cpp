// Tests for checks/tls/server_hello.cpp on crafted server replies (SSLv3, RC4, 3DES, TLS 1.2,
// TLS 1.3, alerts, SSLv2, split records, truncation, garbage).
#include "checks/tls/server_hello.hpp"

#include <gtest/gtest.h>

#include <random>

#include "checks/tls/cipher_suites.hpp"
#include "tests/checks/tls/tls_bytes.hpp"

namespace mh::tls {
namespace {

using namespace mh::tls::testing;

ServerHello parse(const Bytes& b) {
  return parseServerHello(b);
}

TEST(ServerHelloParser, Sslv3ChoosingRc4) {
  // An SSLv3 server: record and hello version 3.0, no extensions block at all (RFC 6101 §5.6.1.2).
  const auto h = parse(serverHelloRecord(0x0300, 0x0005, {}, /*withExtBlock=*/false));
  ASSERT_EQ(h.outcome, HelloOutcome::Accepted) << h.error;
  EXPECT_EQ(h.recordVersion, 0x0300);
  EXPECT_EQ(h.legacyVersion, 0x0300);
  EXPECT_EQ(h.version, static_cast<std::uint16_t>(ProtocolVersion::SslV3));
  EXPECT_EQ(h.cipherSuite, 0x0005);
  EXPECT_EQ(findCipherSuite(h.cipherSuite)->name, "TLS_RSA_WITH_RC4_128_SHA");
  EXPECT_EQ(h.sessionId.size(), 32u);
  EXPECT_EQ(h.random[0], 0x10);
  EXPECT_EQ(h.random[31], 0x10 + 31);
  EXPECT_TRUE(h.extensions.empty());
  EXPECT_FALSE(h.sslv2);
}

TEST(ServerHelloParser, Tls10ChoosingRc4Md5) {
  const auto h = parse(serverHelloRecord(0x0301, 0x0004, {{kExtRenegotiationInfo, {0}}}));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.version, 0x0301);
  EXPECT_EQ(h.cipherSuite, 0x0004);
  EXPECT_EQ(findCipherSuite(h.cipherSuite)->cipher, Cipher::Rc4_128);
  EXPECT_TRUE(h.secureRenegotiation);
}

TEST(ServerHelloParser, Tls12ChoosingEcdheRc4) {
  const auto h = parse(serverHelloRecord(0x0303, 0xC011));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(findCipherSuite(h.cipherSuite)->name, "TLS_ECDHE_RSA_WITH_RC4_128_SHA");
}

TEST(ServerHelloParser, ChoosingTripleDes) {
  for (std::uint16_t suite : {0x000A, 0xC012, 0x0016}) {
    const auto h = parse(serverHelloRecord(0x0301, suite, {{kExtEcPointFormats, {1, 0}}}));
    ASSERT_TRUE(h.accepted()) << h.error;
    EXPECT_EQ(h.cipherSuite, suite);
    EXPECT_EQ(findCipherSuite(h.cipherSuite)->cipher, Cipher::TripleDes);
    EXPECT_EQ(findCipherSuite(h.cipherSuite)->level, NcscLevel::Insufficient);
  }
  // SSLv3 with 3DES, the classic old-MTA answer.
  const auto h = parse(serverHelloRecord(0x0300, 0x000A, {}, false));
  ASSERT_TRUE(h.accepted());
  EXPECT_EQ(h.version, 0x0300);
  EXPECT_EQ(h.cipherSuite, 0x000A);
}

TEST(ServerHelloParser, Tls12AesGcm) {
  const auto h = parse(serverHelloRecord(0x0303, 0xC02F,
                                         {{kExtRenegotiationInfo, {0}},
                                          {kExtEcPointFormats, {1, 0}},
                                          {kExtExtendedMasterSecret, {}}}));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.version, static_cast<std::uint16_t>(ProtocolVersion::Tls12));
  EXPECT_EQ(h.cipherSuite, 0xC02F);
  EXPECT_EQ(h.compression, 0);
  ASSERT_EQ(h.extensions.size(), 3u);
  ASSERT_NE(h.extension(kExtExtendedMasterSecret), nullptr);
  EXPECT_TRUE(h.extension(kExtExtendedMasterSecret)->data.empty());
  EXPECT_EQ(h.extension(kExtServerName), nullptr);
  EXPECT_FALSE(h.selectedVersion.has_value());
  EXPECT_FALSE(h.helloRetryRequest);
}

TEST(ServerHelloParser, Tls13BySupportedVersions) {
  Bytes keyShare;
  put16(keyShare, 0x001D);  // x25519
  put16(keyShare, 32);
  keyShare.insert(keyShare.end(), 32, 0x42);
  // RFC 8446 §4.1.3: legacy_version 0x0303, real version in supported_versions; record 0x0303.
  const auto h = parse(serverHelloRecord(
      0x0303, 0x1302, {{kExtSupportedVersions, {0x03, 0x04}}, {kExtKeyShare, keyShare}}));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.legacyVersion, 0x0303);
  EXPECT_EQ(h.selectedVersion, 0x0304);
  EXPECT_EQ(h.version, static_cast<std::uint16_t>(ProtocolVersion::Tls13));
  EXPECT_EQ(h.keyShareGroup, 0x001D);
  EXPECT_EQ(findCipherSuite(h.cipherSuite)->level, NcscLevel::Good);
}

TEST(ServerHelloParser, HelloRetryRequest) {
  Bytes msg = serverHelloMessage(
      0x0303, 0x1301, {{kExtSupportedVersions, {0x03, 0x04}}, {kExtKeyShare, {0x00, 0x17}}});
  const std::uint8_t hrr[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
  std::copy(std::begin(hrr), std::end(hrr), msg.begin() + 6);
  const auto h = parse(handshakeRecord(0x0303, msg));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_TRUE(h.helloRetryRequest);
  EXPECT_EQ(h.version, 0x0304);
  EXPECT_EQ(h.keyShareGroup, 0x0017);
}

TEST(ServerHelloParser, AlertHandshakeFailure) {
  const auto h = parse(alertRecord(0x0303, kAlertFatal, kAlertHandshakeFailure));
  EXPECT_EQ(h.outcome, HelloOutcome::Rejected);
  EXPECT_FALSE(h.accepted());
  EXPECT_EQ(h.alertLevel, kAlertFatal);
  EXPECT_EQ(h.alertDescription, kAlertHandshakeFailure);
  EXPECT_EQ(alertName(h.alertDescription), "handshake_failure");
  EXPECT_EQ(h.recordVersion, 0x0303);
}

TEST(ServerHelloParser, AlertProtocolVersion) {
  // OpenSSL answers an SSLv3 hello it will not speak with a 3.0 record carrying protocol_version.
  const auto h = parse(alertRecord(0x0300, kAlertFatal, kAlertProtocolVersion));
  EXPECT_EQ(h.outcome, HelloOutcome::Rejected);
  EXPECT_EQ(h.alertDescription, kAlertProtocolVersion);
  EXPECT_EQ(alertName(h.alertDescription), "protocol_version");
  EXPECT_EQ(toString(h.outcome), "rejected");
}

TEST(ServerHelloParser, WarningAlertBeforeHelloIsSkipped) {
  const auto bytes = cat({alertRecord(0x0303, kAlertWarning, kAlertUnrecognizedName),
                          serverHelloRecord(0x0303, 0xC030)});
  const auto h = parse(bytes);
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.cipherSuite, 0xC030);
  // A warning close_notify ends the exchange.
  EXPECT_EQ(parse(alertRecord(0x0303, kAlertWarning, 0)).outcome, HelloOutcome::Rejected);
  // A warning alone: wait for more.
  EXPECT_EQ(parse(alertRecord(0x0303, kAlertWarning, kAlertUnrecognizedName)).outcome,
            HelloOutcome::Incomplete);
}

TEST(ServerHelloParser, Sslv2ServerHello) {
  const auto h = parse(sslv2ServerHello({0x010080, 0x0700C0, 0x020080}));
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_TRUE(h.sslv2);
  EXPECT_EQ(h.version, static_cast<std::uint16_t>(ProtocolVersion::SslV2));
  ASSERT_EQ(h.sslv2CipherSpecs.size(), 3u);
  EXPECT_EQ(h.sslv2CipherSpecs[1], 0x0700C0u);
  EXPECT_EQ(findSslv2CipherKind(h.sslv2CipherSpecs[0])->name, "SSL_CK_RC4_128_WITH_MD5");
  EXPECT_EQ(h.certificate.size(), 40u);
  EXPECT_EQ(h.connectionId.size(), 16u);
  EXPECT_EQ(h.certificateType, 1);
  EXPECT_FALSE(h.sessionIdHit);
}

TEST(ServerHelloParser, Sslv2Error) {
  const auto h = parse(Bytes{0x80, 0x03, 0x00, 0x00, 0x01});  // NO-CIPHER-ERROR
  EXPECT_EQ(h.outcome, HelloOutcome::Rejected);
  EXPECT_TRUE(h.sslv2);
  EXPECT_EQ(h.sslv2ErrorCode, 1);
}

TEST(ServerHelloParser, Sslv2BadSpecsLength) {
  Bytes b = sslv2ServerHello({0x010080});
  b[10] = 0;  // cipher_specs_length 3 -> 2: not a multiple of 3, and the lengths no longer fit
  b[11] = 2;
  EXPECT_EQ(parse(b).outcome, HelloOutcome::Malformed);
}

TEST(ServerHelloParser, HelloSplitOverTwoRecords) {
  const Bytes msg = serverHelloMessage(0x0303, 0xC02B, {{kExtRenegotiationInfo, {0}}});
  const Bytes first(msg.begin(), msg.begin() + 7), second(msg.begin() + 7, msg.end());
  const auto bytes = cat({handshakeRecord(0x0303, first), handshakeRecord(0x0303, second)});
  const auto h = parse(bytes);
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.cipherSuite, 0xC02B);
  EXPECT_TRUE(h.secureRenegotiation);

  // Only the first record: incomplete, and at least another record header plus the rest needed.
  const auto partial = parse(handshakeRecord(0x0303, first));
  EXPECT_EQ(partial.outcome, HelloOutcome::Incomplete);
  EXPECT_EQ(partial.need, 5 + second.size());

  // Split even inside the 4-byte handshake header.
  const Bytes a(msg.begin(), msg.begin() + 2), b(msg.begin() + 2, msg.end());
  EXPECT_TRUE(parse(cat({handshakeRecord(0x0303, a), handshakeRecord(0x0303, b)})).accepted());
}

TEST(ServerHelloParser, SeveralMessagesInOneRecordWithTrailingFlight) {
  // ServerHello + a Certificate header + ServerHelloDone in one record, then more records.
  const Bytes msgs =
      cat({serverHelloMessage(0x0303, 0x009C), Bytes{11, 0, 0, 3, 0, 0, 0}, Bytes{14, 0, 0, 0}});
  const auto bytes = cat({handshakeRecord(0x0303, msgs), record(23, 0x0303, Bytes(10, 0x77))});
  const auto h = parse(bytes);
  ASSERT_TRUE(h.accepted()) << h.error;
  EXPECT_EQ(h.cipherSuite, 0x009C);
  // HelloRequest before the ServerHello is skipped.
  EXPECT_TRUE(
      parse(handshakeRecord(0x0303, cat({Bytes{0, 0, 0, 0}, serverHelloMessage(0x0303, 0x2F)})))
          .accepted());
}

TEST(ServerHelloParser, TruncatedAtEveryLengthIsIncomplete) {
  const Bytes tls13 = serverHelloMessage(0x0303, 0x1301, {{kExtSupportedVersions, {3, 4}}});
  const std::vector<Bytes> inputs = {
      serverHelloRecord(0x0303, 0xC02F, {{kExtRenegotiationInfo, {0}}}),
      serverHelloRecord(0x0300, 0x0005, {}, false),
      alertRecord(0x0301, kAlertFatal, kAlertHandshakeFailure),
      sslv2ServerHello({0x010080, 0x0700C0}),
      cat({handshakeRecord(0x0303, Bytes(tls13.begin(), tls13.begin() + 3)),
           handshakeRecord(0x0303, Bytes(tls13.begin() + 3, tls13.end()))}),
  };
  for (const auto& full : inputs) {
    ASSERT_NE(parse(full).outcome, HelloOutcome::Incomplete);
    for (std::size_t n = 0; n < full.size(); ++n) {
      const Bytes prefix(full.begin(), full.begin() + n);
      const auto h = parse(prefix);
      EXPECT_EQ(h.outcome, HelloOutcome::Incomplete) << "length " << n << ": " << h.error;
      EXPECT_GE(h.need, 1u);
      EXPECT_LE(n + h.need, full.size()) << "length " << n;
    }
  }
}

TEST(ServerHelloParser, MalformedInputs) {
  // Extension block length not matching the message.
  Bytes b = serverHelloRecord(0x0303, 0xC02F, {{kExtRenegotiationInfo, {0}}});
  b[b.size() - 6] = 0x09;
  EXPECT_EQ(parse(b).outcome, HelloOutcome::Malformed);
  // Session id longer than 32.
  EXPECT_EQ(parse(handshakeRecord(0x0303, serverHelloMessage(0x0303, 0x2F, {}, true, Bytes(33, 1))))
                .outcome,
            HelloOutcome::Malformed);
  // First handshake message is a Certificate.
  EXPECT_EQ(parse(handshakeRecord(0x0303, Bytes{11, 0, 0, 1, 0})).outcome, HelloOutcome::Malformed);
  // Duplicate extension.
  EXPECT_EQ(parse(serverHelloRecord(0x0303, 0x2F,
                                    {{kExtEcPointFormats, {1, 0}}, {kExtEcPointFormats, {1, 0}}}))
                .outcome,
            HelloOutcome::Malformed);
  // supported_versions of the wrong size.
  EXPECT_EQ(parse(serverHelloRecord(0x0303, 0x1301, {{kExtSupportedVersions, {3}}})).outcome,
            HelloOutcome::Malformed);
  // Application data before the hello; an empty handshake record; a huge record.
  EXPECT_EQ(parse(record(23, 0x0303, Bytes{1})).outcome, HelloOutcome::Malformed);
  EXPECT_EQ(parse(Bytes{22, 3, 3, 0, 0}).outcome, HelloOutcome::Malformed);
  EXPECT_EQ(parse(Bytes{22, 3, 3, 0xFF, 0xFF}).outcome, HelloOutcome::Malformed);
  // Alert with a bad level or too short.
  EXPECT_EQ(parse(alertRecord(0x0303, 7, 40)).outcome, HelloOutcome::Malformed);
  EXPECT_EQ(parse(record(21, 0x0303, Bytes{2})).outcome, HelloOutcome::Malformed);
  // A second record that is not TLS.
  EXPECT_EQ(parse(cat({handshakeRecord(0x0303, Bytes{2, 0}), Bytes{'2', '2', '0'}})).outcome,
            HelloOutcome::Malformed);
  // ServerHello version not 3.x.
  EXPECT_EQ(parse(serverHelloRecord(0x0303, 0x2F)).outcome, HelloOutcome::Accepted);
  Bytes v = serverHelloRecord(0x0303, 0x2F);
  v[9] = 0x7F;
  EXPECT_EQ(parse(v).outcome, HelloOutcome::Malformed);
}

TEST(ServerHelloParser, NotTls) {
  const std::string smtp = "454 4.7.0 TLS not available\r\n";
  EXPECT_EQ(parse(Bytes(smtp.begin(), smtp.end())).outcome, HelloOutcome::NotTls);
  EXPECT_EQ(parse(Bytes{0x16, 0x47}).outcome, HelloOutcome::NotTls);  // version byte not 3
  EXPECT_EQ(parse(Bytes{}).outcome, HelloOutcome::Incomplete);
  EXPECT_EQ(parse(Bytes{}).need, 1u);
}

TEST(ServerHelloParser, RandomGarbageNeverCrashes) {
  std::mt19937 rng(20251121);
  std::size_t outcomes[5] = {};
  for (int i = 0; i < 20000; ++i) {
    Bytes b(rng() % 200);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    // Bias half the inputs towards plausible TLS headers so the deep paths are reached.
    if (i % 2 == 0 && b.size() >= 9) {
      b[0] = 22;
      b[1] = 3;
      b[5] = 2;
      b[6] = 0;
    }
    const auto h = parse(b);
    ++outcomes[static_cast<int>(h.outcome)];
    if (h.outcome == HelloOutcome::Incomplete) {
      EXPECT_GE(h.need, 1u);
    }
  }
  EXPECT_GT(outcomes[static_cast<int>(HelloOutcome::Malformed)], 0u);
  EXPECT_GT(outcomes[static_cast<int>(HelloOutcome::NotTls)], 0u);
  // Mutations of a valid hello: flip one byte at every position.
  const Bytes valid = serverHelloRecord(0x0303, 0xC02F, {{kExtRenegotiationInfo, {0}}});
  for (std::size_t i = 0; i < valid.size(); ++i)
    for (std::uint8_t x : {0x00, 0x01, 0x7F, 0x80, 0xFF}) {
      Bytes m = valid;
      m[i] = x;
      (void)parse(m);
    }
}

}  // namespace
}  // namespace mh::tls
