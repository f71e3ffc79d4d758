// Table tests for checks/audit/scoring.cpp: profiles and check outcomes -> score, grade, tier.
#include "checks/audit/scoring.hpp"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace mh::audit {
namespace {

using enum Status;

struct Outcome {
  Status status;
  std::vector<std::string> tags;
};

DomainReport makeReport(bool receives, bool sends, const std::map<std::string, Outcome>& checks) {
  DomainReport r;
  r.domain = "x.gov.vn";
  r.profile.receives_mail = receives;
  r.profile.sends_mail = sends;
  for (const auto& [id, outcome] : checks) {
    CheckResult c;
    c.id = id;
    c.status = outcome.status;
    for (const auto& tag : outcome.tags) c.findings.push_back(makeFinding(tag, outcome.status));
    r.checks.push_back(c);
  }
  return r;
}

// Every DNS check passing for a sending and receiving domain, plus the transport checks.
std::map<std::string, Outcome> allPass() {
  return {{"MX-01", {Pass}},       {"SPF-01", {Pass}},    {"SPF-02", {Pass}},
          {"SPF-03", {Pass}},      {"DMARC-01", {Pass}},  {"DMARC-02", {Pass, {"DMARC_POLICY_REJECT"}}},
          {"DMARC-03", {Pass}},    {"DMARC-04", {Pass, {"DMARC_RUA_PRESENT"}}},
          {"DKIM-01", {Pass}},     {"DKIM-02", {Pass}},   {"TLS-01", {Pass}},
          {"TLS-02", {Pass}},      {"TLS-03", {Pass}},    {"TLS-04", {Pass}},
          {"MTASTS-01", {Pass}},   {"TLSRPT-01", {Pass}}, {"DNSSEC-01", {Pass}},
          {"DANE-01", {Pass}},     {"HYG-01", {Pass}}};
}

TEST(Scoring, EverythingPassingScores100GradeAAndAdvanced) {
  auto s = scoreReport(makeReport(true, true, allPass()));
  ASSERT_TRUE(s.score.has_value());
  EXPECT_DOUBLE_EQ(*s.score, 100);
  EXPECT_EQ(s.possible, 96);  // every weight of the rubric except ACC-01, which is not run
  EXPECT_EQ(*s.grade, Grade::A);
  EXPECT_EQ(s.tier, Tier::Advanced);
  EXPECT_EQ(s.dmarc_phase, DmarcPhase::Enforce);
}

TEST(Scoring, ParkedDomainDoneRightScores100) {
  // Null MX, v=spf1 -all, p=reject: NS+NR, judged only on what applies (guidance §3.1).
  auto s = scoreReport(makeReport(
      false, false,
      {{"MX-01", {Pass, {"MX_NULL_MX"}}}, {"SPF-01", {Pass}}, {"SPF-02", {Pass}}, {"SPF-03", {Pass}},
       {"DMARC-01", {Pass}}, {"DMARC-02", {Pass, {"DMARC_POLICY_REJECT"}}}, {"DMARC-03", {Pass}},
       {"DMARC-04", {Pass, {"DMARC_RUA_PRESENT"}}}, {"DKIM-01", {Na}}, {"DKIM-02", {Na}},
       {"MTASTS-01", {Na}}, {"TLSRPT-01", {Na}}, {"HYG-01", {Na}}}));
  EXPECT_DOUBLE_EQ(*s.score, 100);
  EXPECT_EQ(*s.grade, Grade::A);
  EXPECT_GE(s.tier, Tier::Baseline);
}

TEST(Scoring, AParkedDomainNeedsNoReportingAddressForTheBaseline) {
  auto s = scoreReport(makeReport(
      false, false,
      {{"MX-01", {Pass, {"MX_NULL_MX"}}}, {"SPF-01", {Pass}}, {"SPF-02", {Pass}}, {"SPF-03", {Pass}},
       {"DMARC-01", {Pass}}, {"DMARC-02", {Pass, {"DMARC_POLICY_REJECT"}}}, {"DMARC-03", {Pass}},
       {"DMARC-04", {Warn, {"DMARC_REPORTING_MISSING"}}}}));
  EXPECT_EQ(s.tier, Tier::Advanced);  // nothing to send or receive: baseline is all it can need
  EXPECT_EQ(*s.grade, Grade::A);
}

TEST(Scoring, AnErrorIsLeftOutOfTheScoreNotCountedAgainstIt) {
  auto checks = allPass();
  auto clean = scoreReport(makeReport(true, true, checks));
  checks["HYG-01"] = {Error};
  checks["DKIM-01"] = {Error};
  auto withErrors = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(*withErrors.score, *clean.score);
  EXPECT_EQ(withErrors.possible, clean.possible - 2 - 6);
  EXPECT_NE(std::find(withErrors.excluded.begin(), withErrors.excluded.end(), "HYG-01"),
            withErrors.excluded.end());
}

TEST(Scoring, WarnEarnsHalfTheWeight) {
  auto checks = allPass();
  checks["SPF-02"] = {Warn};  // weight 5
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(s.earned, 96 - 2.5);
  EXPECT_DOUBLE_EQ(*s.score, 97.4);  // 93.5 / 96, one decimal
}

TEST(Scoring, ACriticalFailureCapsTheGradeAtD) {
  auto checks = allPass();
  checks["DMARC-02"] = {Fail, {"DMARC_POLICY_NONE"}};  // weight 12, critical
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(s.earned, 84);
  EXPECT_DOUBLE_EQ(*s.score, 64);  // 87.5 before the cap
  EXPECT_EQ(*s.grade, Grade::D);
  EXPECT_FALSE(s.caps.empty());
  EXPECT_EQ(s.tier, Tier::NonCompliant);
  EXPECT_EQ(s.dmarc_phase, DmarcPhase::Assess);
}

TEST(Scoring, CriticalFindingInANonCriticalCheckAlsoCaps) {
  auto checks = allPass();
  checks["TLS-03"] = {Fail, {"TLS_CIPHER_INSUFFICIENT"}};  // TLS-03 is "high", RC4 is critical
  auto report = makeReport(true, true, checks);
  for (auto& c : report.checks)
    if (c.id == "TLS-03") c.findings[0].arg("kind", "RC4");
  auto s = scoreReport(report);
  EXPECT_LE(*s.score, 64);
  EXPECT_EQ(*s.grade, Grade::D);
}

TEST(Scoring, SpfPlusAllCapsTheGradeAtDAndFailsTheBaseline) {
  // "+all" authorises every sender, so a forger passes SPF aligned with the domain and DMARC
  // p=reject no longer protects it: the rubric makes it critical although SPF-02 is "high".
  auto checks = allPass();
  checks["SPF-02"] = {Fail, {"SPF_POLICY_PASS_ALL"}};  // weight 5
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(s.earned, 91);
  EXPECT_DOUBLE_EQ(*s.score, 64);  // 94.8 before the cap
  EXPECT_EQ(*s.grade, Grade::D);
  EXPECT_FALSE(s.caps.empty());
  EXPECT_EQ(s.tier, Tier::NonCompliant);
}

TEST(Scoring, NeutralAllLosesThePointsWithoutTheCap) {
  auto checks = allPass();
  checks["SPF-02"] = {Fail, {"SPF_POLICY_NEUTRAL"}};  // "?all": no pass for forgers, no cap
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(*s.score, 94.8);
  EXPECT_EQ(*s.grade, Grade::A);
  EXPECT_TRUE(s.caps.empty());
  EXPECT_EQ(s.tier, Tier::NonCompliant);  // SPF-02 below warn misses baseline (a)
}

TEST(Scoring, LegacySslWithoutDmarcIsGradeF) {
  auto checks = allPass();
  checks["TLS-02"] = {Fail, {"TLS_SSL_OFFERED"}};
  checks["DMARC-01"] = {Fail, {"DMARC_NO_RECORD"}};
  checks["DMARC-02"] = {Fail, {"DMARC_NO_USABLE_RECORD"}};
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_LE(*s.score, 49);
  EXPECT_EQ(*s.grade, Grade::F);
  EXPECT_EQ(s.dmarc_phase, DmarcPhase::NotDeployed);
}

TEST(Scoring, NullSuitesFailTls03WithoutTheCriticalCap) {
  auto checks = allPass();
  checks["TLS-03"] = {Fail, {"TLS_CIPHER_INSUFFICIENT"}};
  auto report = makeReport(true, true, checks);
  for (auto& c : report.checks)
    if (c.id == "TLS-03") c.findings[0].arg("kind", "NULL");
  auto s = scoreReport(report);
  EXPECT_DOUBLE_EQ(*s.score, 94.8);  // 91/96: the points are lost, the grade is not capped
  EXPECT_EQ(*s.grade, Grade::A);
}

TEST(Scoring, BogusDnssecCapsAtD) {
  auto checks = allPass();
  checks["DNSSEC-01"] = {Fail, {"DNSSEC_BOGUS"}};
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_EQ(*s.grade, Grade::D);
}

TEST(Scoring, QuarantineIsPartiallyCompliant) {
  auto checks = allPass();
  checks["DMARC-02"] = {Warn, {"DMARC_POLICY_QUARANTINE"}};
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_EQ(s.tier, Tier::Partial);
  EXPECT_EQ(s.dmarc_phase, DmarcPhase::Deploy);
  EXPECT_EQ(tierLabelVi(s.tier), "Đạt một phần");
}

TEST(Scoring, BaselineWithoutTheAdvancedExtras) {
  auto checks = allPass();
  checks["TLS-02"] = {Warn};     // TLS 1.0 still offered: baseline, not advanced
  checks["MTASTS-01"] = {Fail};  // and no MTA-STS
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_EQ(s.tier, Tier::Baseline);
  EXPECT_EQ(tierLabelVi(s.tier), "Đạt cơ bản");
}

TEST(Scoring, UnprobedTransportLeavesAReceivingDomainsTierIndeterminate) {
  auto checks = allPass();
  for (const char* id : {"TLS-01", "TLS-02", "TLS-03", "TLS-04", "DANE-01"}) checks.erase(id);
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_EQ(s.tier, Tier::Indeterminate);  // neither accused nor credited
  auto noDmarc = checks;
  noDmarc["DMARC-01"] = {Fail, {"DMARC_NO_RECORD"}};
  EXPECT_EQ(scoreReport(makeReport(true, true, noDmarc)).tier, Tier::NonCompliant);
}

TEST(Scoring, ANonExistentDomainHasNoScore) {
  DomainReport r;
  r.exists = false;
  auto s = scoreReport(r);
  EXPECT_FALSE(s.score.has_value());
  EXPECT_FALSE(s.grade.has_value());
  EXPECT_EQ(s.tier, Tier::Indeterminate);
}

// The tier reasons in English and in Vietnamese, index for index.
using Reasons = std::vector<std::pair<std::string, std::string>>;
Reasons reasonsOf(const DomainScore& s) {
  EXPECT_EQ(s.tier_reasons.size(), s.tier_reasons_vi.size());
  Reasons out;
  for (std::size_t i = 0; i < s.tier_reasons.size() && i < s.tier_reasons_vi.size(); ++i)
    out.emplace_back(s.tier_reasons[i], s.tier_reasons_vi[i]);
  return out;
}

TEST(Scoring, TierReasonsComeInEnglishAndVietnamese) {
  DomainReport missing;
  missing.exists = false;
  EXPECT_EQ(reasonsOf(scoreReport(missing)),
            (Reasons{{"the domain does not exist", "tên miền không tồn tại"}}));

  auto noDmarc = allPass();
  noDmarc["DMARC-01"] = {Fail, {"DMARC_NO_RECORD"}};
  noDmarc["DMARC-02"] = {Fail, {"DMARC_NO_USABLE_RECORD"}};
  EXPECT_EQ(reasonsOf(scoreReport(makeReport(true, true, noDmarc))),
            (Reasons{{"not met: DMARC record", "chưa đạt: bản ghi DMARC"},
                     {"not met: DMARC p=reject", "chưa đạt: DMARC p=reject"}}));

  auto errors = allPass();
  errors["DMARC-04"] = {Error};
  errors["DMARC-02"] = {Error};
  EXPECT_EQ(
      reasonsOf(scoreReport(makeReport(true, true, errors))),
      (Reasons{{"could not be judged: DMARC aggregate reports (rua)",
                "không đánh giá được: nhận báo cáo tổng hợp DMARC (rua)"},
               {"could not be judged: DMARC policy", "không đánh giá được: chính sách DMARC"}}));

  auto quarantine = allPass();
  quarantine["DMARC-02"] = {Warn, {"DMARC_POLICY_QUARANTINE"}};
  EXPECT_EQ(reasonsOf(scoreReport(makeReport(true, true, quarantine))),
            (Reasons{{"DMARC quarantine or partial reject, not p=reject",
                      "DMARC ở mức quarantine hoặc reject một phần, chưa phải p=reject"}}));

  EXPECT_TRUE(reasonsOf(scoreReport(makeReport(true, true, allPass()))).empty());
}

TEST(Scoring, EveryBaselineCriterionIsNamedInBothLanguages) {
  // A receiving and sending domain: each criterion missed alone.
  const std::vector<std::tuple<std::string, Status, std::string, std::string>> receiving = {
      {"SPF-01", Fail, "valid SPF with -all or ~all", "SPF hợp lệ, kết thúc bằng -all hoặc ~all"},
      {"DMARC-01", Fail, "DMARC record", "bản ghi DMARC"},
      {"DMARC-04", Warn, "DMARC aggregate reports (rua)", "nhận báo cáo tổng hợp DMARC (rua)"},
      {"TLS-01", Fail, "STARTTLS on every MX", "STARTTLS trên mọi máy chủ MX"},
      {"TLS-02", Fail, "TLS 1.2 or newer, no SSLv2/SSLv3", "TLS 1.2 trở lên, không có SSLv2/SSLv3"},
      {"TLS-03", Fail, "no RC4/3DES", "không dùng RC4/3DES"},
  };
  for (const auto& [id, status, en, vi] : receiving) {
    auto checks = allPass();
    checks[id] = {status};
    EXPECT_EQ(reasonsOf(scoreReport(makeReport(true, true, checks))),
              (Reasons{{"not met: " + en, "chưa đạt: " + vi}}))
        << id;
  }
  // A parked domain: SPF "-all" and a null MX.
  const std::map<std::string, Outcome> parked = {{"MX-01", {Pass, {"MX_NULL_MX"}}},
                                                 {"SPF-01", {Pass}},
                                                 {"SPF-02", {Pass}},
                                                 {"DMARC-01", {Pass}},
                                                 {"DMARC-02", {Pass, {"DMARC_POLICY_REJECT"}}}};
  for (const auto& [id, en, vi] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"SPF-02", "SPF \"-all\"", "SPF \"-all\""},
           {"MX-01", "null MX or no mail host", "null MX hoặc không có máy chủ thư"}}) {
    auto checks = parked;
    checks[id] = {Error};
    EXPECT_EQ(reasonsOf(scoreReport(makeReport(false, false, checks))),
              (Reasons{{"could not be judged: " + en, "không đánh giá được: " + vi}}))
        << id;
  }
}

TEST(Scoring, TheJsonCarriesTheReasonsInBothLanguages) {
  auto checks = allPass();
  checks["DMARC-01"] = {Fail, {"DMARC_NO_RECORD"}};
  const Json json = toJson(scoreReport(makeReport(true, true, checks)));
  const Json* english = json.find("tier_reasons");
  const Json* vietnamese = json.find("tier_reasons_vi");
  ASSERT_TRUE(english && english->isArray()) << json.dump();
  ASSERT_TRUE(vietnamese && vietnamese->isArray()) << json.dump();
  ASSERT_EQ(english->size(), 1u);
  ASSERT_EQ(vietnamese->size(), 1u);
  EXPECT_EQ(english->asArray()[0].asString(), "not met: DMARC record");
  EXPECT_EQ(vietnamese->asArray()[0].asString(), "chưa đạt: bản ghi DMARC");
}

// The caps in English and in Vietnamese, index for index.
using Caps = std::vector<std::pair<std::string, std::string>>;
Caps capsOf(const DomainScore& s) {
  EXPECT_EQ(s.caps.size(), s.caps_vi.size());
  Caps out;
  for (std::size_t i = 0; i < s.caps.size() && i < s.caps_vi.size(); ++i)
    out.emplace_back(s.caps[i], s.caps_vi[i]);
  return out;
}

// The cap names the critical tags found (rubric 2026-12: tags declared in checks/core/rubric.cpp).
std::pair<std::string, std::string> criticalFindingCap(const std::string& tags) {
  return {"critical finding: " + tags, "phát hiện nghiêm trọng: " + tags};
}

TEST(Scoring, ACriticalCheckFailureCapsInEnglishAndVietnamese) {
  for (const char* id : {"SPF-01", "DMARC-01", "DMARC-02", "TLS-01", "TLS-02"}) {
    auto checks = allPass();
    checks[id] = {Fail, {}};
    EXPECT_EQ(
        capsOf(scoreReport(makeReport(true, true, checks))),
        (Caps{{std::string("critical failure: ") + id, std::string("lỗi nghiêm trọng: ") + id}}))
        << id;
  }
}

TEST(Scoring, ACriticalFindingCapsInEnglishAndVietnamese) {
  // Each critical finding in a check that is not itself critical: one cap, in both languages.
  const std::vector<std::tuple<std::string, std::string, std::string>> findings = {
      {"SPF-02", "SPF_POLICY_PASS_ALL", ""},         {"TLS-03", "TLS_CIPHER_INSUFFICIENT", "RC4"},
      {"TLS-03", "TLS_CIPHER_INSUFFICIENT", "3DES"}, {"DNSSEC-01", "DNSSEC_BOGUS", ""},
      {"DNSSEC-01", "DNSSEC_MX_HOST_BOGUS", ""},     {"DANE-01", "DANE_TLSA_MISMATCH", ""},
  };
  for (const auto& [id, tag, kind] : findings) {
    auto checks = allPass();
    checks[id] = {Fail, {tag}};
    auto report = makeReport(true, true, checks);
    for (auto& c : report.checks)
      if (c.id == id && !kind.empty()) c.findings[0].arg("kind", kind);
    const auto s = scoreReport(report);
    EXPECT_EQ(capsOf(s), (Caps{criticalFindingCap(tag)})) << tag << " " << kind;
    EXPECT_EQ(*s.grade, Grade::D) << tag << " " << kind;
  }
}

TEST(Scoring, LegacySslWithoutDmarcCapsInEnglishAndVietnamese) {
  // SSLv2/SSLv3 fails TLS-02 (critical), is a critical finding, and without DMARC caps at F;
  // the missing DMARC record fails DMARC-01 and DMARC-02 (both critical).
  auto checks = allPass();
  checks["TLS-02"] = {Fail, {"TLS_SSL_OFFERED"}};
  checks["DMARC-01"] = {Fail, {"DMARC_NO_RECORD"}};
  checks["DMARC-02"] = {Fail, {"DMARC_NO_USABLE_RECORD"}};
  EXPECT_EQ(capsOf(scoreReport(makeReport(true, true, checks))),
            (Caps{{"critical failure: DMARC-01", "lỗi nghiêm trọng: DMARC-01"},
                  {"critical failure: DMARC-02", "lỗi nghiêm trọng: DMARC-02"},
                  {"critical failure: TLS-02", "lỗi nghiêm trọng: TLS-02"},
                  criticalFindingCap("TLS_SSL_OFFERED"),
                  {"SSLv2/SSLv3 offered and no DMARC: grade F",
                   "chấp nhận SSLv2/SSLv3 và không có DMARC: xếp loại F"}}));

  // With DMARC in place the F cap does not apply.
  checks = allPass();
  checks["TLS-02"] = {Fail, {"TLS_SSL_OFFERED"}};
  EXPECT_EQ(capsOf(scoreReport(makeReport(true, true, checks))),
            (Caps{{"critical failure: TLS-02", "lỗi nghiêm trọng: TLS-02"},
                  criticalFindingCap("TLS_SSL_OFFERED")}));

  EXPECT_TRUE(capsOf(scoreReport(makeReport(true, true, allPass()))).empty());
}

TEST(Scoring, TheJsonCarriesTheCapsInBothLanguages) {
  auto checks = allPass();
  checks["DMARC-02"] = {Fail, {"DMARC_POLICY_NONE"}};
  const Json json = toJson(scoreReport(makeReport(true, true, checks)));
  const Json* english = json.find("caps");
  const Json* vietnamese = json.find("caps_vi");
  ASSERT_TRUE(english && english->isArray()) << json.dump();
  ASSERT_TRUE(vietnamese && vietnamese->isArray()) << json.dump();
  ASSERT_EQ(english->size(), 1u);
  ASSERT_EQ(vietnamese->size(), 1u);
  EXPECT_EQ(english->asArray()[0].asString(), "critical failure: DMARC-02");
  EXPECT_EQ(vietnamese->asArray()[0].asString(), "lỗi nghiêm trọng: DMARC-02");

  const Json clean = toJson(scoreReport(makeReport(true, true, allPass())));
  ASSERT_TRUE(clean.find("caps_vi") && clean.find("caps_vi")->isArray()) << clean.dump();
  EXPECT_EQ(clean.find("caps_vi")->size(), 0u);
}

TEST(Scoring, GradeBoundaries) {
  // Non-critical failures only lower the score: 88/96 is still an A, 81/96 a B.
  auto checks = allPass();
  checks["DKIM-01"] = {Fail};  // 6 points
  checks["HYG-01"] = {Fail};   // 2 points
  auto s = scoreReport(makeReport(true, true, checks));
  EXPECT_DOUBLE_EQ(*s.score, 91.7);  // 88/96
  EXPECT_EQ(*s.grade, Grade::A);
  checks["TLS-04"] = {Fail};  // 3 more
  checks["DANE-01"] = {Fail};  // 4 more
  s = scoreReport(makeReport(true, true, checks));
  EXPECT_EQ(*s.grade, Grade::B);  // 81/96 = 84.4
}

}  // namespace
}  // namespace mh::audit
