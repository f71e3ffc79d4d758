// Tests for checks/dmarc/dmarc_check.cpp: fixture zones -> DMARC-01..04 statuses and tags.
#include "checks/dmarc/dmarc_check.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::dmarc {
namespace {

using dns::DnsStatus;
using dns::rr::A;
using dns::rr::TXT;

const PublicSuffixList& psl() {
  static auto list = PublicSuffixList::load(MH_PSL_FILE);
  return *list;
}

struct Outcome {
  const char* name;
  std::uint16_t type;
  DnsStatus status;
};

struct Scenario {
  const char* name;
  const char* domain;
  const char* zone;
  std::vector<Outcome> outcomes;
  std::array<Status, 4> expected;  // DMARC-01..04
  std::vector<const char*> mandatory;
  std::vector<const char*> forbidden;
  bool sends_mail = true;
};

constexpr Status P = Status::Pass, W = Status::Warn, F = Status::Fail, E = Status::Error;

std::vector<Scenario> scenarios() {
  return {
      {"strict",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test")",
       {},
       {P, P, P, P},
       {"DMARC_RECORD_FOUND", "DMARC_POLICY_REJECT", "DMARC_SUBDOMAINS_COVERED",
        "DMARC_RUA_PRESENT"},
       {"DMARC_INHERITED"}},
      {"no record",
       "example.test",
       "example.test. 300 IN A 192.0.2.1",
       {},
       {F, F, F, F},
       {"DMARC_NO_RECORD", "DMARC_NO_USABLE_RECORD"},
       {"DMARC_LOOKUP_ERROR"}},
      {"servfail is error, never fail",
       "example.test",
       "",
       {{"_dmarc.example.test", TXT, DnsStatus::ServFail}},
       {E, E, E, E},
       {"DMARC_LOOKUP_ERROR"},
       {"DMARC_NO_RECORD", "DMARC_NO_USABLE_RECORD"}},
      {"refused is error",
       "example.test",
       "",
       {{"_dmarc.example.test", TXT, DnsStatus::Refused}},
       {E, E, E, E},
       {"DMARC_LOOKUP_ERROR"},
       {"DMARC_NO_RECORD"}},
      {"org lookup timeout while falling back",
       "mail.example.test",
       "mail.example.test. 300 IN A 192.0.2.1",
       {{"_dmarc.example.test", TXT, DnsStatus::Timeout}},
       {E, E, E, E},
       {"DMARC_LOOKUP_ERROR"},
       {"DMARC_NO_RECORD"}},
      {"inherited uses sp",
       "mail.example.test",
       R"(
         mail.example.test. 300 IN A 192.0.2.1
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.test")",
       {},
       {W, W, W, P},
       {"DMARC_INHERITED", "DMARC_POLICY_INHERITED", "DMARC_POLICY_QUARANTINE", "DMARC_SP_WEAKER"},
       {"DMARC_NO_RECORD"}},
      {"inherited by a non-existent name uses np",
       "ghost.example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; np=none; rua=mailto:d@example.test")",
       {},
       {W, F, F, P},
       {"DMARC_INHERITED", "DMARC_POLICY_NONE", "DMARC_NP_NONE"},
       {}},
      {"inherited, existence unknown: sp assumed",
       "mail.example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; np=none; rua=mailto:d@example.test")",
       {{"mail.example.test", A, DnsStatus::Timeout}},
       {W, P, F, P},
       {"DMARC_DOMAIN_EXISTENCE_UNKNOWN", "DMARC_POLICY_REJECT"},
       {"DMARC_LOOKUP_ERROR"}},
      {"two DMARC records",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.test"
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=none")",
       {},
       {F, F, F, F},
       {"DMARC_MULTIPLE_RECORDS", "DMARC_NO_USABLE_RECORD"},
       {}},
      {"other TXT next to DMARC, split strings",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "google-site-verification=abc"
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=" "reject; rua=mailto:" "d@example.test")",
       {},
       {P, P, P, P},
       {"DMARC_RECORD_FOUND"},
       {"DMARC_MULTIPLE_RECORDS"}},
      {"p=none",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@example.test")",
       {},
       {P, F, P, P},
       {"DMARC_POLICY_NONE"},
       {}},
      {"quarantine",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@example.test")",
       {},
       {P, W, P, P},
       {"DMARC_POLICY_QUARANTINE"},
       {}},
      {"reject in test mode with pct",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; t=y; pct=50; rua=mailto:d@example.test")",
       {},
       {P, W, P, P},
       {"DMARC_TESTING_MODE", "DMARC_PCT_PARTIAL", "DMARC_LEGACY_TAG"},
       {}},
      {"sp=none",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.test")",
       {},
       {P, P, F, P},
       {"DMARC_SP_NONE"},
       {"DMARC_SUBDOMAINS_COVERED"}},
      {"np=quarantine under reject",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; np=quarantine; rua=mailto:d@example.test")",
       {},
       {P, P, W, P},
       {"DMARC_NP_WEAKER"},
       {}},
      {"external rua authorised",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@collector.test"
         example.test._report._dmarc.collector.test. 300 IN TXT "v=DMARC1")",
       {},
       {P, P, P, P},
       {"DMARC_EXTERNAL_AUTHORISED"},
       {"DMARC_EXTERNAL_RUA_UNAUTHORISED"}},
      {"external rua authorised by wildcard",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@collector.test"
         *._report._dmarc.collector.test. 300 IN TXT "v=DMARC1;")",
       {},
       {P, P, P, P},
       {"DMARC_EXTERNAL_AUTHORISED"},
       {}},
      {"external rua unauthorised",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@collector.test"
         other._report._dmarc.collector.test. 300 IN TXT "v=DMARC1")",
       {},
       {P, P, P, W},
       {"DMARC_EXTERNAL_RUA_UNAUTHORISED"},
       {"DMARC_EXTERNAL_AUTHORISED"}},
      {"external ruf authorisation lookup fails: error, not unauthorised",
       "example.test",
       R"(
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.test; ruf=mailto:f@collector.test")",
       {{"example.test._report._dmarc.collector.test", TXT, DnsStatus::ServFail}},
       {P, P, P, E},
       {"DMARC_EXTERNAL_AUTH_LOOKUP_ERROR"},
       {"DMARC_EXTERNAL_RUF_UNAUTHORISED"}},
      {"same organisational domain needs no authorisation",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.test"
         reports.example.test. 300 IN MX 10 mx.example.test.)",
       {},
       {P, P, P, P},
       {"DMARC_RUA_PRESENT"},
       {"DMARC_EXTERNAL_AUTHORISED", "DMARC_EXTERNAL_RUA_UNAUTHORISED"}},
      // Rubric 2026-12: reports to a domain with no MX and no address bounce.
      {"DMARC-04 rua destination that cannot receive mail",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.test"
         reports.example.test. 300 IN TXT "no mail here")",
       {},
       {P, P, P, W},
       {"DMARC_RUA_PRESENT", "DMARC_DESTINATION_CANNOT_RECEIVE"},
       {}},
      {"DMARC-04 rua destination with a null MX",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.test"
         reports.example.test. 300 IN MX 0 .)",
       {},
       {P, P, P, W},
       {"DMARC_DESTINATION_CANNOT_RECEIVE"},
       {}},
      {"DMARC-04 rua destination reached by its address (implicit MX)",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.test"
         reports.example.test. 300 IN A 192.0.2.25)",
       {},
       {P, P, P, P},
       {"DMARC_RUA_PRESENT"},
       {"DMARC_DESTINATION_CANNOT_RECEIVE"}},
      {"DMARC-04 rua destination whose MX lookup fails: error, not a warning",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.test")",
       {{"reports.example.test", dns::rr::MX, dns::DnsStatus::ServFail}},
       {P, P, P, E},
       {"DMARC_DESTINATION_LOOKUP_ERROR"},
       {"DMARC_DESTINATION_CANNOT_RECEIVE"}},
      {"no reporting",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject")",
       {},
       {P, P, P, F},
       {"DMARC_REPORTING_MISSING"},
       {}},
      {"no reporting on a non-sending domain is a warning",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject")",
       {},
       {P, P, P, W},
       {"DMARC_REPORTING_MISSING"},
       {},
       false},
      {"ruf only",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; ruf=mailto:f@example.test")",
       {},
       {P, P, P, W},
       {"DMARC_RUF_ONLY"},
       {}},
      {"rua without mailto is no reporting",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=dmarc@example.test")",
       {},
       {P, P, P, F},
       {"DMARC_URI_INVALID", "DMARC_REPORTING_MISSING"},
       {}},
      {"invalid own record: no fallback to the organisational domain",
       "mail.example.test",
       R"(
         _dmarc.mail.example.test. 300 IN TXT "v=DMARC1; p=foo"
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.test")",
       {},
       {F, F, F, F},
       {"DMARC_RECORD_INVALID", "DMARC_POLICY_INVALID"},
       {"DMARC_INHERITED"}},
      {"duplicate tag invalidates",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; p=none")",
       {},
       {F, F, F, F},
       {"DMARC_DUPLICATE_TAG", "DMARC_RECORD_INVALID"},
       {}},
      {"subdomain record: its subdomains follow the organisational domain",
       "mail.example.test",
       R"(
         _dmarc.mail.example.test. 300 IN TXT "v=DMARC1; p=reject; sp=reject; rua=mailto:d@example.test"
         _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.test")",
       {},
       {P, P, F, P},
       {"DMARC_SP_IGNORED_ON_SUBDOMAIN", "DMARC_SP_NONE"},
       {}},
      {"subdomain record, organisational domain without one",
       "mail.example.test",
       R"(_dmarc.mail.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.test")",
       {},
       {P, P, W, P},
       {"DMARC_SUBDOMAIN_ORG_NO_RECORD"},
       {}},
      {"subdomain record, org lookup fails: only DMARC-03 is unknown",
       "mail.example.test",
       R"(_dmarc.mail.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.test")",
       {{"_dmarc.example.test", TXT, DnsStatus::Timeout}},
       {P, P, E, P},
       {"DMARC_LOOKUP_ERROR"},
       {}},
      {"wrong version only",
       "example.test",
       R"(_dmarc.example.test. 300 IN TXT "v=DMARC2; p=reject")",
       {},
       {F, F, F, F},
       {"DMARC_VERSION_INVALID", "DMARC_NO_RECORD"},
       {}},
      {"gov.vn agency subdomain inherits from the agency, not gov.vn",
       "x.hanoi.gov.vn",
       R"(
         x.hanoi.gov.vn. 300 IN A 192.0.2.1
         _dmarc.hanoi.gov.vn. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@hanoi.gov.vn"
         hanoi.gov.vn. 300 IN MX 10 mail.hanoi.gov.vn.
         _dmarc.gov.vn. 300 IN TXT "v=DMARC1; p=none; rua=mailto:x@gov.vn")",
       {},
       {W, P, P, P},
       {"DMARC_INHERITED", "DMARC_POLICY_REJECT"},
       {}},
  };
}

// Printed by name instead of GoogleTest's byte dump.
void PrintTo(const Scenario& s, std::ostream* os) {
  *os << s.name;
}

class DmarcScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(DmarcScenario, StatusesAndTags) {
  const Scenario& s = GetParam();
  dns::FixtureResolver f;
  // The report destinations of the table receive mail (DMARC-04 asks), unless a row says not.
  f.addZone(R"(example.test. 300 IN MX 10 mx.example.test.
               collector.test. 300 IN MX 10 mx.collector.test.)");
  f.addZone(s.zone);
  for (const auto& o : s.outcomes) f.setOutcome(o.name, o.type, o.status);
  auto e = gatherDmarc(f, s.domain, psl());
  DomainProfile profile;
  profile.sends_mail = s.sends_mail;
  std::array<CheckResult, 4> results = {judgeDmarc01(e), judgeDmarc02(e), judgeDmarc03(e),
                                        judgeDmarc04(e, profile)};
  const std::array<std::string, 4> ids = {"DMARC-01", "DMARC-02", "DMARC-03", "DMARC-04"};
  std::set<std::string> tags;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i].id, ids[i]);
    EXPECT_EQ(toString(results[i].status), toString(s.expected[i]))
        << s.name << ": " << results[i].id << " " << toJson(results[i]).dump();
    for (const auto& finding : results[i].findings) {
      tags.insert(finding.tag);
      EXPECT_NE(findTagSpec(dmarcTagSpecs(), finding.tag), nullptr) << finding.tag;
    }
    if (results[i].status == Status::Fail || results[i].status == Status::Warn) {
      EXPECT_FALSE(results[i].remediation.en.empty()) << s.name << " " << results[i].id;
      EXPECT_FALSE(results[i].remediation.vi.empty()) << s.name << " " << results[i].id;
    }
  }
  for (const char* t : s.mandatory) EXPECT_TRUE(tags.count(t)) << s.name << " lacks " << t;
  for (const char* t : s.forbidden) EXPECT_FALSE(tags.count(t)) << s.name << " has " << t;
}

INSTANTIATE_TEST_SUITE_P(DMARC01to04, DmarcScenario, ::testing::ValuesIn(scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return "s" + std::to_string(info.index);
                         });

DmarcEvidence gather(const char* zone, const char* domain = "example.test") {
  dns::FixtureResolver f;
  f.addZone(zone);
  return gatherDmarc(f, domain, psl());
}

TEST(DmarcCheck, DMARC02_EnforcingAndRejectSignals) {
  auto reject = gather(R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject")");
  EXPECT_TRUE(dmarcEnforcing(reject));
  EXPECT_TRUE(dmarcRejects(reject));
  auto quarantine = gather(R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=quarantine")");
  EXPECT_TRUE(dmarcEnforcing(quarantine));
  EXPECT_FALSE(dmarcRejects(quarantine));
  // RFC 9989 §4.7: t=y lowers the applied policy one level.
  auto testing = gather(R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; t=y")");
  EXPECT_TRUE(dmarcEnforcing(testing));
  EXPECT_FALSE(dmarcRejects(testing));
  auto quarantineTest = gather(R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=quarantine; t=y")");
  EXPECT_FALSE(dmarcEnforcing(quarantineTest));
  auto partial = gather(R"(_dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; pct=20")");
  EXPECT_FALSE(dmarcRejects(partial));
  auto none = gather("example.test. 300 IN A 192.0.2.1");
  EXPECT_FALSE(dmarcEnforcing(none));
  EXPECT_FALSE(dmarcRejects(none));
  // Inherited: sp of the organisational domain is what applies to the subdomain.
  auto inherited = gather(R"(
    mail.example.test. 300 IN A 192.0.2.1
    _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; sp=none")",
                          "mail.example.test");
  EXPECT_FALSE(dmarcEnforcing(inherited));
  EXPECT_EQ(appliedPolicy(inherited), Policy::None);
}

TEST(DmarcCheck, DMARC01_ErrorsAreNeverEnforcingNorFailures) {
  dns::FixtureResolver f;
  f.setOutcome("_dmarc.example.test", TXT, DnsStatus::NetworkError);
  auto e = gatherDmarc(f, "example.test", psl());
  EXPECT_TRUE(e.lookupError());
  EXPECT_FALSE(dmarcEnforcing(e));
  auto r = judgeDmarc01(e);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].argText("name"), "_dmarc.example.test");
  EXPECT_EQ(r.findings[0].argText("status"), "NETWORK_ERROR");
  EXPECT_EQ(f.queryCount(), 1u);  // nothing is asked after a failed first lookup
}

TEST(DmarcCheck, DMARC02_FailedOrgLookupDoesNotHideTheOwnPolicy) {
  dns::FixtureResolver f;
  f.addZone(R"(_dmarc.mail.example.test. 300 IN TXT "v=DMARC1; p=reject")");
  f.setOutcome("_dmarc.example.test", TXT, DnsStatus::ServFail);
  auto e = gatherDmarc(f, "mail.example.test", psl());
  EXPECT_TRUE(e.lookupError());  // DMARC-03 needs it
  EXPECT_TRUE(dmarcRejects(e));  // but the policy of the domain itself is known
}

TEST(DmarcCheck, DMARC04_AsksOnlyWhatItNeeds) {
  dns::FixtureResolver f;
  f.addZone(R"(
    _dmarc.hanoi.gov.vn. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@hanoi.gov.vn,mailto:a@collector.test,mailto:b@collector.test"
    hanoi.gov.vn. 300 IN MX 10 mail.hanoi.gov.vn.
    collector.test. 300 IN MX 10 mx.collector.test.)");
  auto e = gatherDmarc(f, "HANOI.gov.vn.", psl());
  EXPECT_EQ(e.domain, "hanoi.gov.vn");
  EXPECT_EQ(e.org_domain, "hanoi.gov.vn");
  // _dmarc.hanoi.gov.vn, one authorisation query shared by both collector addresses, then the
  // MX of each destination domain once (both have one, so no address is asked).
  ASSERT_EQ(f.queryCount(), 4u);
  EXPECT_EQ(f.queries()[1].first, "hanoi.gov.vn._report._dmarc.collector.test");
  EXPECT_EQ(f.queries()[2], std::make_pair(std::string("hanoi.gov.vn"), dns::rr::MX));
  EXPECT_EQ(f.queries()[3], std::make_pair(std::string("collector.test"), dns::rr::MX));
  EXPECT_EQ(e.authorisations.size(), 2u);
  EXPECT_EQ(e.destinations.size(), 2u);
}

TEST(DmarcCheck, DMARC01_EvidenceHasTheAnswersAndTheRecord) {
  auto e = gather(R"(
    mail.example.test. 300 IN A 192.0.2.1
    _dmarc.example.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@other.test")",
                  "mail.example.test");
  auto j = judgeDmarc01(e).evidence;
  ASSERT_NE(j.find("queries"), nullptr);
  EXPECT_EQ(j.find("queries")->size(), 3u);  // own, org, existence
  ASSERT_NE(j.find("record"), nullptr);
  EXPECT_EQ(j.find("record")->find("domain")->asString(), "example.test");
  EXPECT_TRUE(j.find("record")->find("inherited")->asBool());
  EXPECT_EQ(j.find("org_domain")->asString(), "example.test");
  ASSERT_NE(j.find("authorisations"), nullptr);
  // RFC 7489 §7.1: the policy domain (where the record was found) is prepended.
  EXPECT_NE(j.dump().find("example.test._report._dmarc.other.test"), std::string::npos);
}

TEST(DmarcCheck, TagCatalogueIsCompleteAndBilingual) {
  std::set<std::string_view> seen;
  for (const auto& spec : dmarcTagSpecs()) {
    EXPECT_TRUE(seen.insert(spec.tag).second) << "duplicate " << spec.tag;
    EXPECT_EQ(spec.check_id.substr(0, 7), "DMARC-0") << spec.tag;
    EXPECT_FALSE(spec.message.empty()) << spec.tag;
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
    if (!spec.remediation_vi.empty()) {
      // Vietnamese with diacritics: some byte is non-ASCII.
      bool nonAscii = false;
      for (char c : spec.remediation_vi)
        nonAscii = nonAscii || static_cast<unsigned char>(c) > 0x7f;
      EXPECT_TRUE(nonAscii) << spec.tag;
    }
  }
  // Every tag the parser can emit is catalogued.
  for (const char* t :
       {"DMARC_RECORD_LEADING_WHITESPACE", "DMARC_VERSION_INVALID", "DMARC_TAG_SYNTAX",
        "DMARC_EMPTY_ELEMENT", "DMARC_DUPLICATE_TAG", "DMARC_TAG_INVALID_VALUE",
        "DMARC_UNKNOWN_TAG", "DMARC_LEGACY_TAG", "DMARC_POLICY_MISSING", "DMARC_POLICY_INVALID",
        "DMARC_POLICY_NOT_SECOND", "DMARC_URI_INVALID", "DMARC_URI_UNSUPPORTED_SCHEME",
        "DMARC_URI_SIZE_LIMIT", "DMARC_URI_MANY"})
    EXPECT_TRUE(seen.count(t)) << t;
}

TEST(DmarcCheck, DMARC01_RemediationNamesTheDomain) {
  auto e = gather("example.test. 300 IN A 192.0.2.1");
  auto r = judgeDmarc01(e);
  EXPECT_NE(r.remediation.en.find("_dmarc.example.test TXT \"v=DMARC1; p=reject;"),
            std::string::npos)
      << r.remediation.en;
  EXPECT_NE(r.remediation.vi.find("Công bố bản ghi DMARC"), std::string::npos);
}

}  // namespace
}  // namespace mh::dmarc
