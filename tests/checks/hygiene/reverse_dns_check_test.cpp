// Scenario tests for checks/hygiene/reverse_dns_check.cpp: PTR presence and forward confirmation.
#include "checks/hygiene/reverse_dns_check.hpp"

#include <gtest/gtest.h>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::hygiene {
namespace {

constexpr const char* kZone = R"(
  ok.test. MX 10 mx.ok.test.
  mx.ok.test. A 192.0.2.1
  mx.ok.test. AAAA 2001:db8::1
  1.2.0.192.in-addr.arpa. PTR mx.ok.test.
  1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mx.ok.test.
  noptr.test. MX 10 mx.noptr.test.
  mx.noptr.test. A 192.0.2.2
  mismatch.test. MX 10 mx.mismatch.test.
  mx.mismatch.test. A 192.0.2.3
  3.2.0.192.in-addr.arpa. PTR host.elsewhere.test.
  host.elsewhere.test. A 198.51.100.3
  slowptr.test. MX 10 mx.slowptr.test.
  mx.slowptr.test. A 192.0.2.4
  parked.test. MX 0 .
)";

CheckResult run(const std::string& domain, DomainProfile profile = {}) {
  dns::FixtureResolver f;
  f.addZone(kZone);
  f.setOutcome("4.2.0.192.in-addr.arpa", dns::rr::PTR, dns::DnsStatus::Timeout);
  return judgeHyg01(gatherReverseDns(f, mx::gatherMx(f, domain)), profile);
}

TEST(Hyg01, ForwardConfirmedOnBothFamiliesPasses) {
  auto r = run("ok.test");
  EXPECT_EQ(r.id, "HYG-01");
  EXPECT_EQ(r.status, Status::Pass) << toJson(r).pretty();
  EXPECT_EQ(r.findings.size(), 2u);
}

TEST(Hyg01, MissingPtrFails) {
  auto r = run("noptr.test");
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("HYG_PTR_MISSING"));
  EXPECT_NE(r.remediation.vi.find("PTR"), std::string::npos);
}

TEST(Hyg01, PtrThatDoesNotResolveBackWarns) {
  auto r = run("mismatch.test");
  EXPECT_EQ(r.status, Status::Warn);
  EXPECT_TRUE(r.hasTag("HYG_PTR_NOT_CONFIRMED"));
}

TEST(Hyg01, ReverseLookupTimeoutIsAnErrorNotAFailure) {
  auto r = run("slowptr.test");
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_FALSE(r.hasTag("HYG_PTR_MISSING"));
}

TEST(Hyg01, DoesNotApplyToDomainsThatReceiveNoMail) {
  DomainProfile profile;
  profile.receives_mail = false;
  EXPECT_EQ(run("parked.test", profile).status, Status::Na);
}

}  // namespace
}  // namespace mh::hygiene
