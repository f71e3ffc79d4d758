// Tests for checks/mta_sts/mta_sts_check.cpp: MTASTS-01 record scenarios on a fixture resolver
// (network checks disabled) and the policy verdicts on synthetic fetch evidence.
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
  CheckResult r = judgeMtaSts01(gatherMtaSts(f, "example.test", nullptr),
                                mx::gatherMx(f, "example.test"), profile);
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
  CheckResult r = judgeMtaSts01(gatherMtaSts(f, "EXAMPLE.test.", nullptr),
                                mx::gatherMx(f, "example.test"), DomainProfile{});
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].argText("id"), "abc123");
  EXPECT_TRUE(r.remediation.empty());
}

// The record-only entry points kept for callers not yet passing MX evidence and fetch options.
TEST(MtaStsCheck, RecordOnlyOverloadsMatchFetchDisabled) {
  FixtureResolver f;
  f.addZone("_mta-sts.example.test. 300 IN TXT \"v=STSv1; id=1\"");
  const MtaStsEvidence e = gatherMtaSts(f, "example.test");
  EXPECT_FALSE(e.fetch.has_value());
  CheckResult r = judgeMtaSts01(e, DomainProfile{});
  EXPECT_EQ(toString(r.status), "info");
  EXPECT_TRUE(r.hasTag("MTASTS_POLICY_NOT_FETCHED"));
  EXPECT_EQ(f.queryCount(), 1u) << "no policy host lookup when fetching is disabled";
}

// A record-valid evidence with a synthetic fetch of the given outcome and policy body.
MtaStsEvidence withFetch(FetchOutcome outcome, std::string body = "") {
  MtaStsEvidence e;
  e.domain = "example.test";
  e.answer.qname = "_mta-sts.example.test";
  e.answer.qtype = dns::rr::TXT;
  e.answer.status = DnsStatus::NoError;
  e.texts = {"v=STSv1; id=20260101"};
  e.records = {parseMtaStsRecord(e.texts[0])};
  PolicyFetch f;
  f.host = "mta-sts.example.test";
  f.url = "https://mta-sts.example.test/.well-known/mta-sts.txt";
  f.outcome = outcome;
  f.detail = "synthetic";
  if (outcome == FetchOutcome::Ok) {
    f.http_status = 200;
    f.body = body;
    f.policy = parseMtaStsPolicy(body);
  }
  if (outcome == FetchOutcome::Redirect) {
    f.http_status = 301;
    f.location = "https://www.example.test/mta-sts.txt";
  }
  if (outcome == FetchOutcome::NotAllowed)
    f.attempts.push_back({"10.0.0.1", "private", false, "not-allowed", ""});
  e.fetch = f;
  return e;
}

mx::MxEvidence mxOf(std::initializer_list<const char*> hosts,
                    DnsStatus status = DnsStatus::NoError) {
  mx::MxEvidence m;
  m.domain = "example.test";
  m.mx.status = status;
  std::uint16_t pref = 10;
  for (const char* h : hosts) {
    mx::MxHost host;
    host.name = h;
    host.preference = pref;
    pref += 10;
    m.hosts.push_back(host);
  }
  m.total_hosts = m.hosts.size();
  return m;
}

const std::string kEnforce =
    "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmx: *.backup.example.test\n"
    "max_age: 1209600\n";

struct PolicyCase {
  std::string name;
  MtaStsEvidence evidence;
  mx::MxEvidence mx;
  Status status;
  std::vector<std::string> tags;
};

std::vector<PolicyCase> policyCases() {
  const auto mx2 = mxOf({"mx1.example.test", "a.backup.example.test"});
  return {
      {"EnforceCoveringEveryMxPasses",
       withFetch(FetchOutcome::Ok, kEnforce),
       mx2,
       Status::Pass,
       {"MTASTS_POLICY_FETCHED", "MTASTS_POLICY_ENFORCED"}},
      {"TestingWarns",
       withFetch(FetchOutcome::Ok,
                 "version: STSv1\nmode: testing\nmx: mx1.example.test\n"
                 "max_age: 604800\n"),
       mxOf({"mx1.example.test"}),
       Status::Warn,
       {"MTASTS_MODE_TESTING"}},
      {"ShortMaxAgeWarns",
       withFetch(FetchOutcome::Ok,
                 "version: STSv1\nmode: enforce\nmx: mx1.example.test\n"
                 "max_age: 86399\n"),
       mxOf({"mx1.example.test"}),
       Status::Warn,
       {"MTASTS_MAX_AGE_SHORT"}},
      {"OneDayMaxAgeIsEnough",
       withFetch(FetchOutcome::Ok,
                 "version: STSv1\nmode: enforce\nmx: mx1.example.test\n"
                 "max_age: 86400\n"),
       mxOf({"mx1.example.test"}),
       Status::Pass,
       {"MTASTS_POLICY_ENFORCED"}},
      {"UncoveredMxFails",
       withFetch(FetchOutcome::Ok, kEnforce),
       mxOf({"mx1.example.test", "mx2.example.test"}),
       Status::Fail,
       {"MTASTS_MX_NOT_COVERED"}},
      {"WildcardCoversOneLabelOnly",
       withFetch(FetchOutcome::Ok, kEnforce),
       mxOf({"a.b.backup.example.test"}),
       Status::Fail,
       {"MTASTS_MX_NOT_COVERED"}},
      {"ModeNoneFails",
       withFetch(FetchOutcome::Ok, "version: STSv1\nmode: none\nmax_age: 604800\n"),
       mx2,
       Status::Fail,
       {"MTASTS_MODE_NONE"}},
      {"InvalidPolicyFails",
       withFetch(FetchOutcome::Ok, "version: STSv1\nmode: enforce\n"),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_INVALID"}},
      {"MxLookupErrorIsError",
       withFetch(FetchOutcome::Ok, kEnforce),
       mxOf({}, DnsStatus::ServFail),
       Status::Error,
       {"MTASTS_MX_UNKNOWN"}},
      {"NotFoundFails",
       withFetch(FetchOutcome::HttpStatus),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_UNREACHABLE"}},
      {"NoSuchHostFails",
       withFetch(FetchOutcome::NoAddress),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_UNREACHABLE"}},
      {"TooLargeFails",
       withFetch(FetchOutcome::TooLarge),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_UNREACHABLE"}},
      {"MalformedFails",
       withFetch(FetchOutcome::MalformedResponse),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_UNREACHABLE"}},
      {"RedirectFails",
       withFetch(FetchOutcome::Redirect),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_REDIRECT"}},
      {"ContentTypeFails",
       withFetch(FetchOutcome::WrongContentType),
       mx2,
       Status::Fail,
       {"MTASTS_POLICY_CONTENT_TYPE"}},
      {"CertificateFails",
       withFetch(FetchOutcome::CertificateInvalid),
       mx2,
       Status::Fail,
       {"MTASTS_CERT_INVALID"}},
      {"DnsErrorIsError",
       withFetch(FetchOutcome::DnsError),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"ConnectFailedIsError",
       withFetch(FetchOutcome::ConnectFailed),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"TimeoutIsError",
       withFetch(FetchOutcome::Timeout),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"TlsFailureIsError",
       withFetch(FetchOutcome::TlsFailed),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"ServerUnavailableIsError",
       withFetch(FetchOutcome::ServerUnavailable),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"DroppedIsError",
       withFetch(FetchOutcome::ConnectionDropped),
       mx2,
       Status::Error,
       {"MTASTS_FETCH_ERROR"}},
      {"NotAllowedIsError",
       withFetch(FetchOutcome::NotAllowed),
       mx2,
       Status::Error,
       {"MTASTS_TARGET_NOT_ALLOWED"}},
  };
}

TEST(MtaStsPolicyVerdict, Table) {
  for (const auto& c : policyCases()) {
    SCOPED_TRACE(c.name);
    const CheckResult r = judgeMtaSts01(c.evidence, c.mx, DomainProfile{});
    EXPECT_EQ(toString(r.status), toString(c.status));
    for (const auto& t : c.tags) EXPECT_TRUE(r.hasTag(t)) << t;
    EXPECT_TRUE(r.hasTag("MTASTS_RECORD_VALID"));
    EXPECT_FALSE(r.hasTag("MTASTS_POLICY_NOT_FETCHED"));
    for (const auto& finding : r.findings)
      EXPECT_NE(findTagSpec(mtaStsTagSpecs(), finding.tag), nullptr) << finding.tag;
    if (r.status == Status::Fail || r.status == Status::Warn) {
      EXPECT_FALSE(r.remediation.en.empty());
      EXPECT_FALSE(r.remediation.vi.empty());
      EXPECT_EQ(r.remediation.en.find('{'), std::string::npos) << r.remediation.en;
      EXPECT_EQ(r.remediation.vi.find('{'), std::string::npos) << r.remediation.vi;
    } else {
      EXPECT_TRUE(r.remediation.empty());
    }
    ASSERT_NE(r.evidence.find("fetch"), nullptr);
    EXPECT_EQ(r.status == Status::Pass, r.hasTag("MTASTS_POLICY_ENFORCED"));
  }
}

TEST(MtaStsPolicyVerdict, NotCoveredNamesTheHost) {
  const CheckResult r =
      judgeMtaSts01(withFetch(FetchOutcome::Ok, kEnforce),
                    mxOf({"mx1.example.test", "mx9.other.test"}), DomainProfile{});
  ASSERT_TRUE(r.hasTag("MTASTS_MX_NOT_COVERED"));
  for (const auto& f : r.findings)
    if (f.tag == "MTASTS_MX_NOT_COVERED") {
      EXPECT_EQ(f.argText("host"), "mx9.other.test");
    }
  EXPECT_NE(r.remediation.vi.find("mx: mx9.other.test"), std::string::npos);
  ASSERT_NE(r.evidence.find("coverage"), nullptr);
}

TEST(MtaStsPolicyVerdict, WithoutMxEvidenceNoPass) {
  const CheckResult r = judgeMtaSts01(withFetch(FetchOutcome::Ok, kEnforce), DomainProfile{});
  EXPECT_EQ(toString(r.status), "info");
  EXPECT_TRUE(r.hasTag("MTASTS_MX_NOT_CHECKED"));
}

TEST(MtaStsPolicyVerdict, ImplicitMxIsTheDomain) {
  mx::MxEvidence m = mxOf({});
  m.mx.status = DnsStatus::NoData;
  m.a.status = DnsStatus::NoError;
  dns::DnsRecord a;
  a.owner = "example.test";
  a.type = dns::rr::A;
  a.data = "192.0.2.1";
  m.a.records.push_back(a);
  const CheckResult r = judgeMtaSts01(withFetch(FetchOutcome::Ok, kEnforce), m, DomainProfile{});
  EXPECT_EQ(toString(r.status), "fail");
  EXPECT_TRUE(r.hasTag("MTASTS_MX_NOT_COVERED"));
}

TEST(MtaStsPolicyVerdict, NotReceivingIsNaWhateverTheFetch) {
  DomainProfile profile;
  profile.receives_mail = false;
  const CheckResult r = judgeMtaSts01(withFetch(FetchOutcome::HttpStatus), mxOf({}), profile);
  EXPECT_EQ(toString(r.status), "na");
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
