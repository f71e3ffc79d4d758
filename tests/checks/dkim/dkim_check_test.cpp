// Tests for checks/dkim/dkim_check.cpp: DKIM-01/DKIM-02 scenario table on a fixture resolver.
#include "checks/dkim/dkim_check.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/support/record_cases.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"

namespace mh::dkim {
namespace {

using dns::DnsStatus;
using dns::FixtureResolver;

// Public keys from the shared records table (generated for this project).
std::string keyRecord(const std::string& id) {
  static const std::map<std::string, std::string> cases =
      testing_support::loadRecordCases("dkim-key.jsonl");
  auto it = cases.find(id);
  EXPECT_NE(it, cases.end()) << id;
  return it == cases.end() ? "" : it->second;
}

const std::string kRsa2048 = "dkim-key-01";
const std::string kRsa1024 = "dkim-key-02";
const std::string kRsa512 = "dkim-key-04";
const std::string kEd25519 = "dkim-key-06";
const std::string kRevoked = "dkim-key-08";
const std::string kTesting = "dkim-key-13";
const std::string kSha1 = "dkim-key-16";
const std::string kTlsRptOnly = "dkim-key-19";

// A TXT zone line, the text split into 255-octet character-strings as a zone file needs.
std::string txt(const std::string& owner, const std::string& text) {
  std::string line = owner + " 300 IN TXT";
  for (std::size_t i = 0; i < text.size() || i == 0; i += 255)
    line += " \"" + text.substr(i, 255) + "\"";
  return line + "\n";
}

const std::string kDomain = "example.test";
std::string sel(const std::string& s) {
  return s + "._domainkey." + kDomain + ".";
}

struct Scenario {
  std::string name;
  std::function<void(FixtureResolver&)> setup;
  std::vector<std::string> registered;
  Status dkim01;
  std::vector<std::string> tags01;  // mandatory tags
  Status dkim02;
  std::vector<std::string> tags02;
  bool sends_mail = true;
  std::vector<std::string> forbidden = {};  // tags neither check may emit
};

void baseZone(FixtureResolver& f) {
  f.addZone("example.test. 300 IN MX 10 mx.example.test.\n");
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> kScenarios = {
      {"RegisteredSelectorStrongKey",
       [](FixtureResolver& f) { f.addZone(txt(sel("agency2024"), keyRecord(kRsa2048))); },
       {"agency2024"},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Pass,
       {"DKIM_RSA_KEY_OK"}},
      {"CommonSelectorCnameToProvider",
       [](FixtureResolver& f) {
         f.addZone(sel("selector1") +
                   " 300 IN CNAME selector1-example-test._domainkey.provider.test.\n" +
                   txt("selector1-example-test._domainkey.provider.test.", keyRecord(kRsa2048)));
       },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Pass,
       {"DKIM_RSA_KEY_OK"}},
      {"DomainkeyNxdomainNoSelector",
       [](FixtureResolver&) {},
       {},
       Status::Fail,
       {"DKIM_NO_DOMAINKEY"},
       Status::Info,
       {"DKIM_NO_KEY_TO_ASSESS"}},
      {"DomainkeyExistsSelectorUnknown",
       [](FixtureResolver& f) { f.addZone(txt(sel("a1b2c3d4-uuid"), keyRecord(kRsa2048))); },
       {},
       Status::Warn,
       {"DKIM_SELECTOR_UNKNOWN"},
       Status::Info,
       {"DKIM_NO_KEY_TO_ASSESS"},
       true,
       {"DKIM_NO_DOMAINKEY"}},
      {"DomainkeyServfailIsError",
       [](FixtureResolver& f) {
         f.setOutcome("_domainkey.example.test", dns::rr::TXT, DnsStatus::ServFail);
       },
       {},
       Status::Error,
       {"DKIM_LOOKUP_ERROR"},
       Status::Error,
       {"DKIM_LOOKUP_ERROR"},
       true,
       {"DKIM_NO_DOMAINKEY", "DKIM_SELECTOR_UNKNOWN"}},
      {"SelectorTimeoutUnderNxdomainIsErrorNotFail",
       [](FixtureResolver& f) {
         f.setOutcome("agency._domainkey.example.test", dns::rr::TXT, DnsStatus::Timeout);
       },
       {"agency"},
       Status::Error,
       {"DKIM_LOOKUP_ERROR"},
       Status::Error,
       {"DKIM_LOOKUP_ERROR"},
       true,
       {"DKIM_NO_DOMAINKEY"}},
      {"KeyFoundDespiteTimeoutElsewhere",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("agency"), keyRecord(kRsa2048)));
         f.setOutcome("default._domainkey.example.test", dns::rr::TXT, DnsStatus::Refused);
       },
       {"agency"},
       Status::Pass,
       {"DKIM_KEY_FOUND", "DKIM_SELECTOR_UNCHECKED"},
       Status::Pass,
       {"DKIM_RSA_KEY_OK", "DKIM_SELECTOR_UNCHECKED"}},
      {"Rsa1024Weak",
       [](FixtureResolver& f) { f.addZone(txt(sel("default"), keyRecord(kRsa1024))); },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Warn,
       {"DKIM_RSA_KEY_WEAK"}},
      {"Rsa512TooShort",
       [](FixtureResolver& f) { f.addZone(txt(sel("mail"), keyRecord(kRsa512))); },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Fail,
       {"DKIM_RSA_KEY_TOO_SHORT"}},
      {"Sha1Only",
       [](FixtureResolver& f) { f.addZone(txt(sel("dkim"), keyRecord(kSha1))); },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Fail,
       {"DKIM_KEY_SHA1_ONLY", "DKIM_RSA_KEY_WEAK"}},
      {"TestingFlag",
       [](FixtureResolver& f) { f.addZone(txt(sel("s1"), keyRecord(kTesting))); },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Warn,
       {"DKIM_KEY_TESTING"}},
      {"OnlyRevoked",
       [](FixtureResolver& f) { f.addZone(txt(sel("k1"), keyRecord(kRevoked))); },
       {},
       Status::Warn,
       {"DKIM_NO_USABLE_KEY"},
       Status::Warn,
       {"DKIM_KEY_REVOKED"}},
      {"RevokedBesideStrong",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("k1"), keyRecord(kRevoked)) + txt(sel("google"), keyRecord(kRsa2048)));
       },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Warn,
       {"DKIM_KEY_REVOKED", "DKIM_RSA_KEY_OK"}},
      {"Ed25519",
       [](FixtureResolver& f) { f.addZone(txt(sel("s2"), keyRecord(kEd25519))); },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Pass,
       {"DKIM_ED25519_KEY"}},
      {"WildcardSpfIsNotAKey",
       [](FixtureResolver& f) { f.addZone("*.example.test. 300 IN TXT \"v=spf1 -all\"\n"); },
       {},
       Status::Warn,
       {"DKIM_SELECTOR_UNKNOWN"},
       Status::Info,
       {"DKIM_NO_KEY_TO_ASSESS"},
       true,
       {"DKIM_KEY_FOUND", "DKIM_KEY_RECORD_INVALID"}},
      {"BrokenEntNxdomainButKeyFound",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("agency"), keyRecord(kRsa2048)));
         f.setOutcome("_domainkey.example.test", dns::rr::TXT, DnsStatus::NxDomain);
       },
       {"agency"},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Pass,
       {"DKIM_RSA_KEY_OK"}},
      {"BrokenEntNxdomainNameBelowExists",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("agency"), "some note"));
         f.setOutcome("_domainkey.example.test", dns::rr::TXT, DnsStatus::NxDomain);
       },
       {"agency"},
       Status::Warn,
       {"DKIM_SELECTOR_UNKNOWN", "DKIM_DOMAINKEY_NXDOMAIN_INCONSISTENT"},
       Status::Info,
       {"DKIM_NO_KEY_TO_ASSESS"},
       true,
       {"DKIM_NO_DOMAINKEY"}},
      {"DoesNotSendMail", [](FixtureResolver&) {}, {}, Status::Na, {}, Status::Na, {}, false},
      {"TlsRptOnlyKey",
       [](FixtureResolver& f) { f.addZone(txt(sel("default"), keyRecord(kTlsRptOnly))); },
       {},
       Status::Warn,
       {"DKIM_NO_USABLE_KEY"},
       Status::Info,
       {"DKIM_KEY_NOT_FOR_EMAIL"}},
      {"TwoRecordsAtOneSelector",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("default"), keyRecord(kRsa2048)) +
                   txt(sel("default"), keyRecord(kEd25519)));
       },
       {},
       Status::Pass,
       {"DKIM_KEY_FOUND"},
       Status::Warn,
       {"DKIM_SELECTOR_MULTIPLE_RECORDS"}},
      {"InvalidRegisteredSelectorName",
       [](FixtureResolver&) {},
       {std::string(64, 'a')},
       Status::Fail,
       {"DKIM_SELECTOR_INVALID_NAME", "DKIM_NO_DOMAINKEY"},
       Status::Info,
       {"DKIM_NO_KEY_TO_ASSESS"}},
      {"Ed25519TypeWithRsaKey",
       [](FixtureResolver& f) {
         f.addZone(txt(sel("mail"), "v=DKIM1; k=ed25519; " + keyRecord(kRsa1024).substr(
                                                                 keyRecord(kRsa1024).find("p="))));
       },
       {},
       Status::Warn,
       {"DKIM_NO_USABLE_KEY"},
       Status::Warn,
       {"DKIM_KEY_UNUSABLE"}},
      {"BrokenRecordAtSelector",
       [](FixtureResolver& f) { f.addZone(txt(sel("mail"), "v=DKIM1; k=rsa")); },
       {},
       Status::Warn,
       {"DKIM_NO_USABLE_KEY"},
       Status::Warn,
       {"DKIM_KEY_RECORD_INVALID"}},
  };
  return kScenarios;
}

class DkimScenario : public testing::TestWithParam<Scenario> {};

TEST_P(DkimScenario, Verdicts) {
  const Scenario& s = GetParam();
  FixtureResolver f;
  baseZone(f);
  s.setup(f);
  DkimEvidence e = gatherDkim(f, kDomain, s.registered);
  DomainProfile profile;
  profile.sends_mail = s.sends_mail;
  CheckResult r1 = judgeDkim01(e, profile);
  CheckResult r2 = judgeDkim02(e, profile);
  EXPECT_EQ(r1.id, "DKIM-01");
  EXPECT_EQ(r2.id, "DKIM-02");
  EXPECT_EQ(toString(r1.status), toString(s.dkim01));
  EXPECT_EQ(toString(r2.status), toString(s.dkim02));
  for (const auto& t : s.tags01) EXPECT_TRUE(r1.hasTag(t)) << "DKIM-01 lacks " << t;
  for (const auto& t : s.tags02) EXPECT_TRUE(r2.hasTag(t)) << "DKIM-02 lacks " << t;
  for (const auto& t : s.forbidden) {
    EXPECT_FALSE(r1.hasTag(t)) << t;
    EXPECT_FALSE(r2.hasTag(t)) << t;
  }
  for (const auto* r : {&r1, &r2}) {
    for (const auto& finding : r->findings) {
      const TagSpec* spec = findTagSpec(dkimTagSpecs(), finding.tag);
      ASSERT_NE(spec, nullptr) << finding.tag << " missing from dkimTagSpecs()";
    }
    if (r->status == Status::Warn || r->status == Status::Fail) {
      EXPECT_FALSE(r->remediation.en.empty()) << r->id;
      EXPECT_FALSE(r->remediation.vi.empty()) << r->id;
    }
    if (r->status != Status::Na) {
      EXPECT_NE(r->evidence.find("domainkey"), nullptr);
    }
  }
  EXPECT_EQ(dkimKeyFound(e), r1.hasTag("DKIM_KEY_FOUND"));
}

INSTANTIATE_TEST_SUITE_P(DKIM01and02, DkimScenario, testing::ValuesIn(scenarios()),
                         [](const auto& info) { return info.param.name; });

TEST(DkimCheck, DKIM01_FailCarriesTheRfc8020CaveatInEvidence) {
  FixtureResolver f;
  baseZone(f);
  CheckResult r = judgeDkim01(gatherDkim(f, kDomain, {}), DomainProfile{});
  ASSERT_EQ(r.status, Status::Fail);
  const Json* note = r.evidence.find("note");
  ASSERT_NE(note, nullptr);
  EXPECT_NE(note->asString().find("empty non-terminals"), std::string::npos);
  EXPECT_NE(r.remediation.vi.find("Bật ký DKIM"), std::string::npos);
}

TEST(DkimCheck, DKIM01_GatherQueriesRegisteredSelectorsFirstWithoutDuplicates) {
  FixtureResolver f;
  DkimEvidence e = gatherDkim(f, "Example.TEST.", {"Agency", "default", "agency"});
  EXPECT_EQ(e.domain, "example.test");
  ASSERT_GE(e.selectors.size(), 2u);
  EXPECT_EQ(e.selectors[0].selector, "agency");
  EXPECT_EQ(e.selectors[0].source, SelectorSource::Registered);
  EXPECT_EQ(e.selectors[1].selector, "default");
  EXPECT_EQ(e.selectors[1].source, SelectorSource::Registered);
  EXPECT_EQ(e.selectors.size(), commonSelectors().size() + 1);  // "default" is also common
  EXPECT_EQ(f.queries().front().first, "_domainkey.example.test");
}

TEST(DkimCheck, DKIM01_CommonSelectorsIncludeTheGuidanceList) {
  const auto& list = commonSelectors();
  for (const char* s : {"default", "selector1", "selector2", "google", "k1", "s1", "mail", "dkim"})
    EXPECT_NE(std::find(list.begin(), list.end(), s), list.end()) << s;
}

TEST(DkimCheck, TagCatalogueIsWellFormed) {
  std::set<std::string_view> seen;
  for (const auto& spec : dkimTagSpecs()) {
    EXPECT_TRUE(seen.insert(spec.tag).second) << "duplicate " << spec.tag;
    EXPECT_TRUE(spec.tag.starts_with("DKIM_")) << spec.tag;
    for (char c : spec.tag)
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c)) || c == '_' ||
                  std::isdigit(static_cast<unsigned char>(c)))
          << spec.tag;
    EXPECT_TRUE(spec.check_id == "DKIM-01" || spec.check_id == "DKIM-02") << spec.tag;
    EXPECT_FALSE(spec.message.empty()) << spec.tag;
    EXPECT_EQ(spec.remediation_en.empty(), spec.remediation_vi.empty()) << spec.tag;
  }
}

}  // namespace
}  // namespace mh::dkim
