// Tests for checks/mta_sts/mta_sts_check.cpp: MTASTS-01 record-part scenarios on a fixture
// resolver.
#include "checks/mta_sts/mta_sts_check.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::mta_sts {
namespace {

using dns::DnsStatus;
using dns::FixtureResolver;

struct Scenario {
  std::string name;
  std::string zone;
  DnsStatus forced = DnsStatus::NoError;  // NoError: no forced outcome
  Status status;
  std::vector<std::string> tags;
  bool receives_mail = true;
};

const std::vector<Scenario> kScenarios = {
    {"ValidRecordIsInfoUntilThePolicyIsFetched",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=20240101T000000Z;\"",
     DnsStatus::NoError,
     Status::Info,
     {"MTASTS_RECORD_VALID", "MTASTS_POLICY_NOT_FETCHED"}},
    {"Missing", "", DnsStatus::NoError, Status::Fail, {"MTASTS_RECORD_MISSING"}},
    {"NoDataIsMissing",
     "x._mta-sts.example.test. 300 IN TXT \"other\"",
     DnsStatus::NoError,
     Status::Fail,
     {"MTASTS_RECORD_MISSING"}},
    {"OnlyOtherTxtIsMissing",
     "_mta-sts.example.test. 300 IN TXT \"v=spf1 -all\"",
     DnsStatus::NoError,
     Status::Fail,
     {"MTASTS_RECORD_MISSING"}},
    {"Invalid",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=has-dash\"",
     DnsStatus::NoError,
     Status::Fail,
     {"MTASTS_RECORD_INVALID"}},
    {"VersionNotFirstIsInvalid",
     "_mta-sts.example.test. 300 IN TXT \"id=1; v=STSv1\"",
     DnsStatus::NoError,
     Status::Fail,
     {"MTASTS_RECORD_INVALID"}},
    {"Several",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=1\"\n"
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=2\"",
     DnsStatus::NoError,
     Status::Fail,
     {"MTASTS_MULTIPLE_RECORDS"}},
    {"OneStsBesideOtherTxtIsValid",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=1\"\n"
     "_mta-sts.example.test. 300 IN TXT \"site-verification=abc\"",
     DnsStatus::NoError,
     Status::Info,
     {"MTASTS_RECORD_VALID"}},
    {"SplitStringsAreJoinedWithoutSpaces",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=2024\" \"0101\"",
     DnsStatus::NoError,
     Status::Info,
     {"MTASTS_RECORD_VALID"}},
    {"CnameIsFollowed",
     "_mta-sts.example.test. 300 IN CNAME _mta-sts.provider.test.\n"
     "_mta-sts.provider.test. 300 IN TXT \"v=STSv1; id=7\"",
     DnsStatus::NoError,
     Status::Info,
     {"MTASTS_RECORD_VALID"}},
    {"ServFailIsError", "", DnsStatus::ServFail, Status::Error, {"MTASTS_LOOKUP_ERROR"}},
    {"TimeoutIsError",
     "_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=1\"",
     DnsStatus::Timeout,
     Status::Error,
     {"MTASTS_LOOKUP_ERROR"}},
    {"RefusedIsError", "", DnsStatus::Refused, Status::Error, {"MTASTS_LOOKUP_ERROR"}},
    {"NotReceivingIsNa", "", DnsStatus::NoError, Status::Na, {}, false},
};

class MtaStsScenario : public testing::TestWithParam<Scenario> {};

TEST_P(MtaStsScenario, Verdict) {
  const Scenario& s = GetParam();
  FixtureResolver f;
  f.addZone("example.test. 300 IN MX 10 mx.example.test.\n" + s.zone);
  if (s.forced != DnsStatus::NoError) f.setOutcome("_mta-sts.example.test", dns::rr::TXT, s.forced);
  DomainProfile profile;
  profile.receives_mail = s.receives_mail;
  CheckResult r = judgeMtaSts01(gatherMtaSts(f, "example.test"), profile);
  EXPECT_EQ(r.id, "MTASTS-01");
  EXPECT_EQ(toString(r.status), toString(s.status));
  for (const auto& t : s.tags) EXPECT_TRUE(r.hasTag(t)) << t;
  EXPECT_FALSE(r.status == Status::Pass) << "no pass without the policy";
  for (const auto& finding : r.findings)
    EXPECT_NE(findTagSpec(mtaStsTagSpecs(), finding.tag), nullptr) << finding.tag;
  if (r.status == Status::Fail) {
    EXPECT_NE(r.remediation.en.find("_mta-sts.example.test"), std::string::npos);
    EXPECT_NE(r.remediation.vi.find("_mta-sts.example.test"), std::string::npos);
  }
  if (r.status != Status::Na) {
    EXPECT_NE(r.evidence.find("answer"), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, MtaStsScenario, testing::ValuesIn(kScenarios),
                         [](const auto& info) { return info.param.name; });

TEST(MtaStsCheck, ValidRecordReportsItsId) {
  FixtureResolver f;
  f.addZone("_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=abc123\"");
  CheckResult r = judgeMtaSts01(gatherMtaSts(f, "EXAMPLE.test."), DomainProfile{});
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].argText("id"), "abc123");
  EXPECT_TRUE(r.remediation.empty());
}

TEST(MtaStsCheck, TagCatalogueIsWellFormed) {
  std::set<std::string_view> seen;
  for (const auto& spec : mtaStsTagSpecs()) {
    EXPECT_TRUE(seen.insert(spec.tag).second) << spec.tag;
    EXPECT_TRUE(spec.tag.starts_with("MTASTS_")) << spec.tag;
    EXPECT_EQ(spec.check_id, "MTASTS-01");
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
  }
}

}  // namespace
}  // namespace mh::mta_sts
