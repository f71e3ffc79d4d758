// Tests for checks/spf/spf_check.cpp: SPF-01/02/03 scenario tables over fixture zones.
#include "checks/spf/spf_check.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::spf {
namespace {

using dns::DnsStatus;
using dns::FixtureResolver;

struct Forced {
  const char* name;
  std::uint16_t type;
  DnsStatus status;
};

struct Scenario {
  const char* name;
  const char* zone;  // records for "gov.test" and friends
  std::vector<Forced> forced;
  const char* check;  // "SPF-01", "SPF-02", "SPF-03"
  Status status;
  std::vector<std::string> mandatory;
  std::vector<std::string> forbidden;
  bool dmarc_enforcing = false;
};

// Every scenario must pin its check's status and tags (Zonemaster scenario tables).
const Scenario kScenarios[] = {
    {"valid_record",
     R"(gov.test. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all")",
     {},
     "SPF-01",
     Status::Pass,
     {"SPF_RECORD_VALID"},
     {"SPF_NO_RECORD"}},
    {"split_strings",
     R"(gov.test. 300 IN TXT "v=spf1 ip4:198.51" ".100.0/24 " "-all")",
     {},
     "SPF-01",
     Status::Pass,
     {"SPF_RECORD_VALID"},
     {"SPF_SYNTAX_ERROR"}},
    {"no_record",
     R"(gov.test. 300 IN TXT "google-site-verification=abc")",
     {},
     "SPF-01",
     Status::Fail,
     {"SPF_NO_RECORD"},
     {"SPF_RR_TYPE_ONLY"}},
    {"nxdomain",
     R"(other.test. 300 IN A 192.0.2.1)",
     {},
     "SPF-01",
     Status::Fail,
     {"SPF_NO_RECORD"},
     {"SPF_LOOKUP_ERROR"}},
    {"spf_rr_only",
     R"(gov.test. 300 IN SPF "v=spf1 -all"
                       gov.test. 300 IN TXT "other")",
     {},
     "SPF-01",
     Status::Fail,
     {"SPF_RR_TYPE_ONLY"},
     {"SPF_RECORD_VALID"}},
    {"two_records",
     R"(gov.test. 300 IN TXT "v=spf1 -all"
                       gov.test. 300 IN TXT "v=spf1 mx -all")",
     {},
     "SPF-01",
     Status::Fail,
     {"SPF_MULTIPLE_RECORDS"},
     {"SPF_RECORD_VALID"}},
    {"syntax_error",
     R"(gov.test. 300 IN TXT "v=spf1 ip4:192.0.2.300 -all")",
     {},
     "SPF-01",
     Status::Fail,
     {"SPF_SYNTAX_ERROR"},
     {"SPF_RECORD_VALID"}},
    {"txt_servfail",
     R"(gov.test. 300 IN A 192.0.2.1)",
     {{"gov.test", dns::rr::TXT, DnsStatus::ServFail}},
     "SPF-01",
     Status::Error,
     {"SPF_LOOKUP_ERROR"},
     {"SPF_NO_RECORD"}},
    {"txt_timeout_02",
     R"(gov.test. 300 IN A 192.0.2.1)",
     {{"gov.test", dns::rr::TXT, DnsStatus::Timeout}},
     "SPF-02",
     Status::Error,
     {"SPF_LOOKUP_ERROR"},
     {"SPF_NO_RECORD", "SPF_NO_ALL"}},
    {"txt_timeout_03",
     R"(gov.test. 300 IN A 192.0.2.1)",
     {{"gov.test", dns::rr::TXT, DnsStatus::Timeout}},
     "SPF-03",
     Status::Error,
     {"SPF_LOOKUP_ERROR"},
     {"SPF_NO_RECORD"}},

    {"hardfail",
     R"(gov.test. 300 IN TXT "v=spf1 mx -all")",
     {},
     "SPF-02",
     Status::Pass,
     {"SPF_POLICY_HARDFAIL"},
     {"SPF_POLICY_SOFTFAIL"}},
    {"softfail_no_dmarc",
     R"(gov.test. 300 IN TXT "v=spf1 mx ~all")",
     {},
     "SPF-02",
     Status::Warn,
     {"SPF_POLICY_SOFTFAIL"},
     {"SPF_POLICY_HARDFAIL"}},
    {"softfail_dmarc",
     R"(gov.test. 300 IN TXT "v=spf1 mx ~all")",
     {},
     "SPF-02",
     Status::Pass,
     {"SPF_POLICY_SOFTFAIL_DMARC_ENFORCED"},
     {"SPF_POLICY_SOFTFAIL"},
     true},
    {"neutral_all",
     R"(gov.test. 300 IN TXT "v=spf1 mx ?all")",
     {},
     "SPF-02",
     Status::Fail,
     {"SPF_POLICY_NEUTRAL"},
     {}},
    {"pass_all",
     R"(gov.test. 300 IN TXT "v=spf1 +all")",
     {},
     "SPF-02",
     Status::Fail,
     {"SPF_POLICY_PASS_ALL", "SPF_PASSES_ANY_ADDRESS"},
     {}},
    {"no_all",
     R"(gov.test. 300 IN TXT "v=spf1 ip4:198.51.100.1")",
     {},
     "SPF-02",
     Status::Fail,
     {"SPF_NO_ALL"},
     {"SPF_POLICY_HARDFAIL"}},
    {"redirect_to_hardfail",
     R"(gov.test. 300 IN TXT "v=spf1 redirect=_spf.gov.test"
                                _spf.gov.test. 300 IN TXT "v=spf1 ip4:198.51.100.0/24 -all")",
     {},
     "SPF-02",
     Status::Pass,
     {"SPF_POLICY_HARDFAIL"},
     {"SPF_NO_ALL"}},
    {"redirect_missing_02",
     R"(gov.test. 300 IN TXT "v=spf1 redirect=_spf.gov.test")",
     {},
     "SPF-02",
     Status::Fail,
     {"SPF_REDIRECT_TARGET_MISSING"},
     {"SPF_POLICY_HARDFAIL"}},
    {"redirect_timeout_02",
     R"(gov.test. 300 IN TXT "v=spf1 redirect=_spf.gov.test")",
     {{"_spf.gov.test", dns::rr::TXT, DnsStatus::Timeout}},
     "SPF-02",
     Status::Error,
     {"SPF_LOOKUP_ERROR"},
     {"SPF_REDIRECT_TARGET_MISSING", "SPF_NO_ALL"}},
    {"include_passes_everyone",
     R"(gov.test. 300 IN TXT "v=spf1 include:open.test -all"
                                   open.test. 300 IN TXT "v=spf1 +all")",
     {},
     "SPF-02",
     Status::Fail,
     {"SPF_PASSES_ANY_ADDRESS"},
     {}},

    {"within_limits",
     R"(gov.test. 300 IN TXT "v=spf1 a mx -all"
                         gov.test. 300 IN A 198.51.100.1
                         gov.test. 300 IN MX 10 gov.test.)",
     {},
     "SPF-03",
     Status::Pass,
     {"SPF_LOOKUPS_OK"},
     {"SPF_TOO_MANY_LOOKUPS", "SPF_PTR_USED"}},
    {"ptr_used",
     R"(gov.test. 300 IN TXT "v=spf1 ptr -all")",
     {},
     "SPF-03",
     Status::Warn,
     {"SPF_PTR_USED"},
     {"SPF_LOOKUPS_OK"}},
    {"include_missing",
     R"(gov.test. 300 IN TXT "v=spf1 include:gone.test -all")",
     {},
     "SPF-03",
     Status::Fail,
     {"SPF_INCLUDE_TARGET_MISSING"},
     {"SPF_LOOKUP_ERROR"}},
    {"include_broken",
     R"(gov.test. 300 IN TXT "v=spf1 include:bad.test -all"
                          bad.test. 300 IN TXT "v=spf1 ip4:1.2.3 -all")",
     {},
     "SPF-03",
     Status::Fail,
     {"SPF_INCLUDE_PERMERROR"},
     {}},
    {"include_servfail",
     R"(gov.test. 300 IN TXT "v=spf1 include:prov.test -all")",
     {{"prov.test", dns::rr::TXT, DnsStatus::ServFail}},
     "SPF-03",
     Status::Error,
     {"SPF_LOOKUP_ERROR"},
     {"SPF_INCLUDE_TARGET_MISSING", "SPF_LOOKUPS_OK"}},
    {"redirect_missing_03",
     R"(gov.test. 300 IN TXT "v=spf1 redirect=_spf.gov.test")",
     {},
     "SPF-03",
     Status::Fail,
     {"SPF_REDIRECT_TARGET_MISSING"},
     {}},
    {"void_lookups",
     R"(gov.test. 300 IN TXT "v=spf1 a:x1.gov.test a:x2.gov.test a:x3.gov.test -all")",
     {},
     "SPF-03",
     Status::Fail,
     {"SPF_TOO_MANY_VOID_LOOKUPS"},
     {"SPF_LOOKUPS_OK"}},
    {"nine_lookups",
     R"(gov.test. 300 IN TXT "v=spf1 a a a a a a a a a -all"
                        gov.test. 300 IN A 198.51.100.1)",
     {},
     "SPF-03",
     Status::Warn,
     {"SPF_LOOKUPS_NEAR_LIMIT"},
     {"SPF_TOO_MANY_LOOKUPS"}},
    {"too_many_mx",
     R"(gov.test. 300 IN TXT "v=spf1 mx -all"
                       gov.test. 300 IN MX 1 m.gov.test.
                       gov.test. 300 IN MX 2 m.gov.test.
                       gov.test. 300 IN MX 3 m.gov.test.
                       gov.test. 300 IN MX 4 m.gov.test.
                       gov.test. 300 IN MX 5 m.gov.test.
                       gov.test. 300 IN MX 6 m.gov.test.
                       gov.test. 300 IN MX 7 m.gov.test.
                       gov.test. 300 IN MX 8 m.gov.test.
                       gov.test. 300 IN MX 9 m.gov.test.
                       gov.test. 300 IN MX 10 m.gov.test.
                       gov.test. 300 IN MX 11 m.gov.test.)",
     {},
     "SPF-03",
     Status::Fail,
     {"SPF_TOO_MANY_MX"},
     {"SPF_LOOKUPS_OK"}},
};

// The check ID without its hyphen, then the scenario: "SPF03_too_many_lookups".
std::string testName(const Scenario& s) {
  std::string id = s.check;
  id.erase(id.find('-'), 1);
  return id + "_" + s.name;
}

void PrintTo(const Scenario& s, std::ostream* os) {
  *os << s.name;
}

class SpfCheckScenario : public testing::TestWithParam<Scenario> {};

TEST_P(SpfCheckScenario, StatusAndTags) {
  const Scenario& s = GetParam();
  FixtureResolver f;
  f.addZone(s.zone);
  for (const auto& forced : s.forced) f.setOutcome(forced.name, forced.type, forced.status);
  SpfEvidence e = gatherSpf(f, "gov.test");
  std::string check = s.check;
  CheckResult r = check == "SPF-01"   ? judgeSpf01(e)
                  : check == "SPF-02" ? judgeSpf02(e, s.dmarc_enforcing)
                                      : judgeSpf03(e);
  EXPECT_EQ(r.id, check);
  EXPECT_EQ(r.status, s.status) << toJson(r).dump();
  for (const auto& t : s.mandatory)
    EXPECT_TRUE(r.hasTag(t)) << t << " missing: " << toJson(r).dump();
  for (const auto& t : s.forbidden)
    EXPECT_FALSE(r.hasTag(t)) << t << " present: " << toJson(r).dump();
  for (const auto& finding : r.findings)
    EXPECT_NE(findTagSpec(spfTagSpecs(), finding.tag), nullptr) << finding.tag << " not catalogued";
  if (r.status == Status::Warn || r.status == Status::Fail) {
    EXPECT_FALSE(r.remediation.en.empty());
    EXPECT_FALSE(r.remediation.vi.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Rubric, SpfCheckScenario, testing::ValuesIn(kScenarios),
                         [](const auto& info) { return testName(info.param); });

// The shared-provider chain from spf_eval_test: the finding and evidence name the include.
TEST(SpfCheck, SPF03_TooManyLookupsNamesTheIncludeThatBreaksTheLimit) {
  FixtureResolver f;
  f.addZone(R"(
    gov.test. 300 IN TXT "v=spf1 a mx include:_spf.provider.test include:mail.other.test -all"
    gov.test. 300 IN A 192.0.2.10
    gov.test. 300 IN MX 10 mx.gov.test.
    mx.gov.test. 300 IN A 192.0.2.11
    _spf.provider.test. 300 IN TXT "v=spf1 include:_a.provider.test include:_b.provider.test ~all"
    _a.provider.test. 300 IN TXT "v=spf1 a:a1.provider.test a:a2.provider.test ~all"
    _b.provider.test. 300 IN TXT "v=spf1 ip4:203.0.113.0/24 ~all"
    a1.provider.test. 300 IN A 198.51.100.1
    a2.provider.test. 300 IN A 198.51.100.2
    mail.other.test. 300 IN TXT "v=spf1 include:x.other.test include:y.other.test ~all"
    x.other.test. 300 IN TXT "v=spf1 a:h1.other.test a:h2.other.test ~all"
    y.other.test. 300 IN TXT "v=spf1 ip4:198.51.100.128/25 ~all"
    h1.other.test. 300 IN A 198.51.100.200
    h2.other.test. 300 IN A 198.51.100.201
  )");
  SpfEvidence e = gatherSpf(f, "gov.test");
  CheckResult r = judgeSpf03(e);
  EXPECT_EQ(r.status, Status::Fail);
  ASSERT_TRUE(r.hasTag("SPF_TOO_MANY_LOOKUPS"));
  const Finding* f12 = nullptr;
  for (const auto& x : r.findings)
    if (x.tag == "SPF_TOO_MANY_LOOKUPS") f12 = &x;
  EXPECT_EQ(f12->argText("count"), "12");
  EXPECT_EQ(f12->argText("limit"), "10");
  EXPECT_EQ(f12->argText("at"), "include:mail.other.test > include:x.other.test > a:h2.other.test");
  std::string evidence = r.evidence.dump();
  EXPECT_NE(evidence.find("\"term\":\"include:mail.other.test\""), std::string::npos);
  EXPECT_NE(evidence.find("\"cumulative_lookups\":11"), std::string::npos);
  EXPECT_NE(evidence.find("\"query\":\"gov.test TXT\""), std::string::npos);
  EXPECT_NE(r.remediation.vi.find("tối đa 10"), std::string::npos);
  // Rubric 2026-12: the record permerrors, so receivers get no policy from it whatever it ends
  // with; SPF-02 says so (critical) and SPF-03 carries the cause.
  const CheckResult spf2 = judgeSpf02(e, true);
  EXPECT_EQ(spf2.status, Status::Fail);
  EXPECT_TRUE(spf2.hasTag("SPF_POLICY_PERMERROR"));
  EXPECT_FALSE(spf2.hasTag("SPF_POLICY_HARDFAIL"));
}

TEST(SpfCheck, RejectsAllSignalFollowsRedirects) {
  FixtureResolver f;
  f.addZone(R"(
    parked.test. 300 IN TXT "v=spf1 -all"
    parked2.test. 300 IN TXT "v=spf1 redirect=_nomail.test"
    _nomail.test. 300 IN TXT "v=spf1 -all"
    sender.test. 300 IN TXT "v=spf1 mx -all"
    soft.test. 300 IN TXT "v=spf1 ~all"
  )");
  EXPECT_TRUE(spfRejectsAll(gatherSpf(f, "parked.test")));
  EXPECT_TRUE(spfRejectsAll(gatherSpf(f, "parked2.test")));
  EXPECT_FALSE(spfRejectsAll(gatherSpf(f, "sender.test")));
  EXPECT_FALSE(spfRejectsAll(gatherSpf(f, "soft.test")));
  EXPECT_FALSE(spfRejectsAll(gatherSpf(f, "absent.test")));
}

TEST(SpfCheck, SPF01_TypeSpfIsQueriedOnlyByGatherAndOnlyWithoutATxtRecord) {
  FixtureResolver f;
  f.addZone(R"(gov.test. 300 IN TXT "v=spf1 include:inc.test -all"
               inc.test. 300 IN TXT "v=spf1 -all")");
  gatherSpf(f, "gov.test");
  for (const auto& q : f.queries()) EXPECT_NE(q.second, dns::rr::SPF) << q.first;
}

TEST(SpfCheck, TagCatalogueIsCompleteAndBilingual) {
  std::set<std::string> seen;
  for (const auto& spec : spfTagSpecs()) {
    EXPECT_TRUE(seen.insert(std::string(spec.tag)).second) << "duplicate " << spec.tag;
    EXPECT_EQ(spec.tag.substr(0, 4), "SPF_");
    EXPECT_FALSE(spec.message.empty());
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
    EXPECT_TRUE(spec.check_id == "SPF-01" || spec.check_id == "SPF-02" ||
                spec.check_id == "SPF-03");
  }
}

}  // namespace
}  // namespace mh::spf
