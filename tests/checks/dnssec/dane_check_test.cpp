// DANE-01: TLSA parsing, matching against certificates made in-test, and the judgement (RFC 6698,
// 7672).
#include "checks/dnssec/dane_check.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace mh::dnssec {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// A self-signed P-256 certificate as DER.
std::vector<unsigned char> makeCert(const char* cn) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Free> x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_sign(x.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  std::vector<unsigned char> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string hexOf(const std::vector<unsigned char>& v) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto b : v) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

std::vector<unsigned char> spki(const std::vector<unsigned char>& der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  unsigned char* out = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x.get()), &out);
  std::vector<unsigned char> v(out, out + len);
  OPENSSL_free(out);
  return v;
}

std::vector<unsigned char> hash(const EVP_MD* md, const std::vector<unsigned char>& in) {
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &len, md, nullptr);
  out.resize(len);
  return out;
}

TlsaRecord tlsa(const std::string& text) {
  auto r = parseTlsa(text);
  EXPECT_TRUE(r) << text;
  return r ? *r : TlsaRecord{};
}

TEST(Tlsa, Parses) {
  auto r = parseTlsa("3 1 1 ABCD ef01");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->usage, 3);
  EXPECT_EQ(r->data.size(), 4u);
  EXPECT_EQ(r->text, "3 1 1 abcdef01");
  EXPECT_FALSE(parseTlsa("3 1 1"));
  EXPECT_FALSE(parseTlsa("3 1 1 ABC"));
  EXPECT_FALSE(parseTlsa("3 x 1 AB"));
  EXPECT_FALSE(parseTlsa("300 1 1 AB"));
  EXPECT_TRUE(usableForSmtp(tlsa("2 0 2 ab")));
  EXPECT_FALSE(usableForSmtp(tlsa("1 1 1 ab")));
  EXPECT_FALSE(usableForSmtp(tlsa("3 2 1 ab")));
}

TEST(Tlsa, MatchesEverySelectorAndMatchingType) {
  const auto cert = makeCert("mx.example");
  const auto key = spki(cert);
  EXPECT_TRUE(tlsaMatchesCertificate(tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), key))), cert));
  EXPECT_TRUE(tlsaMatchesCertificate(tlsa("3 1 2 " + hexOf(hash(EVP_sha512(), key))), cert));
  EXPECT_TRUE(tlsaMatchesCertificate(tlsa("3 1 0 " + hexOf(key)), cert));
  EXPECT_TRUE(tlsaMatchesCertificate(tlsa("3 0 1 " + hexOf(hash(EVP_sha256(), cert))), cert));
  EXPECT_TRUE(tlsaMatchesCertificate(tlsa("3 0 0 " + hexOf(cert)), cert));
  EXPECT_FALSE(tlsaMatchesCertificate(tlsa("3 0 1 " + hexOf(hash(EVP_sha256(), key))), cert));
  const auto other = makeCert("mx.example");
  EXPECT_FALSE(tlsaMatchesCertificate(tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), key))), other));
}

TEST(Tlsa, UsageThreeAgainstLeafUsageTwoAgainstCaCerts) {
  const auto leaf = makeCert("mx.example");
  const auto ca = makeCert("Lab CA");
  const DerChain chain{leaf, ca};
  const auto ee = tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))));
  const auto ta = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(ca))));
  const auto taOnLeaf = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))));
  const auto eeOnCa = tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), spki(ca))));
  EXPECT_TRUE(matchChain({ee}, chain));
  EXPECT_TRUE(matchChain({ta}, chain));
  EXPECT_FALSE(matchChain({taOnLeaf}, chain));
  EXPECT_FALSE(matchChain({eeOnCa}, chain));
  EXPECT_FALSE(matchChain({ee}, {}));
  // PKIX usages are never matched for SMTP.
  EXPECT_FALSE(matchChain({tlsa("1 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))))}, chain));
}

DaneEvidence::Host host(const std::string& name, SecurityStatus s,
                        std::vector<std::string> records) {
  DaneEvidence::Host h;
  h.name = name;
  h.tlsa_name = "_25._tcp." + name;
  h.tlsa.qname = h.tlsa_name;
  h.tlsa.qtype = dns::rr::TLSA;
  h.tlsa.status = records.empty() ? dns::DnsStatus::NoData : dns::DnsStatus::NoError;
  for (const auto& r : records) {
    dns::DnsRecord rec;
    rec.type = dns::rr::TLSA;
    rec.data = r;
    h.tlsa.records.push_back(rec);
    h.records.push_back(tlsa(r));
  }
  h.validation.status = s;
  h.validation.reason = "R";
  return h;
}

class Dane01 : public ::testing::Test {
 protected:
  std::vector<unsigned char> leaf = makeCert("mx1.example");
  std::string ee = "3 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf)));
  DomainProfile profile;
};

TEST_F(Dane01, EveryMxMatchingPasses) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Secure, {ee})};
  auto r = judgeDane01(e, {{"mx1.example", {leaf}}}, profile);
  EXPECT_EQ(r.status, Status::Pass);
  EXPECT_TRUE(r.hasTag("DANE_TLSA_MATCH"));
  EXPECT_TRUE(r.hasTag("DANE_ALL_MX"));
}

TEST_F(Dane01, MismatchFailsCritical) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Secure, {ee})};
  auto r = judgeDane01(e, {{"mx1.example", {makeCert("mx1.example")}}}, profile);
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("DANE_TLSA_MISMATCH"));
  EXPECT_EQ(
      std::string(findTagSpec(daneTagSpecs(), "DANE_TLSA_MISMATCH")->message).rfind("CRITICAL", 0),
      0u);
}

TEST_F(Dane01, WithoutChainsTheMatchIsNotClaimed) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Secure, {ee})};
  auto r = judgeDane01(e, {}, profile);
  EXPECT_TRUE(r.hasTag("DANE_MATCH_NOT_CHECKED"));
  EXPECT_FALSE(r.hasTag("DANE_TLSA_MATCH"));
  EXPECT_FALSE(r.hasTag("DANE_TLSA_MISMATCH"));
}

TEST_F(Dane01, PartialWarnsAbsentFailsBogusFailsErrorIsError) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Secure, {ee}),
             host("mx2.example", SecurityStatus::Secure, {})};
  auto r = judgeDane01(e, {{"mx1.example", {leaf}}}, profile);
  EXPECT_EQ(r.status, Status::Warn);
  EXPECT_TRUE(r.hasTag("DANE_PARTIAL"));

  e.hosts = {host("mx2.example", SecurityStatus::Insecure, {})};
  r = judgeDane01(e, {}, profile);
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("DANE_ABSENT"));
  EXPECT_NE(r.remediation.vi.find("Ký DNSSEC"), std::string::npos);

  e.hosts = {host("mx1.example", SecurityStatus::Bogus, {ee})};
  r = judgeDane01(e, {}, profile);
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("DANE_TLSA_BOGUS"));

  e.hosts = {host("mx1.example", SecurityStatus::Indeterminate, {})};
  r = judgeDane01(e, {}, profile);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_FALSE(r.hasTag("DANE_ABSENT"));
}

TEST_F(Dane01, InsecureTlsaAndPkixUsagesDoNotCount) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Insecure, {ee})};
  auto r = judgeDane01(e, {}, profile);
  EXPECT_TRUE(r.hasTag("DANE_TLSA_INSECURE"));
  EXPECT_TRUE(r.hasTag("DANE_ABSENT"));
  e.hosts = {host("mx1.example", SecurityStatus::Secure, {"1 1 1 abcd"})};
  r = judgeDane01(e, {}, profile);
  EXPECT_TRUE(r.hasTag("DANE_TLSA_USAGE_NOT_FOR_SMTP"));
  EXPECT_TRUE(r.hasTag("DANE_NO_USABLE_TLSA"));
  EXPECT_EQ(r.status, Status::Fail);
}

TEST_F(Dane01, NotApplicableWithoutMail) {
  DaneEvidence e;
  e.hosts = {host("mx1.example", SecurityStatus::Insecure, {})};
  profile.receives_mail = false;
  EXPECT_EQ(judgeDane01(e, {}, profile).status, Status::Na);
}

}  // namespace
}  // namespace mh::dnssec
