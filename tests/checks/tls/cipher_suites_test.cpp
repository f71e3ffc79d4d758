// Tests for checks/tls/cipher_suites.cpp: table lookups, NCSC-NL 2025-05 levels, probe groups.
#include "checks/tls/cipher_suites.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace mh::tls {
namespace {

struct LevelCase {
  std::uint16_t code;
  NcscLevel level;
};

// One row per line of guidance.md §2.3 (NCSC-NL 2025-05 column).
const LevelCase kLevels[] = {
    {0x1302, NcscLevel::Good},          // TLS 1.3 AES-256-GCM
    {0x1303, NcscLevel::Good},          // TLS 1.3 CHACHA20
    {0x1301, NcscLevel::Sufficient},    // TLS 1.3 AES-128-GCM
    {0x1304, NcscLevel::Sufficient},    // TLS 1.3 AES-128-CCM
    {0x1305, NcscLevel::Insufficient},  // TLS 1.3 CCM_8
    {0xC02F, NcscLevel::Sufficient},    // ECDHE-RSA AES-128-GCM
    {0xC02C, NcscLevel::Sufficient},    // ECDHE-ECDSA AES-256-GCM
    {0xCCA8, NcscLevel::Sufficient},    // ECDHE-RSA CHACHA20
    {0xC0AC, NcscLevel::Sufficient},    // ECDHE-ECDSA AES-128-CCM
    {0xC027, NcscLevel::PhaseOut},      // ECDHE CBC-SHA256
    {0xC028, NcscLevel::PhaseOut},      // ECDHE CBC-SHA384
    {0x006B, NcscLevel::PhaseOut},      // DHE CBC-SHA256
    {0x009E, NcscLevel::PhaseOut},      // DHE + AEAD
    {0xCCAA, NcscLevel::PhaseOut},      // DHE + CHACHA20
    {0xC08A, NcscLevel::PhaseOut},      // ECDHE CAMELLIA-GCM
    {0xC061, NcscLevel::PhaseOut},      // ECDHE ARIA-GCM
    {0x00BE, NcscLevel::PhaseOut},      // DHE CAMELLIA CBC-SHA256
    {0xC013, NcscLevel::Insufficient},  // ECDHE CBC-SHA1
    {0x0039, NcscLevel::Insufficient},  // DHE CBC-SHA1
    {0x0088, NcscLevel::Insufficient},  // DHE CAMELLIA CBC-SHA1
    {0x009C, NcscLevel::Insufficient},  // static RSA AES-GCM
    {0x002F, NcscLevel::Insufficient},  // static RSA CBC
    {0x000A, NcscLevel::Insufficient},  // 3DES
    {0xC012, NcscLevel::Insufficient},  // ECDHE 3DES
    {0x0005, NcscLevel::Insufficient},  // RC4
    {0xC011, NcscLevel::Insufficient},  // ECDHE RC4
    {0xC010, NcscLevel::Insufficient},  // NULL
    {0x0003, NcscLevel::Insufficient},  // EXPORT
    {0x0034, NcscLevel::Insufficient},  // DH_anon
    {0xC018, NcscLevel::Insufficient},  // ECDH_anon
    {0xC0AE, NcscLevel::Insufficient},  // ECDHE CCM_8
    {0xC0A2, NcscLevel::Insufficient},  // DHE CCM_8
    {0x0015, NcscLevel::Insufficient},  // DES
    {0x0007, NcscLevel::Insufficient},  // IDEA
    {0x009A, NcscLevel::Insufficient},  // SEED
    {0xC02D, NcscLevel::Insufficient},  // static ECDH
    {0x00A2, NcscLevel::Insufficient},  // DHE-DSS AEAD (DSA not listed)
};

TEST(CipherSuites, LevelsFollowNcsc2025Table) {
  for (const auto& c : kLevels) {
    const CipherSuite* s = findCipherSuite(c.code);
    ASSERT_NE(s, nullptr) << std::hex << c.code;
    EXPECT_EQ(s->level, c.level) << s->name;
    EXPECT_EQ(classify(*s), c.level) << s->name;
  }
}

TEST(CipherSuites, LevelsAreOrderedBestToWorst) {
  EXPECT_LT(NcscLevel::Good, NcscLevel::Sufficient);
  EXPECT_LT(NcscLevel::Sufficient, NcscLevel::PhaseOut);
  EXPECT_LT(NcscLevel::PhaseOut, NcscLevel::Insufficient);
  EXPECT_EQ(std::max(NcscLevel::Sufficient, NcscLevel::PhaseOut), NcscLevel::PhaseOut);
  EXPECT_EQ(toString(NcscLevel::PhaseOut), "phase_out");
}

TEST(CipherSuites, ProtocolLevels) {
  EXPECT_EQ(classify(ProtocolVersion::Tls13), NcscLevel::Good);
  EXPECT_EQ(classify(ProtocolVersion::Tls12), NcscLevel::Sufficient);
  EXPECT_EQ(classify(ProtocolVersion::Tls11), NcscLevel::Insufficient);
  EXPECT_EQ(classify(ProtocolVersion::Tls10), NcscLevel::Insufficient);
  EXPECT_EQ(classify(ProtocolVersion::SslV3), NcscLevel::Insufficient);
  EXPECT_EQ(classify(ProtocolVersion::SslV2), NcscLevel::Insufficient);
  EXPECT_EQ(versionName(ProtocolVersion::Tls12), "TLSv1.2");
  EXPECT_EQ(versionName(std::uint16_t{0x0300}), "SSLv3");
  EXPECT_EQ(versionName(std::uint16_t{0x7F1C}), "unknown");
}

TEST(CipherSuites, FieldsOfKnownSuites) {
  const CipherSuite* s = findCipherSuite(0xC030);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  EXPECT_EQ(s->kx, KeyExchange::Ecdhe);
  EXPECT_EQ(s->auth, Authentication::Rsa);
  EXPECT_EQ(s->cipher, Cipher::Aes256);
  EXPECT_EQ(s->mode, CipherMode::Gcm);
  EXPECT_EQ(s->mac, Mac::Aead);
  EXPECT_TRUE(s->forwardSecrecy);
  EXPECT_FALSE(s->exportGrade);

  s = findCipherSuite(0x0004);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "TLS_RSA_WITH_RC4_128_MD5");
  EXPECT_FALSE(s->forwardSecrecy);
  EXPECT_EQ(s->mode, CipherMode::Stream);

  s = findCipherSuite(0x0018);  // anon is ephemeral DH, but not forward secret to a client
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->forwardSecrecy);

  EXPECT_EQ(findCipherSuite(0x1337), nullptr);
  EXPECT_EQ(findCipherSuite(kRenegotiationInfoScsv), nullptr);  // signalling, not a suite
  EXPECT_EQ(findCipherSuite(0xFFFF), nullptr);
  EXPECT_TRUE(findCipherSuite(0x0000) != nullptr);
}

TEST(CipherSuites, TableIsUniqueAndNamesMatchParts) {
  std::set<std::uint16_t> codes;
  std::set<std::string_view> names;
  for (const auto& s : allCipherSuites()) {
    EXPECT_TRUE(codes.insert(s.code).second) << s.name;
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_EQ(findCipherSuite(s.code), &s);
    const std::string n(s.name);
    if (n.find("_GCM") != std::string::npos) {
      EXPECT_EQ(s.mode, CipherMode::Gcm) << n;
    }
    if (n.find("CCM_8") != std::string::npos) {
      EXPECT_EQ(s.mode, CipherMode::Ccm8) << n;
    }
    if (n.find("3DES") != std::string::npos) {
      EXPECT_EQ(s.cipher, Cipher::TripleDes) << n;
    }
    if (n.find("RC4") != std::string::npos) {
      EXPECT_EQ(s.mode, CipherMode::Stream) << n;
    }
    if (n.find("_anon_") != std::string::npos) {
      EXPECT_EQ(s.auth, Authentication::Anon) << n;
    }
    if (n.rfind("TLS_ECDHE_", 0) == 0) {
      EXPECT_EQ(s.kx, KeyExchange::Ecdhe) << n;
    }
    if (n.rfind("TLS_DHE_", 0) == 0) {
      EXPECT_EQ(s.kx, KeyExchange::Dhe) << n;
    }
    if (n.rfind("TLS_RSA_", 0) == 0) {
      EXPECT_EQ(s.kx, KeyExchange::Rsa) << n;
    }
    if (n.ends_with("_SHA")) {
      EXPECT_EQ(s.mac, Mac::Sha1) << n;
    }
    if (n.ends_with("_MD5")) {
      EXPECT_EQ(s.mac, Mac::Md5) << n;
    }
    if (s.level == NcscLevel::Good) {
      EXPECT_EQ(s.kx, KeyExchange::Tls13) << n;
    }
    if (s.level <= NcscLevel::PhaseOut) {
      EXPECT_TRUE(s.forwardSecrecy) << n;
    }
  }
  EXPECT_GT(codes.size(), 150u);
}

bool allOf(const std::vector<std::uint16_t>& codes, auto pred) {
  return !codes.empty() && std::all_of(codes.begin(), codes.end(), [&](std::uint16_t c) {
    const CipherSuite* s = findCipherSuite(c);
    return s != nullptr && pred(*s);
  });
}

TEST(CipherSuites, ProbeGroups) {
  auto has = [](const CipherSuite& s, const char* part) {
    return s.name.find(part) != std::string_view::npos;
  };
  EXPECT_TRUE(allOf(rc4Suites(), [&](const auto& s) { return has(s, "RC4"); }));
  EXPECT_TRUE(allOf(tripleDesSuites(), [&](const auto& s) { return has(s, "3DES"); }));
  EXPECT_TRUE(allOf(nullSuites(), [&](const auto& s) { return has(s, "WITH_NULL"); }));
  EXPECT_TRUE(allOf(exportSuites(), [&](const auto& s) { return has(s, "EXPORT"); }));
  EXPECT_TRUE(allOf(anonSuites(), [&](const auto& s) { return has(s, "_anon_"); }));
  EXPECT_TRUE(allOf(staticRsaSuites(), [&](const auto& s) {
    return s.name.starts_with("TLS_RSA_WITH_") && !has(s, "NULL");
  }));
  EXPECT_TRUE(allOf(cbcSha1Suites(), [&](const auto& s) {
    return (s.name.starts_with("TLS_ECDHE_") || s.name.starts_with("TLS_DHE_")) &&
           has(s, "_CBC_SHA") && s.name.ends_with("_SHA") && !has(s, "3DES");
  }));
  for (const auto& group : {rc4Suites(), tripleDesSuites(), nullSuites(), exportSuites(),
                            anonSuites(), staticRsaSuites(), cbcSha1Suites()})
    for (auto code : group) {
      EXPECT_NE(code, 0x0000);
      EXPECT_EQ(findCipherSuite(code)->level, NcscLevel::Insufficient) << std::hex << code;
    }
  const auto rc4 = rc4Suites();
  EXPECT_NE(std::find(rc4.begin(), rc4.end(), 0x0005), rc4.end());
  EXPECT_NE(std::find(rc4.begin(), rc4.end(), 0xC011), rc4.end());
  const auto des3 = tripleDesSuites();
  EXPECT_NE(std::find(des3.begin(), des3.end(), 0x000A), des3.end());
  const auto cbc = cbcSha1Suites();
  EXPECT_NE(std::find(cbc.begin(), cbc.end(), 0xC013), cbc.end());
}

TEST(CipherSuites, SuitesPerVersion) {
  const auto v13 = suitesFor(ProtocolVersion::Tls13);
  EXPECT_EQ(v13, (std::vector<std::uint16_t>{0x1302, 0x1303, 0x1301, 0x1304, 0x1305}));
  const auto v12 = suitesFor(ProtocolVersion::Tls12);
  EXPECT_NE(std::find(v12.begin(), v12.end(), 0xC02F), v12.end());
  EXPECT_EQ(std::find(v12.begin(), v12.end(), 0x1301), v12.end());
  EXPECT_EQ(std::find(v12.begin(), v12.end(), 0x0000), v12.end());
  const auto v10 = suitesFor(ProtocolVersion::Tls10);
  EXPECT_EQ(std::find(v10.begin(), v10.end(), 0xC02F), v10.end());  // GCM is TLS 1.2 only
  EXPECT_NE(std::find(v10.begin(), v10.end(), 0xC013), v10.end());
  EXPECT_EQ(suitesFor(ProtocolVersion::SslV3), v10);
  EXPECT_TRUE(suitesFor(ProtocolVersion::SslV2).empty());
  for (std::size_t i = 1; i < v12.size(); ++i)
    EXPECT_LE(findCipherSuite(v12[i - 1])->level, findCipherSuite(v12[i])->level);
}

TEST(CipherSuites, Sslv2Kinds) {
  EXPECT_EQ(allSslv2CipherKinds().size(), 7u);
  const auto* k = findSslv2CipherKind(0x0700C0);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->name, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
  EXPECT_EQ(k->cipher, Cipher::TripleDes);
  k = findSslv2CipherKind(0x020080);
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->exportGrade);
  EXPECT_EQ(findSslv2CipherKind(0x000000), nullptr);
}

}  // namespace
}  // namespace mh::tls
