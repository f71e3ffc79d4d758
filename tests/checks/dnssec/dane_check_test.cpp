// DANE-01: TLSA parsing, matching against certificates made in-test, and the judgement (RFC 6698,
// 7672).
#include "checks/dnssec/dane_check.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "checks/tls/openssl_ptr.hpp"

namespace mh::dnssec {
namespace {

using tls::EvpPkeyPtr;
using tls::X509Ptr;

// A self-signed P-256 certificate as DER.
std::vector<unsigned char> makeCert(const char* cn) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr x(X509_new());
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

std::vector<unsigned char> toDer(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  std::vector<unsigned char> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate authority: a self-signed P-256 CA certificate and its key.
struct TestCa {
  EvpPkeyPtr key{EVP_EC_gen("P-256")};
  X509Ptr cert{X509_new()};
  std::vector<unsigned char> der;

  explicit TestCa(const char* cn) {
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign");
    X509_sign(cert.get(), key.get(), EVP_sha256());
    der = toDer(cert.get());
  }

  // A leaf for `dns` (subjectAltName) issued by this CA, valid from now+from to now+to seconds.
  std::vector<unsigned char> issue(const char* dns, long from = 0, long to = 86400) const {
    EvpPkeyPtr leafKey(EVP_EC_gen("P-256"));
    X509Ptr x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 8);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), from);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), to);
    X509_set_pubkey(x.get(), leafKey.get());
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(dns), -1, -1, 0);
    X509_set_issuer_name(x.get(), X509_get_subject_name(cert.get()));
    addExtension(x.get(), cert.get(), NID_subject_alt_name, (std::string("DNS:") + dns).c_str());
    X509_sign(x.get(), key.get(), EVP_sha256());
    return toDer(x.get());
  }
};

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
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
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
  const TestCa ca("Lab CA");
  const auto leaf = ca.issue("mx.example");
  const DerChain chain{leaf, ca.der};
  const auto ee = tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))));
  const auto ta = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(ca.der))));
  const auto taOnLeaf = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))));
  const auto eeOnCa = tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), spki(ca.der))));
  EXPECT_TRUE(matchChain({ee}, chain, "mx.example"));
  EXPECT_TRUE(matchChain({ta}, chain, "mx.example"));
  EXPECT_FALSE(matchChain({taOnLeaf}, chain, "mx.example"));
  EXPECT_FALSE(matchChain({eeOnCa}, chain, "mx.example"));
  EXPECT_FALSE(matchChain({ee}, {}, "mx.example"));
  // PKIX usages are never matched for SMTP.
  EXPECT_FALSE(
      matchChain({tlsa("1 1 1 " + hexOf(hash(EVP_sha256(), spki(leaf))))}, chain, "mx.example"));
}

// RFC 7672 §3.1.1: with DANE-EE the key is all that counts; the names and dates of the
// certificate are ignored.
TEST(Tlsa, DaneEeIgnoresNameAndExpiry) {
  const TestCa ca("Lab CA");
  const auto expiredOtherName = ca.issue("other.example", -10 * 86400, -5 * 86400);
  const auto ee = tlsa("3 1 1 " + hexOf(hash(EVP_sha256(), spki(expiredOtherName))));
  EXPECT_TRUE(matchChain({ee}, {expiredOtherName}, "mx.example"));
  const auto selfSigned = makeCert("whatever");
  EXPECT_TRUE(matchChain({tlsa("3 0 1 " + hexOf(hash(EVP_sha256(), selfSigned)))}, {selfSigned},
                         "mx.example"));
}

// RFC 7672 §3.1.2, §3.2.2: with DANE-TA the anchor must be in the chain the server sent, the leaf
// must verify up to it, and the leaf must name the MX host.
TEST(Tlsa, DaneTaNeedsTheAnchorInTheChainAPathAndTheName) {
  const TestCa ca("Lab CA");
  const TestCa otherCa("Other CA");
  const auto leaf = ca.issue("mx.example");
  const auto ta = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(ca.der))));
  const auto taFull = tlsa("2 0 1 " + hexOf(hash(EVP_sha256(), ca.der)));
  EXPECT_TRUE(matchChain({ta}, {leaf, ca.der}, "mx.example"));
  EXPECT_TRUE(matchChain({taFull}, {leaf, ca.der}, "mx.example"));
  // The anchor not sent: nothing to match it against.
  EXPECT_FALSE(matchChain({ta}, {leaf}, "mx.example"));
  // The leaf does not name the MX host (DANE-TA keeps the name check).
  EXPECT_FALSE(matchChain({ta}, {leaf, ca.der}, "mx2.example"));
  // The anchor is sent, but the leaf was issued by another CA: no path from the anchor.
  const auto foreignLeaf = otherCa.issue("mx.example");
  EXPECT_FALSE(matchChain({ta}, {foreignLeaf, ca.der}, "mx.example"));
  // Through an intermediate: leaf <- intermediate <- anchor, all sent.
  const TestCa root("Root CA");
  X509Ptr inter(X509_dup(ca.cert.get()));
  X509_set_issuer_name(inter.get(), X509_get_subject_name(root.cert.get()));
  X509_sign(inter.get(), root.key.get(), EVP_sha256());
  const auto interDer = toDer(inter.get());
  const auto rootTa = tlsa("2 1 1 " + hexOf(hash(EVP_sha256(), spki(root.der))));
  EXPECT_TRUE(matchChain({rootTa}, {leaf, interDer, root.der}, "mx.example"));
  EXPECT_FALSE(matchChain({rootTa}, {leaf, root.der}, "mx.example"));  // intermediate missing
  // A wildcard covers exactly one label.
  const auto wildcard = ca.issue("*.lab.example");
  EXPECT_TRUE(matchChain({ta}, {wildcard, ca.der}, "mx.lab.example"));
  EXPECT_FALSE(matchChain({ta}, {wildcard, ca.der}, "a.mx.lab.example"));
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
