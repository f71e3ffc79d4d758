// Validator and trust anchors over hand-signed fixtures (RFC 4035 §5): secure, bogus,
// indeterminate.
#include "checks/dnssec/validator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "checks/dns/fixture_resolver.hpp"
#include "tests/checks/dnssec/test_signer.hpp"

namespace mh::dnssec {
namespace {

using dns::DnsStatus;
using dns::FixtureResolver;
using testing::TestKey;

constexpr std::uint32_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
const auto kNowTp = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
constexpr std::uint32_t kInception = kNow - 86400;
constexpr std::uint32_t kExpiration = kNow + 30 * 86400;

void addSigned(FixtureResolver& r, const TestKey& key, const std::vector<std::string>& rrset,
               std::uint32_t inception = kInception, std::uint32_t expiration = kExpiration) {
  for (const auto& line : rrset) r.addRecord(line);
  for (const auto& sig : key.sign(rrset, inception, expiration)) r.addRecord(sig);
}

TrustAnchors anchorsFrom(const std::string& text) {
  std::string error;
  auto a = TrustAnchors::parse(text, error);
  EXPECT_TRUE(a) << error;
  return a ? *a : TrustAnchors{};
}

// A signed root with one signed child zone "example." holding an A record at its apex.
struct SignedTree {
  TestKey root{"."};
  TestKey child{"example."};
  FixtureResolver r;
  TrustAnchors anchors;

  explicit SignedTree(bool wrongDs = false) {
    addSigned(r, root, {root.dnskey()});
    TestKey other{"example."};
    addSigned(r, root, {wrongDs ? other.ds() : child.ds()});
    addSigned(r, child, {child.dnskey()});
    anchors = anchorsFrom(root.ds());
  }
};

TEST(SecurityStatus, OrderedByTrustWithIndeterminateWeakest) {
  EXPECT_LT(SecurityStatus::Indeterminate, SecurityStatus::Bogus);
  EXPECT_LT(SecurityStatus::Bogus, SecurityStatus::Insecure);
  EXPECT_LT(SecurityStatus::Insecure, SecurityStatus::Secure);
  EXPECT_EQ(weakest(SecurityStatus::Secure, SecurityStatus::Indeterminate),
            SecurityStatus::Indeterminate);
  EXPECT_EQ(weakest(SecurityStatus::Bogus, SecurityStatus::Insecure), SecurityStatus::Bogus);
  EXPECT_EQ(toString(SecurityStatus::Bogus), "bogus");
}

TEST(TrustAnchors, ParsesDsAndKskIgnoresZskAndComments) {
  TestKey ksk{"."};
  TestKey zsk{".", 256};
  std::string error;
  auto a = TrustAnchors::parse(
      "; root anchors\n\n" + ksk.ds() + "\n" + ksk.dnskey() + "\n" + zsk.dnskey() + "\n", error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->records().size(), 2u);
  EXPECT_EQ(a->forZone(".").size(), 2u);
  EXPECT_EQ(a->closestZone("www.example"), ".");
}

TEST(TrustAnchors, DeepestAnchorWins) {
  TestKey root{"."};
  TestKey lab{"lab.test."};
  auto a = anchorsFrom(root.ds() + "\n" + lab.ds());
  EXPECT_EQ(a.closestZone("x.lab.test"), "lab.test");
  EXPECT_EQ(a.closestZone("lab.test"), "lab.test");
  EXPECT_EQ(a.closestZone("xlab.test"), ".");
}

TEST(TrustAnchors, RejectsFilesWithoutAnchors) {
  std::string error;
  EXPECT_FALSE(TrustAnchors::parse("; nothing\n", error));
  EXPECT_NE(error.find("no DS"), std::string::npos) << error;
  EXPECT_FALSE(TrustAnchors::parse("example. IN A 192.0.2.1\n", error));
  EXPECT_FALSE(TrustAnchors::load("/nonexistent/root.key", error));
  EXPECT_NE(error.find("cannot open"), std::string::npos);
}

TEST(TrustAnchors, LoadsAFile) {
  TestKey ksk{"."};
  const std::string path = ::testing::TempDir() + "/mh_anchor_test.key";
  std::ofstream(path) << "$ORIGIN .\n" << ksk.dnskey() << "\n";
  std::string error;
  auto a = TrustAnchors::load(path, error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->records().front().type, dns::rr::DNSKEY);
  EXPECT_EQ(a->source(), path);
}

TEST(Validator, SecureChainFromRootAnchor) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Secure) << res.detail;
  EXPECT_EQ(res.reason, reason::kSigned);
  EXPECT_EQ(res.zone, "example");
  ASSERT_GE(res.chain.size(), 3u);
  EXPECT_EQ(res.chain.front().what, "anchor");
  EXPECT_EQ(res.chain.back().what, "rrset");
  EXPECT_NE(toJson(res).dump().find("\"secure\""), std::string::npos);
}

TEST(Validator, DnskeyAnchorWorksToo) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  auto anchors = anchorsFrom(t.root.dnskey());
  Validator v(t.r, anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).status, SecurityStatus::Secure);
}

TEST(Validator, ExpiredSignatureIsBogus) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"}, kNow - 20 * 86400, kNow - 86400);
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Bogus);
  EXPECT_EQ(res.reason, reason::kSignatureExpired) << res.detail;
}

TEST(Validator, SignatureNotYetValidIsBogus) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"}, kNow + 86400, kNow + 10 * 86400);
  Validator v(t.r, t.anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).reason, reason::kSignatureNotYetValid);
}

TEST(Validator, TamperedRecordIsBogus) {
  SignedTree t;
  for (const auto& sig : t.child.sign({"example. 300 IN A 192.0.2.1"}, kInception, kExpiration))
    t.r.addRecord(sig);
  t.r.addRecord("example. 300 IN A 192.0.2.66");
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Bogus);
  EXPECT_EQ(res.reason, reason::kSignatureInvalid) << res.detail;
}

TEST(Validator, MissingSignatureInSignedZoneIsBogus) {
  SignedTree t;
  t.r.addRecord("example. 300 IN A 192.0.2.1");
  Validator v(t.r, t.anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).reason, reason::kSignatureMissing);
}

TEST(Validator, DsThatMatchesNoKeyIsBogus) {
  SignedTree t(/*wrongDs=*/true);
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Bogus);
  EXPECT_EQ(res.reason, reason::kDsMismatch) << res.detail;
  EXPECT_EQ(res.zone, "example");
}

TEST(Validator, AnchorThatMatchesNoRootKeyIsBogus) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  TestKey stranger{"."};
  auto anchors = anchorsFrom(stranger.ds());
  Validator v(t.r, anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).reason, reason::kAnchorMismatch);
}

TEST(Validator, LookupErrorsAreIndeterminateNeverBogus) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  t.r.setOutcome("example", dns::rr::DS, DnsStatus::ServFail);
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Indeterminate);
  EXPECT_EQ(res.reason, reason::kLookupError);
  EXPECT_NE(res.detail.find("SERVFAIL"), std::string::npos) << res.detail;

  dns::DnsAnswer timeout;
  timeout.qname = "example";
  timeout.qtype = dns::rr::A;
  timeout.status = DnsStatus::Timeout;
  EXPECT_EQ(v.validate(timeout).status, SecurityStatus::Indeterminate);
}

TEST(Validator, ChildDnskeyTimeoutIsIndeterminate) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  t.r.setOutcome("example", dns::rr::DNSKEY, DnsStatus::Timeout);
  Validator v(t.r, t.anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).status, SecurityStatus::Indeterminate);
}

TEST(Validator, ResolverWithoutDnssecIsIndeterminate) {
  TestKey root{"."};
  FixtureResolver r;
  r.addRecord(root.dnskey());  // no RRSIG: the resolver stripped it
  r.addRecord("example. 300 IN A 192.0.2.1");
  auto anchors = anchorsFrom(root.ds());
  Validator v(r, anchors, kNowTp);
  const Validation res = v.validate(r.query("example", dns::rr::A));
  EXPECT_EQ(res.status, SecurityStatus::Indeterminate);
  EXPECT_EQ(res.reason, reason::kNoDnssecFromResolver);
}

TEST(Validator, NameOutsideEveryAnchorIsIndeterminate) {
  SignedTree t;
  addSigned(t.r, t.child, {"example. 300 IN A 192.0.2.1"});
  TestKey lab{"lab.test."};
  auto anchors = anchorsFrom(lab.ds());
  Validator v(t.r, anchors, kNowTp);
  EXPECT_EQ(v.validate(t.r.query("example", dns::rr::A)).reason, reason::kNoTrustAnchor);
}

TEST(Validator, NegativeAnswerWithoutProofInSignedZoneIsBogus) {
  SignedTree t;
  Validator v(t.r, t.anchors, kNowTp);
  const Validation res = v.validate(t.r.query("example", dns::rr::MX));
  EXPECT_EQ(res.status, SecurityStatus::Bogus);
  EXPECT_EQ(res.reason, reason::kDenialMissing);
}

}  // namespace
}  // namespace mh::dnssec

namespace mh::dnssec {
namespace {

// A resolver that serves no DNSSEC (or a lab whose root is not the real one) must never make a
// domain "bogus": trouble at the trust anchor itself is could-not-tell.
TEST(ValidatorAnchor, NoDnskeyAtTheAnchorIsIndeterminateNotBogus) {
  std::string error;
  auto anchors = TrustAnchors::parse(
      ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n", error);
  ASSERT_TRUE(anchors) << error;
  dns::FixtureResolver f;
  f.addZone("example.test. 300 IN MX 10 mx.example.test.");
  Validator v(f, *anchors, std::chrono::system_clock::now());
  auto answer = f.query("example.test", dns::rr::MX);
  auto result = v.validate(answer);
  EXPECT_EQ(result.status, SecurityStatus::Indeterminate) << result.detail;
}

}  // namespace
}  // namespace mh::dnssec
