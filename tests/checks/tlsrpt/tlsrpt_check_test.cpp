// Tests for checks/tlsrpt/tlsrpt_check.cpp: TLSRPT-01 scenarios on a fixture resolver.
#include "checks/tlsrpt/tlsrpt_check.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::tlsrpt {
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
    {"Valid",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tls@example.test\"",
     DnsStatus::NoError,
     Status::Pass,
     {"TLSRPT_RECORD_VALID"}},
    {"ValidWithUnsupportedExtraUri",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=http://r.example.test/,"
     "mailto:tls@example.test\"",
     DnsStatus::NoError,
     Status::Pass,
     {"TLSRPT_RECORD_VALID", "TLSRPT_RUA_UNSUPPORTED_SCHEME"}},
    {"Missing", "", DnsStatus::NoError, Status::Fail, {"TLSRPT_RECORD_MISSING"}},
    {"OnlyOtherTxtIsMissing",
     "_smtp._tls.example.test. 300 IN TXT \"v=spf1 -all\"",
     DnsStatus::NoError,
     Status::Fail,
     {"TLSRPT_RECORD_MISSING"}},
    {"NoRua",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1\"",
     DnsStatus::NoError,
     Status::Fail,
     {"TLSRPT_RECORD_INVALID"}},
    {"WrongVersionIsInvalid",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv2; rua=mailto:tls@example.test\"",
     DnsStatus::NoError,
     Status::Fail,
     {"TLSRPT_RECORD_INVALID"}},
    {"Several",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:a@example.test\"\n"
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:b@example.test\"",
     DnsStatus::NoError,
     Status::Fail,
     {"TLSRPT_MULTIPLE_RECORDS"}},
    {"SplitStringsAreJoinedWithoutSpaces",
     "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tls@exa\" \"mple.test\"",
     DnsStatus::NoError,
     Status::Pass,
     {"TLSRPT_RECORD_VALID"}},
    {"CnameIsFollowed",
     "_smtp._tls.example.test. 300 IN CNAME tlsrpt.provider.test.\n"
     "tlsrpt.provider.test. 300 IN TXT \"v=TLSRPTv1; rua=https://provider.test/r\"",
     DnsStatus::NoError,
     Status::Pass,
     {"TLSRPT_RECORD_VALID"}},
    {"ServFailIsError", "", DnsStatus::ServFail, Status::Error, {"TLSRPT_LOOKUP_ERROR"}},
    {"TimeoutIsError", "", DnsStatus::Timeout, Status::Error, {"TLSRPT_LOOKUP_ERROR"}},
    {"NetworkErrorIsError", "", DnsStatus::NetworkError, Status::Error, {"TLSRPT_LOOKUP_ERROR"}},
    {"NotReceivingIsNa", "", DnsStatus::NoError, Status::Na, {}, false},
};

class TlsRptScenario : public testing::TestWithParam<Scenario> {};

TEST_P(TlsRptScenario, Verdict) {
  const Scenario& s = GetParam();
  FixtureResolver f;
  f.addZone("example.test. 300 IN MX 10 mx.example.test.\n" + s.zone);
  if (s.forced != DnsStatus::NoError) {
    f.setOutcome("_smtp._tls.example.test", dns::rr::TXT, s.forced);
  }
  DomainProfile profile;
  profile.receives_mail = s.receives_mail;
  CheckResult r = judgeTlsRpt01(gatherTlsRpt(f, "example.test"), profile);
  EXPECT_EQ(r.id, "TLSRPT-01");
  EXPECT_EQ(toString(r.status), toString(s.status));
  for (const auto& t : s.tags) EXPECT_TRUE(r.hasTag(t)) << t;
  for (const auto& finding : r.findings) {
    EXPECT_NE(findTagSpec(tlsRptTagSpecs(), finding.tag), nullptr) << finding.tag;
  }
  if (r.status == Status::Fail) {
    EXPECT_NE(r.remediation.en.find("_smtp._tls.example.test"), std::string::npos);
    EXPECT_NE(r.remediation.vi.find("_smtp._tls.example.test"), std::string::npos);
  }
  if (r.status != Status::Na) {
    EXPECT_NE(r.evidence.find("answer"), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(TLSRPT01, TlsRptScenario, testing::ValuesIn(kScenarios),
                         [](const auto& info) { return info.param.name; });

TEST(TlsRptCheck, TLSRPT01_ValidRecordListsItsDestinations) {
  FixtureResolver f;
  f.addZone(
      "_smtp._tls.example.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:a@example.test,"
      "https://r.example.test/x\"");
  CheckResult r = judgeTlsRpt01(gatherTlsRpt(f, "example.test"), DomainProfile{});
  ASSERT_EQ(r.status, Status::Pass);
  EXPECT_EQ(r.findings[0].argText("rua"), "mailto:a@example.test,https://r.example.test/x");
  EXPECT_TRUE(r.remediation.empty());
}

TEST(TlsRptCheck, TagCatalogueIsWellFormed) {
  std::set<std::string_view> seen;
  for (const auto& spec : tlsRptTagSpecs()) {
    EXPECT_TRUE(seen.insert(spec.tag).second) << spec.tag;
    EXPECT_TRUE(spec.tag.starts_with("TLSRPT_")) << spec.tag;
    EXPECT_EQ(spec.check_id, "TLSRPT-01");
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
  }
}

}  // namespace
}  // namespace mh::tlsrpt
