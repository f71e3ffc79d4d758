// The scoring table of rubric 2026-12 (guidance §3.6): lab-like zones audited through the real
// gather and judges (a fixture resolver in place of knotd), TLS-01..04 judged on hand-built
// transport evidence, then scored. Each row: what is broken -> grade, tier and finding tags.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/audit/scoring.hpp"
#include "checks/core/rubric.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/fixture_resolver.hpp"
#include "tests/support/tls_evidence.hpp"

namespace mh::audit {
namespace {

constexpr const char* kDomain = "ministry.gov.vn";

// A sending and receiving ministry doing everything right: two MX hosts, SPF listing them and
// ending in -all, DMARC p=reject with rua, a 2048-bit DKIM key, MTA-STS and TLS-RPT records,
// forward-confirmed reverse names. Each scenario replaces or adds lines.
std::string goodZone(const std::string& spf, const std::string& mx, const std::string& dmarc) {
  return mx + "\n" + R"(mx1.ministry.gov.vn A 203.0.113.25
mx2.ministry.gov.vn A 203.0.113.26
25.113.0.203.in-addr.arpa PTR mx1.ministry.gov.vn
26.113.0.203.in-addr.arpa PTR mx2.ministry.gov.vn
ministry.gov.vn TXT ")" + spf + R"("
_dmarc.ministry.gov.vn TXT ")" + dmarc + R"("
mail._domainkey.ministry.gov.vn TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmQUwz7mxg8tPxIxUwCVcz/Y1qgLlFYG39Ak9XTZyjCxQLFLrRDt/tSSYfcJHhkUNF50F+KH2VHErrZhsCvzfOVV9Fen4pdTts8Qqrhf9K8NJZODIsuq1ze/Pjzh1M+nHA8Y3YBUUNWWZWJVS/+6GrAk58KGtpug0lyP6pb4y3dumjrCsPNSwhofmZqEVQ6l20" "eSjCUb39Qj4d162BNqDHS6wbHmqcP7lze5uy9uLxp54iAogo2tpPR0mNWqMDN7ph6JKvxy9BQpKVNYxGEWUgAlyvqah+rgfyyOcUWZRafeRHtVQSYbLhGPWew+t/pjDzpvsASRAxZj3L5TbI5pbQQIDAQAB"
_mta-sts.ministry.gov.vn TXT "v=STSv1; id=20261201"
_smtp._tls.ministry.gov.vn TXT "v=TLSRPTv1; rua=mailto:tlsrpt@ministry.gov.vn"
)";
}

constexpr const char* kGoodSpf = "v=spf1 ip4:203.0.113.25 ip4:203.0.113.26 -all";
constexpr const char* kGoodMx =
    "ministry.gov.vn MX 10 mx1.ministry.gov.vn\nministry.gov.vn MX 20 mx2.ministry.gov.vn";
constexpr const char* kGoodDmarc = "v=DMARC1; p=reject; rua=mailto:dmarc@ministry.gov.vn";

// Includes that each cost a lookup and match nothing: s1 .. sN of a provider (short names, so
// that eleven fit in one TXT string).
std::string includes(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += "include:s" + std::to_string(i) + ".spf.vn ";
  return out;
}
std::string includeTargets(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i)
    out += "s" + std::to_string(i) + ".spf.vn TXT \"v=spf1 ip4:198.18.0." +
           std::to_string(i) + " -all\"\n";
  return out;
}

struct Row {
  const char* name;
  std::string zone;
  std::function<void(tls::CertificateFacts&)> certificate;  // edits of the MX certificate
  std::string grade;
  Tier tier;
  std::set<std::string> tags;         // must all be among the findings (warn/fail/info/pass)
  std::set<std::string> absent = {};  // must not be among them
};

class Rubric202612 : public ::testing::Test {
 protected:
  void SetUp() override {
    psl_ = dmarc::PublicSuffixList::load(MH_PSL_FILE);
    ASSERT_TRUE(psl_);
    options_.psl = psl_.get();
  }

  // The DNS audit of the zone, plus TLS-01..04 for an MX on TLS 1.3/1.2 with the certificate.
  DomainReport audit(const Row& row) {
    dns::FixtureResolver f;
    f.addZone(row.zone);
    DomainReport report = auditDomain(f, kDomain, options_);
    using namespace tls::testing;
    auto a = address(tls::ProbeOutcome::Ok, "203.0.113.25");
    a.enumeration = enumeration({tls::ProtocolVersion::Tls13, tls::ProtocolVersion::Tls12});
    a.certificate = goodCertificate();
    if (row.certificate) row.certificate(*a.certificate);
    const auto e = evidence({a});
    const auto now = std::chrono::system_clock::now();
    report.checks.push_back(tls::judgeTls01(e, report.profile));
    report.checks.push_back(tls::judgeTls02(e, report.profile));
    report.checks.push_back(tls::judgeTls03(e, report.profile));
    report.checks.push_back(tls::judgeTls04(e, report.profile, now));
    return report;
  }

  std::unique_ptr<dmarc::PublicSuffixList> psl_;
  AuditOptions options_;
};

std::set<std::string> allTags(const DomainReport& r) {
  std::set<std::string> tags;
  for (const auto& c : r.checks)
    for (const auto& f : c.findings) tags.insert(f.tag);
  return tags;
}

TEST_F(Rubric202612, ScoringTable) {
  auto spf = [](const std::string& record, const std::string& extra = "") {
    return goodZone(record, kGoodMx, kGoodDmarc) + extra;
  };
  const std::vector<Row> rows = {
      {"a ministry doing everything right", spf(kGoodSpf), {}, "A", Tier::Baseline,
       {"SPF_POLICY_HARDFAIL", "SPF_LOOKUPS_OK", "MX_OK", "DMARC_RUA_PRESENT", "TLS_CERT_OK"}},
      // SPF-03 C: more than 10 DNS-querying terms is a permerror; no policy is shown.
      {"SPF-03 11 lookups", spf("v=spf1 " + includes(11) + "-all", includeTargets(11)), {}, "D",
       Tier::NonCompliant, {"SPF_TOO_MANY_LOOKUPS", "SPF_POLICY_PERMERROR"},
       {"SPF_POLICY_HARDFAIL"}},
      {"SPF-03 missing include",
       spf("v=spf1 ip4:203.0.113.25 include:spf.gone-provider.example -all"), {}, "D",
       Tier::NonCompliant, {"SPF_INCLUDE_TARGET_MISSING", "SPF_POLICY_PERMERROR"}},
      {"SPF-03 include loop",
       spf("v=spf1 include:loop1.ministry.gov.vn -all",
           "loop1.ministry.gov.vn TXT \"v=spf1 include:loop2.ministry.gov.vn -all\"\n"
           "loop2.ministry.gov.vn TXT \"v=spf1 include:loop1.ministry.gov.vn -all\"\n"),
       {}, "D", Tier::NonCompliant, {"SPF_TOO_MANY_LOOKUPS", "SPF_POLICY_PERMERROR"}},
      // Two void lookups are within RFC 7208 §4.6.4's limit; the third is a permerror.
      {"SPF-03 2 void lookups",
       spf("v=spf1 a:old1.ministry.gov.vn a:old2.ministry.gov.vn ip4:203.0.113.25 -all"), {},
       "A", Tier::Baseline, {"SPF_LOOKUPS_OK", "SPF_POLICY_HARDFAIL"},
       {"SPF_TOO_MANY_VOID_LOOKUPS"}},
      {"SPF-03 3 void lookups",
       spf("v=spf1 a:old1.ministry.gov.vn a:old2.ministry.gov.vn a:old3.ministry.gov.vn -all"),
       {}, "D", Tier::NonCompliant, {"SPF_TOO_MANY_VOID_LOOKUPS", "SPF_POLICY_PERMERROR"}},
      // SPF-02 C: a record that passes arbitrary senders.
      {"SPF-02 +all", spf("v=spf1 ip4:203.0.113.25 +all"), {}, "D", Tier::NonCompliant,
       {"SPF_POLICY_PASS_ALL", "SPF_PASSES_ANY_ADDRESS"}},
      {"SPF-02 ip4:0.0.0.0/0", spf("v=spf1 ip4:0.0.0.0/0 -all"), {}, "D", Tier::NonCompliant,
       {"SPF_PASSES_ANY_ADDRESS"}},
      {"SPF-02 exists over a wildcard",
       spf("v=spf1 exists:%{i}.allow.ministry.gov.vn -all",
           "*.allow.ministry.gov.vn A 127.0.0.2\n"),
       {}, "D", Tier::NonCompliant, {"SPF_PASSES_ANY_ADDRESS"}},
      // A record listing a documentation range is an ordinary record, and its lookups after the
      // listed range are counted in full (nine: near the limit, a warning, not critical).
      {"SPF 192.0.2.0/24 ending in -all",
       spf("v=spf1 ip4:192.0.2.0/24 " + includes(9) + "-all", includeTargets(9)), {}, "A",
       Tier::Baseline, {"SPF_LOOKUPS_NEAR_LIMIT", "SPF_POLICY_HARDFAIL"},
       {"SPF_PASSES_ANY_ADDRESS", "SPF_POLICY_PERMERROR"}},
      // MX-01 C: no MX host resolves; one of two unresolvable stays a medium failure.
      {"MX-01 sole MX NXDOMAIN",
       goodZone(kGoodSpf, "ministry.gov.vn MX 10 mx.gone-provider.example", kGoodDmarc), {}, "D",
       Tier::NonCompliant, {"MX_NO_RESOLVABLE_HOST", "MX_HOST_UNRESOLVABLE"}},
      {"MX-01 two MX, one unresolvable",
       goodZone(kGoodSpf, "ministry.gov.vn MX 10 mx1.ministry.gov.vn\n"
                          "ministry.gov.vn MX 20 mx9.ministry.gov.vn", kGoodDmarc),
       {}, "A", Tier::Baseline, {"MX_HOST_UNRESOLVABLE"}, {"MX_NO_RESOLVABLE_HOST"}},
      // TLS-04: RSA-2048 passes with a note; under 2048 bits fails (medium).
      {"TLS-04 RSA-2048", spf(kGoodSpf),
       [](tls::CertificateFacts& c) {
         c.key_type = "RSA";
         c.key_bits = 2048;
       },
       "A", Tier::Baseline, {"TLS_CERT_OK", "TLS_CERT_KEY_RSA2048"}, {"TLS_CERT_KEY_PHASE_OUT"}},
      {"TLS-04 RSA-1024", spf(kGoodSpf),
       [](tls::CertificateFacts& c) {
         c.key_type = "RSA";
         c.key_bits = 1024;
       },
       "A", Tier::Baseline, {"TLS_CERT_KEY_WEAK"}},
      // DMARC-04: a report destination that cannot receive mail (no MX, no address) warns.
      {"DMARC-04 undeliverable rua",
       goodZone(kGoodSpf, kGoodMx, "v=DMARC1; p=reject; rua=mailto:dmarc@nomail.example.net") +
           "nomail.example.net TXT \"parked\"\n"
           "ministry.gov.vn._report._dmarc.nomail.example.net TXT \"v=DMARC1\"\n",
       {}, "A", Tier::Baseline, {"DMARC_DESTINATION_CANNOT_RECEIVE", "DMARC_EXTERNAL_AUTHORISED"}},
  };
  for (const Row& row : rows) {
    const DomainReport report = audit(row);
    const DomainScore score = scoreReport(report);
    const std::set<std::string> tags = allTags(report);
    ASSERT_TRUE(score.grade.has_value()) << row.name;
    EXPECT_EQ(toString(*score.grade), row.grade) << row.name << " score " << *score.score;
    EXPECT_EQ(score.tier, row.tier) << row.name << ": " << toString(score.tier);
    for (const auto& tag : row.tags) EXPECT_TRUE(tags.contains(tag)) << row.name << ": " << tag;
    for (const auto& tag : row.absent) EXPECT_FALSE(tags.contains(tag)) << row.name << ": " << tag;
    if (row.grade == "D") EXPECT_FALSE(score.caps.empty()) << row.name;
  }
}

// Reports never show a policy for a record whose evaluation permerrors (guidance §3.6).
TEST_F(Rubric202612, SPF02_APermerrorRecordHasNoPolicyInItsEvidence) {
  Row row{"11 lookups",
          goodZone("v=spf1 " + includes(11) + "-all", kGoodMx, kGoodDmarc) + includeTargets(11),
          {}, "D", Tier::NonCompliant, {}};
  const DomainReport report = audit(row);
  const CheckResult* spf2 = report.find("SPF-02");
  ASSERT_NE(spf2, nullptr);
  const Json* policy = spf2->evidence.find("policy");
  ASSERT_NE(policy, nullptr);
  ASSERT_NE(policy->find("result"), nullptr);
  EXPECT_EQ(policy->find("result")->asString(), "permerror");
}

// Every audit client walks the record; a record that lists one of them is not "arbitrary".
TEST_F(Rubric202612, SPF02_TheVerdictDoesNotHangOnOneProbeAddress) {
  for (const char* listed : {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}) {
    Row row{listed, goodZone(std::string("v=spf1 ip4:") + listed + " -all", kGoodMx, kGoodDmarc),
            {}, "A", Tier::Baseline, {"SPF_POLICY_HARDFAIL"}, {"SPF_PASSES_ANY_ADDRESS"}};
    const DomainReport report = audit(row);
    EXPECT_EQ(report.find("SPF-02")->status, Status::Pass) << listed;
    EXPECT_FALSE(report.find("SPF-02")->hasTag("SPF_PASSES_ANY_ADDRESS")) << listed;
  }
}

}  // namespace
}  // namespace mh::audit

namespace mh::audit {
namespace {

// Tags in the rubric are names, not substrings: each must be declared in an area's catalogue.
TEST(RubricData, EveryTagRuleNamesACataloguedTag) {
  for (const TagRule& rule : tagRules())
    EXPECT_NE(findAnyTagSpec(rule.tag), nullptr) << "rubric names an unknown tag: " << rule.tag;
}

}  // namespace
}  // namespace mh::audit
