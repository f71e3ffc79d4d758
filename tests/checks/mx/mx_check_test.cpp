// Scenario tests for checks/mx/mx_check.cpp: fixture zone -> MX-01 status and tags.
#include "checks/mx/mx_check.hpp"

#include <gtest/gtest.h>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::mx {
namespace {

struct Scenario {
  const char* name;
  const char* zone;
  Status status;
  std::vector<std::string> mandatory;
  std::vector<std::string> forbidden;
  bool receives;
};

class MxScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(MxScenario, Judges) {
  const auto& s = GetParam();
  dns::FixtureResolver f;
  f.addZone(s.zone);
  f.setOutcome("broken.test", dns::rr::MX, dns::DnsStatus::ServFail);
  f.setOutcome("mx.slow.test", dns::rr::A, dns::DnsStatus::Timeout);
  f.setOutcome("mx.slow.test", dns::rr::AAAA, dns::DnsStatus::Timeout);
  auto e = gatherMx(f, std::string(s.name) + ".test");
  auto r = judgeMx01(e);
  EXPECT_EQ(r.status, s.status) << toJson(r).pretty();
  for (const auto& t : s.mandatory) EXPECT_TRUE(r.hasTag(t)) << t << "\n" << toJson(r).pretty();
  for (const auto& t : s.forbidden) EXPECT_FALSE(r.hasTag(t)) << t;
  EXPECT_EQ(receivesMail(e), s.receives);
  EXPECT_EQ(r.id, "MX-01");
}

const Scenario kScenarios[] = {
    {"good", R"(good.test. MX 10 mx1.good.test.
                good.test. MX 20 mx2.good.test.
                mx1.good.test. A 192.0.2.1
                mx2.good.test. AAAA 2001:db8::2)",
     Status::Pass, {"MX_OK"}, {"MX_SINGLE_HOST", "MX_LOOKUP_ERROR"}, true},
    {"single", R"(single.test. MX 10 mx.single.test.
                  mx.single.test. A 192.0.2.1)",
     Status::Warn, {"MX_SINGLE_HOST", "MX_OK"}, {}, true},
    {"nullmx", R"(nullmx.test. MX 0 .
                  nullmx.test. A 192.0.2.9)",
     Status::Pass, {"MX_NULL_MX"}, {"MX_IMPLICIT"}, false},
    {"nullnoaddr", "nullnoaddr.test. MX 0 .", Status::Pass, {"MX_NULL_MX"}, {}, false},
    {"mixed", R"(mixed.test. MX 0 .
                 mixed.test. MX 10 mx.mixed.test.
                 mx.mixed.test. A 192.0.2.1)",
     Status::Fail, {"MX_NULL_MX_WITH_OTHER_MX"}, {}, true},
    {"implicit", "implicit.test. A 192.0.2.7", Status::Warn, {"MX_IMPLICIT"}, {}, true},
    {"nomail", "nomail.test. TXT \"v=spf1 -all\"", Status::Pass, {"MX_NONE"}, {}, false},
    {"cname", R"(cname.test. MX 10 alias.cname.test.
                 cname.test. MX 20 mx2.cname.test.
                 alias.cname.test. CNAME real.cname.test.
                 real.cname.test. A 192.0.2.3
                 mx2.cname.test. A 192.0.2.4)",
     Status::Warn, {"MX_TARGET_CNAME"}, {"MX_HOST_UNRESOLVABLE"}, true},
    {"literal", R"(literal.test. MX 10 192.0.2.1.
                   literal.test. MX 20 mx.literal.test.
                   mx.literal.test. A 192.0.2.4)",
     Status::Fail, {"MX_TARGET_IP_LITERAL"}, {}, true},
    {"dangling", R"(dangling.test. MX 10 gone.dangling.test.
                    dangling.test. MX 20 mx.dangling.test.
                    mx.dangling.test. A 192.0.2.4)",
     Status::Fail, {"MX_HOST_UNRESOLVABLE"}, {"MX_OK"}, true},
    // A lookup that could not be answered is an error, never a failure.
    {"broken", "broken.test. A 192.0.2.1", Status::Error, {"MX_LOOKUP_ERROR"},
     {"MX_IMPLICIT", "MX_NONE"}, true},
    {"slow", R"(slow.test. MX 10 mx.slow.test.)", Status::Error, {"MX_LOOKUP_ERROR"},
     {"MX_HOST_UNRESOLVABLE"}, true},
    {"missing", "other.test. A 192.0.2.1", Status::Info, {"MX_DOMAIN_NOT_FOUND"}, {}, false},
};

INSTANTIATE_TEST_SUITE_P(Mx01, MxScenario, ::testing::ValuesIn(kScenarios),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Mx01, ResolvesAtMostTenHostsInPreferenceOrder) {
  dns::FixtureResolver f;
  for (int i = 0; i < 12; ++i)
    f.addRecord("many.test. MX " + std::to_string(50 - i) + " mx" + std::to_string(i) +
                ".many.test.");
  auto e = gatherMx(f, "many.test");
  ASSERT_EQ(e.hosts.size(), kMaxMxHosts);
  EXPECT_EQ(e.total_hosts, 12u);
  EXPECT_EQ(e.hosts.front().name, "mx11.many.test");
  EXPECT_TRUE(judgeMx01(e).hasTag("MX_TOO_MANY_HOSTS"));
}

TEST(Mx01, RemediationIsBilingual) {
  dns::FixtureResolver f;
  f.addZone("m.test. MX 0 .\nm.test. MX 10 mx.m.test.\nmx.m.test. A 192.0.2.1");
  auto r = judgeMx01(gatherMx(f, "m.test"));
  EXPECT_NE(r.remediation.en.find("RFC 7505"), std::string::npos);
  EXPECT_NE(r.remediation.vi.find("Xóa"), std::string::npos);
}

}  // namespace
}  // namespace mh::mx
