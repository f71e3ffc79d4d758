// Tests for checks/tls/certificate.cpp on certificates made with the openssl CLI at test time:
// trust as verified, name match (RFC 6125 wildcards), dates against an injected clock, key, hash.
#include "checks/tls/certificate.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
using namespace mh::tls::testing;
using Clock = std::chrono::system_clock;

CertificateData load(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = certificateFromPem(ss.str());
  EXPECT_TRUE(c.has_value()) << file;
  return c.value_or(CertificateData{});
}

// The chain as the prober would capture it: the leaf, verified now against the lab CA only.
CertificateFacts examine(std::string_view name, std::string_view host = kMxHost,
                         bool with_ca = true) {
  const std::vector<CertificateData> chain = {load(labPki().pem(name))};
  const long verify =
      verifyChainAt(chain, with_ca ? labPki().ca_file : std::string(), false, Clock::now());
  return examineCertificate(chain, verify, host);
}

class Certificate : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI"; }
};

TEST_F(Certificate, GoodLeafFromTheLabCa) {
  const auto f = examine("server");
  ASSERT_TRUE(f.parsed) << f.parse_error;
  EXPECT_EQ(f.trust, CertTrust::Trusted) << f.verify_error;
  EXPECT_EQ(f.verify_result, 0);
  EXPECT_TRUE(f.name_matches);
  EXPECT_EQ(f.dns_names, (std::vector<std::string>{kMxHost}));
  EXPECT_NE(f.subject.find(kMxHost), std::string::npos);
  EXPECT_NE(f.issuer.find("mailhygiene test CA"), std::string::npos);
  EXPECT_EQ(f.key_type, "EC");
  EXPECT_EQ(f.key_bits, 256);
  EXPECT_EQ(f.signature_hash, "SHA256");
  EXPECT_FALSE(f.self_signed);
  const auto j = judgeCertificate(f, Clock::now());
  EXPECT_EQ(j.key, KeyStrength::Good);
  EXPECT_EQ(j.signature, SignatureHash::Good);
  // Valid for 2 days: "expiring soon" today, expired in 3 days, not yet valid yesterday.
  EXPECT_EQ(j.dates, CertDates::ExpiringSoon);
  EXPECT_GE(j.days_left, 1);
  EXPECT_LE(j.days_left, 2);
  EXPECT_EQ(judgeCertificate(f, Clock::now() + 3 * 24h).dates, CertDates::Expired);
  EXPECT_LT(judgeCertificate(f, Clock::now() + 3 * 24h).days_left, 0);
  EXPECT_EQ(judgeCertificate(f, Clock::now() - 24h).dates, CertDates::NotYetValid);
  // With a 1-year validity seen from its first day, the dates are simply valid.
  CertificateFacts longLived = f;
  longLived.not_after = f.not_before + 365 * 86'400;
  EXPECT_EQ(judgeCertificate(longLived, Clock::now()).dates, CertDates::Valid);
}

TEST_F(Certificate, ExpiredIsStillTrustedChainButExpiredDates) {
  const std::vector<CertificateData> chain = {load(labPki().cert_file)};
  const auto later = Clock::now() + 5 * 24h;
  const long verify = verifyChainAt(chain, labPki().ca_file, false, later);
  EXPECT_EQ(verify, 10);  // X509_V_ERR_CERT_HAS_EXPIRED
  const auto f = examineCertificate(chain, verify, kMxHost);
  EXPECT_EQ(f.trust, CertTrust::Trusted);
  EXPECT_EQ(judgeCertificate(f, later).dates, CertDates::Expired);
}

TEST_F(Certificate, WithoutTheLabCaTheChainIsUntrusted) {
  const auto f = examine("server", kMxHost, false);
  EXPECT_EQ(f.trust, CertTrust::Untrusted);
  EXPECT_NE(f.verify_result, 0);
  EXPECT_FALSE(f.verify_error.empty());
}

TEST_F(Certificate, SelfSigned) {
  const auto f = examine("selfsigned");
  EXPECT_EQ(f.trust, CertTrust::SelfSigned) << f.verify_result << " " << f.verify_error;
  EXPECT_TRUE(f.self_signed);
  EXPECT_TRUE(f.name_matches);
}

TEST_F(Certificate, WrongName) {
  const auto f = examine("wrongname");
  EXPECT_EQ(f.trust, CertTrust::Trusted);
  EXPECT_FALSE(f.name_matches);
  EXPECT_EQ(f.dns_names, (std::vector<std::string>{"other.example.test"}));
  EXPECT_TRUE(examine("wrongname", "other.example.test.").name_matches);  // trailing dot
}

TEST_F(Certificate, WildcardCoversOneLabelOnly) {
  EXPECT_TRUE(examine("wildcard", "mx1.example.test").name_matches);
  EXPECT_TRUE(examine("wildcard", "MX2.Example.Test").name_matches);
  EXPECT_FALSE(examine("wildcard", "a.mx1.example.test").name_matches);
  EXPECT_FALSE(examine("wildcard", "example.test").name_matches);
}

TEST_F(Certificate, Rsa1024IsInsufficient) {
  const auto f = examine("rsa1024");
  EXPECT_EQ(f.key_type, "RSA");
  EXPECT_EQ(f.key_bits, 1024);
  EXPECT_EQ(judgeCertificate(f, Clock::now()).key, KeyStrength::Insufficient);
}

TEST_F(Certificate, Rsa2048IsPhaseOut) {
  const auto f = examine("rsa2048");
  EXPECT_EQ(f.key_bits, 2048);
  EXPECT_EQ(judgeCertificate(f, Clock::now()).key, KeyStrength::PhaseOut);
}

TEST_F(Certificate, Sha1SignatureIsWeak) {
  const auto f = examine("sha1");
  EXPECT_EQ(f.signature_hash, "SHA1");
  EXPECT_EQ(f.weakest_hash, "SHA1");
  EXPECT_EQ(judgeCertificate(f, Clock::now()).signature, SignatureHash::Weak);
}

TEST_F(Certificate, WeakHashOfAnIntermediateCounts) {
  // The SHA-1 leaf sent as an "intermediate" after a good leaf: its signature is checked.
  const std::vector<CertificateData> chain = {load(labPki().cert_file), load(labPki().pem("sha1"))};
  const auto f = examineCertificate(chain, 0, kMxHost);
  EXPECT_EQ(f.signature_hash, "SHA256");
  EXPECT_EQ(f.weakest_hash, "SHA1");
  EXPECT_EQ(judgeCertificate(f, Clock::now()).signature, SignatureHash::Weak);
  // A self-signed anchor sent by the server is not judged by its own signature.
  const std::vector<CertificateData> withRoot = {load(labPki().cert_file), load(labPki().ca_file)};
  EXPECT_EQ(examineCertificate(withRoot, 0, kMxHost).weakest_hash, "SHA256");
}

TEST(CertificateFacts, EmptyAndGarbage) {
  const auto none = examineCertificate(std::vector<CertificateData>{}, -1, kMxHost);
  EXPECT_FALSE(none.parsed);
  EXPECT_EQ(none.trust, CertTrust::Unknown);
  CertificateData junk;
  junk.der = {0x30, 0x03, 0x01, 0x01, 0xFF};
  const auto bad = examineCertificate(std::vector<CertificateData>{junk}, 20, kMxHost);
  EXPECT_FALSE(bad.parsed);
  EXPECT_FALSE(bad.parse_error.empty());
  EXPECT_EQ(bad.trust, CertTrust::Untrusted);
  EXPECT_FALSE(certificateFromPem("not a certificate").has_value());
}

TEST(CertificateFacts, IsoTime) {
  EXPECT_EQ(isoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(isoTime(1'767'225'600), "2026-01-01T00:00:00Z");
}

}  // namespace
}  // namespace mh::tls
