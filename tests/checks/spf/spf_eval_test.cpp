// Tests for checks/spf/spf_eval.cpp: check_host() results, limits, the tree and audit mode.
#include "checks/spf/spf_eval.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::spf {
namespace {

using dns::DnsStatus;
using dns::FixtureResolver;

IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text, true);
}

SpfEvaluation run(FixtureResolver& f, std::string_view client, std::string_view domain) {
  return checkHost(f, ip(client), domain, std::string("user@") + std::string(domain),
                   "helo.example");
}

TEST(CheckHost, BasicResultsAndQualifiers) {
  FixtureResolver f;
  f.addZone(R"(
    a.test. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
    b.test. 300 IN TXT "v=spf1 ~all"
    c.test. 300 IN TXT "v=spf1 ?all"
    d.test. 300 IN TXT "v=spf1 +all"
    e.test. 300 IN TXT "v=spf1 ip4:192.0.2.1"
    f.test. 300 IN TXT "unrelated text"
  )");
  EXPECT_EQ(run(f, "192.0.2.9", "a.test").result, SpfResult::Pass);
  EXPECT_EQ(run(f, "198.51.100.1", "a.test").result, SpfResult::Fail);
  EXPECT_EQ(run(f, "198.51.100.1", "b.test").result, SpfResult::SoftFail);
  EXPECT_EQ(run(f, "198.51.100.1", "c.test").result, SpfResult::Neutral);
  EXPECT_EQ(run(f, "198.51.100.1", "d.test").result, SpfResult::Pass);
  EXPECT_EQ(run(f, "198.51.100.1", "e.test").result, SpfResult::Neutral);  // §4.7 default
  EXPECT_EQ(run(f, "198.51.100.1", "f.test").result, SpfResult::None);
  EXPECT_EQ(run(f, "198.51.100.1", "nxdomain.test").result, SpfResult::None);
  EXPECT_EQ(run(f, "198.51.100.1", std::string(64, 'x') + ".test").result, SpfResult::None);
}

TEST(CheckHost, TxtStringsAreJoinedWithoutSpacesAndTypeSpfIsNeverQueried) {
  FixtureResolver f;
  f.addZone(R"(
    split.test. 300 IN TXT "v=spf1 ip4:192.0" ".2.0/24" " -all"
    split.test. 300 IN SPF "v=spf1 +all"
  )");
  EXPECT_EQ(run(f, "192.0.2.7", "split.test").result, SpfResult::Pass);
  EXPECT_EQ(run(f, "203.0.113.1", "split.test").result, SpfResult::Fail);
  for (const auto& q : f.queries()) EXPECT_NE(q.second, dns::rr::SPF) << q.first;
}

TEST(CheckHost, DnsErrorsAreTemperrorNeverFail) {
  FixtureResolver f;
  f.addZone(R"(
    top.test. 300 IN TXT "v=spf1 include:inc.test -all"
    mx.test. 300 IN TXT "v=spf1 mx -all"
  )");
  f.setOutcome("inc.test", dns::rr::TXT, DnsStatus::ServFail);
  f.setOutcome("mx.test", dns::rr::MX, DnsStatus::Timeout);
  f.setOutcome("timeout.test", dns::rr::TXT, DnsStatus::Timeout);
  auto e = run(f, "203.0.113.1", "top.test");
  EXPECT_EQ(e.result, SpfResult::TempError);
  ASSERT_EQ(e.lookup_failures.size(), 1u);
  EXPECT_EQ(e.lookup_failures[0].name, "inc.test");
  EXPECT_EQ(e.lookup_failures[0].status, DnsStatus::ServFail);
  EXPECT_EQ(e.lookup_failures[0].path, "include:inc.test");
  EXPECT_EQ(run(f, "203.0.113.1", "mx.test").result, SpfResult::TempError);
  EXPECT_EQ(run(f, "203.0.113.1", "timeout.test").result, SpfResult::TempError);
}

TEST(CheckHost, IncludeResultTable) {
  FixtureResolver f;
  f.addZone(R"(
    pass.test. 300 IN TXT "v=spf1 +all"
    fail.test. 300 IN TXT "v=spf1 -all"
    soft.test. 300 IN TXT "v=spf1 ~all"
    neutral.test. 300 IN TXT "v=spf1 ?all"
    perm.test. 300 IN TXT "v=spf1 bogus"
    i-pass.test. 300 IN TXT "v=spf1 include:pass.test -all"
    i-fail.test. 300 IN TXT "v=spf1 include:fail.test ~all"
    i-soft.test. 300 IN TXT "v=spf1 include:soft.test ~all"
    i-neutral.test. 300 IN TXT "v=spf1 include:neutral.test ~all"
    i-perm.test. 300 IN TXT "v=spf1 include:perm.test ~all"
    i-none.test. 300 IN TXT "v=spf1 include:none.test ~all"
  )");
  const IpAddress client = ip("203.0.113.1");
  auto result = [&](const char* d) { return checkHost(f, client, d, "", d).result; };
  EXPECT_EQ(result("i-pass.test"), SpfResult::Pass);
  EXPECT_EQ(result("i-fail.test"), SpfResult::SoftFail);
  EXPECT_EQ(result("i-soft.test"), SpfResult::SoftFail);
  EXPECT_EQ(result("i-neutral.test"), SpfResult::SoftFail);
  EXPECT_EQ(result("i-perm.test"), SpfResult::PermError);
  auto none = checkHost(f, client, "i-none.test", "", "i-none.test");
  EXPECT_EQ(none.result, SpfResult::PermError);
  EXPECT_TRUE(none.hasIssue(SpfIssueKind::IncludeNoRecord));
}

TEST(CheckHost, RedirectIsUsedOnlyWithoutAllAndChangesTheDomain) {
  FixtureResolver f;
  f.addZone(R"(
    r.test. 300 IN TXT "v=spf1 redirect=target.test"
    r.test. 300 IN A 192.0.2.1
    target.test. 300 IN TXT "v=spf1 a -all"
    target.test. 300 IN A 192.0.2.2
    withall.test. 300 IN TXT "v=spf1 ~all redirect=target.test"
    missing.test. 300 IN TXT "v=spf1 redirect=nowhere.test"
  )");
  EXPECT_EQ(run(f, "192.0.2.2", "r.test").result, SpfResult::Pass);
  EXPECT_EQ(run(f, "192.0.2.1", "r.test").result, SpfResult::Fail);
  EXPECT_EQ(run(f, "192.0.2.2", "withall.test").result, SpfResult::SoftFail);
  auto m = run(f, "192.0.2.2", "missing.test");
  EXPECT_EQ(m.result, SpfResult::PermError);
  EXPECT_TRUE(m.hasIssue(SpfIssueKind::RedirectNoRecord));
}

TEST(CheckHost, ExplanationFromExpAndItsFailureModes) {
  FixtureResolver f;
  f.addZone(R"(
    x.test. 300 IN TXT "v=spf1 -all exp=why.x.test"
    why.x.test. 300 IN TXT "%{i} is not allowed to send for %{d}"
    y.test. 300 IN TXT "v=spf1 -all exp=two.y.test"
    two.y.test. 300 IN TXT "one"
    two.y.test. 300 IN TXT "two"
    z.test. 300 IN TXT "v=spf1 -all exp=bad.z.test"
    bad.z.test. 300 IN TXT "%{x}"
  )");
  auto x = run(f, "192.0.2.5", "x.test");
  EXPECT_EQ(x.result, SpfResult::Fail);
  EXPECT_FALSE(x.explanation_default);
  EXPECT_EQ(x.explanation, "192.0.2.5 is not allowed to send for x.test");
  EXPECT_TRUE(run(f, "192.0.2.5", "y.test").explanation_default);
  EXPECT_TRUE(run(f, "192.0.2.5", "z.test").explanation_default);
  f.setOutcome("why.x.test", dns::rr::TXT, DnsStatus::ServFail);
  auto err = run(f, "192.0.2.5", "x.test");
  EXPECT_EQ(err.result, SpfResult::Fail);  // an exp= problem never changes the result
  EXPECT_TRUE(err.explanation_default);
}

// A shared provider chain: two nested provider includes push the count past 10.
FixtureResolver providerChain() {
  FixtureResolver f;
  f.addZone(R"(
    agency.test. 300 IN TXT "v=spf1 a mx include:_spf.provider.test include:mail.other.test -all"
    agency.test. 300 IN A 192.0.2.10
    agency.test. 300 IN MX 10 mx.agency.test.
    mx.agency.test. 300 IN A 192.0.2.11
    _spf.provider.test. 300 IN TXT "v=spf1 include:_a.provider.test include:_b.provider.test ~all"
    _a.provider.test. 300 IN TXT "v=spf1 ip4:198.51.100.0/24 a:a1.provider.test a:a2.provider.test ~all"
    _b.provider.test. 300 IN TXT "v=spf1 ip4:203.0.113.0/24 ~all"
    a1.provider.test. 300 IN A 198.51.100.1
    a2.provider.test. 300 IN A 198.51.100.2
    mail.other.test. 300 IN TXT "v=spf1 include:x.other.test include:y.other.test ~all"
    x.other.test. 300 IN TXT "v=spf1 a:h1.other.test a:h2.other.test ~all"
    y.other.test. 300 IN TXT "v=spf1 ip4:198.51.100.128/25 ~all"
    h1.other.test. 300 IN A 198.51.100.200
    h2.other.test. 300 IN A 198.51.100.201
  )");
  return f;
}

TEST(CheckHost, SPF03_LookupLimitPermerrorAndTheTreeShowsWhichInclude) {
  auto f = providerChain();
  auto e = run(f, "192.0.2.200", "agency.test");
  EXPECT_EQ(e.result, SpfResult::PermError);
  EXPECT_TRUE(e.limit_exceeded);
  EXPECT_EQ(e.lookups, 11);
  EXPECT_EQ(e.limit_exceeded_at,
            "include:mail.other.test > include:x.other.test > a:h2.other.test");
  // The tree: root > include:mail.other.test > include:x.other.test > a:h2.other.test.
  const SpfNode& root = e.tree;
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.children[2].term, "include:_spf.provider.test");
  EXPECT_EQ(root.children[2].maxCumulative(), 7);
  const SpfNode& other = root.children[3];
  EXPECT_EQ(other.term, "include:mail.other.test");
  EXPECT_EQ(other.cumulative, 8);
  EXPECT_EQ(other.record, "v=spf1 include:x.other.test include:y.other.test ~all");
  const SpfNode& x = other.children[0];
  ASSERT_EQ(x.children.size(), 2u);
  EXPECT_EQ(x.children[1].cumulative, 11);
  EXPECT_FALSE(x.children[1].notes.empty());
  Json j = toJson(e.tree);
  EXPECT_NE(j.dump().find("\"cumulative_lookups\":11"), std::string::npos);
}

TEST(AuditSpf, SPF03_KeepsCountingPastTheLimitButStaysPermerror) {
  auto f = providerChain();
  auto e = auditSpf(f, "agency.test");
  EXPECT_EQ(e.result, SpfResult::PermError);
  EXPECT_TRUE(e.limit_exceeded);
  EXPECT_EQ(e.lookups, 12);  // the include:y.other.test after the crossing is counted too
  EXPECT_TRUE(e.lookup_failures.empty());
}

TEST(AuditSpf, SPF03_CountsEveryTermForANonMatchingClientAndSkipsPtrQueries) {
  FixtureResolver f;
  f.addZone(R"(
    gov.test. 300 IN TXT "v=spf1 ip4:198.51.100.1 a mx ptr include:_spf.gov.test -all"
    gov.test. 300 IN A 198.51.100.1
    gov.test. 300 IN MX 10 mail.gov.test.
    mail.gov.test. 300 IN A 198.51.100.2
    _spf.gov.test. 300 IN TXT "v=spf1 exists:%{i}.bl.gov.test ~all"
  )");
  auto e = auditSpf(f, "gov.test");
  EXPECT_EQ(e.result, SpfResult::Fail);
  EXPECT_EQ(e.lookups, 5);
  EXPECT_EQ(e.void_lookups, 1);  // the exists: query
  EXPECT_TRUE(e.ptr_used);
  for (const auto& q : f.queries()) EXPECT_NE(q.second, dns::rr::PTR);
}

TEST(CheckHost, SPF03_VoidLookupLimit) {
  FixtureResolver f;
  f.addZone(R"(
    two.test. 300 IN TXT "v=spf1 a:n1.test a:n2.test ?all"
    three.test. 300 IN TXT "v=spf1 a:n1.test a:n2.test a:n3.test ?all"
  )");
  EXPECT_EQ(run(f, "192.0.2.1", "two.test").result, SpfResult::Neutral);
  auto e = run(f, "192.0.2.1", "three.test");
  EXPECT_EQ(e.result, SpfResult::PermError);
  EXPECT_EQ(e.void_lookups, 3);
  EXPECT_TRUE(e.hasIssue(SpfIssueKind::TooManyVoidLookups));
}

TEST(CheckHost, SPF03_MxLimitAndIpv4MappedClients) {
  FixtureResolver f;
  std::string zone = "many.test. 300 IN TXT \"v=spf1 mx -all\"\n";
  for (int i = 0; i < 11; ++i)
    zone +=
        "many.test. 300 IN MX " + std::to_string(i) + " m" + std::to_string(i) + ".many.test.\n";
  zone += "v6.test. 300 IN TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n";
  zone += "v4.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n";
  f.addZone(zone);
  auto e = run(f, "192.0.2.1", "many.test");
  EXPECT_EQ(e.result, SpfResult::PermError);
  EXPECT_TRUE(e.hasIssue(SpfIssueKind::TooManyMxRecords));
  EXPECT_EQ(run(f, "::ffff:192.0.2.1", "v4.test").result, SpfResult::Pass);
  EXPECT_EQ(run(f, "::ffff:192.0.2.1", "v6.test").result, SpfResult::Fail);
  EXPECT_EQ(run(f, "2001:db8::1", "v6.test").result, SpfResult::Pass);
}

TEST(CheckHost, PtrMechanismValidatesNames) {
  FixtureResolver f;
  f.addZone(R"(
    p.test. 300 IN TXT "v=spf1 ptr -all"
    1.2.0.192.in-addr.arpa. 300 IN PTR host.p.test.
    2.2.0.192.in-addr.arpa. 300 IN PTR forged.p.test.
    host.p.test. 300 IN A 192.0.2.1
    forged.p.test. 300 IN A 192.0.2.99
  )");
  auto e = run(f, "192.0.2.1", "p.test");
  EXPECT_EQ(e.result, SpfResult::Pass);
  EXPECT_TRUE(e.ptr_used);
  EXPECT_EQ(run(f, "192.0.2.2", "p.test").result, SpfResult::Fail);
}

TEST(CheckHost, SPF03_IncludeLoopEndsAtTheLimit) {
  FixtureResolver f;
  f.addZone(R"(
    l1.test. 300 IN TXT "v=spf1 include:l2.test -all"
    l2.test. 300 IN TXT "v=spf1 include:l1.test -all"
  )");
  auto e = run(f, "192.0.2.1", "l1.test");
  EXPECT_EQ(e.result, SpfResult::PermError);
  EXPECT_EQ(e.lookups, 11);
  auto a = auditSpf(f, "l1.test");
  EXPECT_EQ(a.result, SpfResult::PermError);
  EXPECT_GT(a.lookups, 10);
}

}  // namespace
}  // namespace mh::spf
