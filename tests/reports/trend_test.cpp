// Tests for reports/trend.cpp: §3.4 metrics per population and group, regressions and their
// confirmation.
#include "reports/trend.hpp"

#include <gtest/gtest.h>

namespace mh::reports {
namespace {

DomainRunResult result(std::string domain, std::string category,
                       std::vector<std::pair<std::string, Status>> statuses,
                       std::optional<double> score, std::string tier = "non_compliant") {
  DomainRunResult r;
  r.info.domain = std::move(domain);
  r.info.category = std::move(category);
  r.statuses = std::move(statuses);
  r.score = score;
  r.tier = std::move(tier);
  return r;
}

std::size_t metricIndex(std::string_view name) {
  const auto specs = metricSpecs();
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].name == name) return i;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

const MetricValue& metric(const Aggregate& a, std::string_view name) {
  return a.metrics.at(metricIndex(name));
}

TEST(Aggregate, CountsOnlyDomainsWhereTheCheckWasJudged) {
  std::vector<DomainRunResult> rs = {
      result("a.gov.vn", "ministry", {{"SPF-01", Status::Pass}, {"TLS-01", Status::Pass}}, 90,
             "baseline"),
      result("b.gov.vn", "ministry", {{"SPF-01", Status::Fail}, {"TLS-01", Status::Error}}, 40),
      result("c.gov.vn", "province", {{"SPF-01", Status::Pass}, {"TLS-01", Status::Fail}}, 70,
             "advanced"),
  };
  const Aggregate a = aggregate(rs, Population::All);
  EXPECT_EQ(a.domains, 3);
  EXPECT_EQ(a.scored, 3);
  EXPECT_EQ(metric(a, "valid_spf").count, 2);
  EXPECT_EQ(metric(a, "valid_spf").of, 3);
  // The error is neither for nor against.
  EXPECT_EQ(metric(a, "starttls_all_mx").count, 1);
  EXPECT_EQ(metric(a, "starttls_all_mx").of, 2);
  EXPECT_DOUBLE_EQ(*metric(a, "starttls_all_mx").percent(), 50.0);
  EXPECT_EQ(metric(a, "baseline_compliant").count, 2);
  EXPECT_DOUBLE_EQ(*a.mean_score, 200.0 / 3);
  EXPECT_DOUBLE_EQ(*a.median_score, 70);
  EXPECT_FALSE(metric(a, "dane").percent());  // never judged
}

TEST(Aggregate, DmarcMetricsComeFromTheRecordPolicy) {
  auto reject = result("a.gov.vn", "", {{"DMARC-01", Status::Pass}}, 100);
  reject.facts.dmarc_policy = "reject";
  reject.facts.dmarc_rua = true;
  auto quarantine = result("b.gov.vn", "", {{"DMARC-01", Status::Warn}}, 60);
  quarantine.facts.dmarc_policy = "quarantine";
  auto none = result("c.gov.vn", "", {{"DMARC-01", Status::Fail}}, 10);
  const Aggregate a = aggregate({reject, quarantine, none}, Population::All);
  EXPECT_EQ(metric(a, "dmarc_any").count, 2);
  EXPECT_EQ(metric(a, "dmarc_quarantine_or_reject").count, 2);
  EXPECT_EQ(metric(a, "dmarc_reject").count, 1);
  EXPECT_EQ(metric(a, "dmarc_rua").count, 1);
  EXPECT_EQ(metric(a, "dmarc_reject").of, 3);
  EXPECT_DOUBLE_EQ(*a.median_score, 60);
}

TEST(Aggregate, WeakTlsNeedsAnEnumeration) {
  auto weak = result("a.gov.vn", "", {{"TLS-02", Status::Fail}}, 30);
  weak.facts.tls_enumerated = true;
  weak.facts.weak_tls = true;
  auto clean = result("b.gov.vn", "", {{"TLS-02", Status::Pass}}, 90);
  clean.facts.tls_enumerated = true;
  auto unknown = result("c.gov.vn", "", {{"TLS-02", Status::Pass}}, 90);
  const Aggregate a = aggregate({weak, clean, unknown}, Population::All);
  EXPECT_EQ(metric(a, "no_sslv3_rc4_3des").count, 1);
  EXPECT_EQ(metric(a, "no_sslv3_rc4_3des").of, 2);
  EXPECT_EQ(metric(a, "tls_1_2_or_newer").count, 2);
}

TEST(Aggregate, MailAndNonMailDomainsAreSeparatedAndTogether) {
  auto mail = result("a.gov.vn", "ministry", {{"SPF-01", Status::Pass}}, 80);
  auto parked = result("b.gov.vn", "ministry", {{"SPF-01", Status::Pass}}, 100);
  parked.receives_mail = parked.sends_mail = false;
  auto gone = result("c.gov.vn", "province", {{"SPF-01", Status::Na}}, std::nullopt, "");
  gone.exists = false;
  const auto rows = groupAggregates({mail, parked, gone}, GroupBy::Category);
  // national all, mail, non_mail; then ministry x3, province x3
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[0].group, "");
  EXPECT_EQ(rows[0].population, Population::All);
  EXPECT_EQ(rows[0].domains, 3);
  EXPECT_EQ(rows[1].population, Population::Mail);
  EXPECT_EQ(rows[1].domains, 1);
  EXPECT_EQ(rows[2].population, Population::NonMail);
  EXPECT_EQ(rows[2].domains, 2);
  EXPECT_EQ(rows[2].scored, 1);
  EXPECT_EQ(rows[3].group, "ministry");
  EXPECT_EQ(rows[3].domains, 2);
  EXPECT_EQ(rows[6].group, "province");
  EXPECT_EQ(rows[8].domains, 1);
  EXPECT_EQ(metric(rows[6], "valid_spf").of, 0);
}

TEST(Regression, OnlyPassToWarnOrFailAndWarnToFail) {
  EXPECT_TRUE(isRegression(Status::Pass, Status::Warn));
  EXPECT_TRUE(isRegression(Status::Pass, Status::Fail));
  EXPECT_TRUE(isRegression(Status::Warn, Status::Fail));
  EXPECT_FALSE(isRegression(Status::Pass, Status::Error));
  EXPECT_FALSE(isRegression(Status::Error, Status::Fail));
  EXPECT_FALSE(isRegression(Status::Fail, Status::Pass));
  EXPECT_FALSE(isRegression(Status::Na, Status::Fail));
  EXPECT_FALSE(isRegression(Status::Info, Status::Fail));
  EXPECT_FALSE(isRegression(Status::Warn, Status::Warn));
}

StatusSnapshot snap(std::int64_t run, std::vector<std::pair<std::string, Status>> statuses,
                    std::string kind = "national", int attempt = 1,
                    std::string state = "complete") {
  StatusSnapshot s;
  s.run_id = run;
  s.kind = std::move(kind);
  s.state = std::move(state);
  s.attempt = attempt;
  s.statuses = std::move(statuses);
  return s;
}

TEST(Regression, BetweenConsecutiveCompleteNationalRunsWithTheExplainingRecordChange) {
  const std::vector<StatusSnapshot> history = {
      snap(1, {{"DMARC-02", Status::Pass}, {"SPF-01", Status::Pass}, {"TLS-01", Status::Pass}}),
      snap(2, {{"DMARC-02", Status::Pass}}, "national", 1, "interrupted"),  // ignored
      snap(3, {{"DMARC-02", Status::Fail}, {"SPF-01", Status::Pass}, {"TLS-01", Status::Error}}),
  };
  std::vector<std::pair<std::int64_t, std::int64_t>> asked;
  const auto regressions = domainRegressions("x.gov.vn", history, [&](auto a, auto b) {
    asked.emplace_back(a, b);
    return std::vector<RecordChange>{
        {"_dmarc.x.gov.vn", "TXT", {"v=DMARC1; p=reject"}, {"v=DMARC1; p=none"}},
        {"x.gov.vn", "MX", {"10 mx1.x.gov.vn"}, {"10 mx2.x.gov.vn"}}};
  });
  ASSERT_EQ(regressions.size(), 1u);
  const Regression& r = regressions[0];
  EXPECT_EQ(r.check_id, "DMARC-02");
  EXPECT_EQ(r.run_before, 1);
  EXPECT_EQ(r.run_after, 3);
  EXPECT_FALSE(r.confirmed);
  ASSERT_EQ(r.record_changes.size(), 1u);
  EXPECT_EQ(r.record_changes[0].name, "_dmarc.x.gov.vn");
  EXPECT_EQ(asked.size(), 1u);
  EXPECT_EQ(describe(r),
            "DMARC-02 pass->fail (run 1->3, unconfirmed; _dmarc.x.gov.vn TXT: \"v=DMARC1; "
            "p=reject\" -> \"v=DMARC1; p=none\")");
}

TEST(Regression, ConfirmedByARetryInTheRunOrALaterAuditStillAsBad) {
  // The end-of-run retry audited the domain again (attempt 2).
  auto retried = domainRegressions(
      "x.gov.vn",
      {snap(1, {{"SPF-02", Status::Pass}}), snap(2, {{"SPF-02", Status::Warn}}, "national", 2)});
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_TRUE(retried[0].confirmed);
  EXPECT_EQ(retried[0].confirmed_by, "attempt 2 of run 2");

  // A later self-check, after an error that does not count either way.
  auto selfChecked = domainRegressions(
      "x.gov.vn", {snap(1, {{"SPF-02", Status::Pass}}), snap(2, {{"SPF-02", Status::Warn}}),
                   snap(3, {{"SPF-02", Status::Error}}, "self_check"),
                   snap(4, {{"SPF-02", Status::Fail}}, "self_check")});
  ASSERT_EQ(selfChecked.size(), 1u);
  EXPECT_TRUE(selfChecked[0].confirmed);
  EXPECT_EQ(selfChecked[0].confirmed_by, "run 4 (self_check)");

  // The re-check shows it fixed: not confirmed.
  auto fixed = domainRegressions(
      "x.gov.vn", {snap(1, {{"SPF-02", Status::Pass}}), snap(2, {{"SPF-02", Status::Warn}}),
                   snap(3, {{"SPF-02", Status::Pass}}, "self_check"),
                   snap(4, {{"SPF-02", Status::Warn}}, "self_check")});
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_FALSE(fixed[0].confirmed);
}

TEST(RecordChange, ExplainsTheChecksOfItsArea) {
  const RecordChange spf{"x.gov.vn", "TXT", {"v=spf1 -all"}, {"v=spf1 ~all"}};
  const RecordChange dmarc{"_dmarc.x.gov.vn", "TXT", {}, {"v=DMARC1; p=none"}};
  const RecordChange mx{"x.gov.vn", "MX", {"10 a.x.gov.vn"}, {}};
  const RecordChange sts{"_mta-sts.x.gov.vn", "TXT", {"v=STSv1; id=1"}, {}};
  EXPECT_TRUE(explains(spf, "SPF-02", "x.gov.vn"));
  EXPECT_FALSE(explains(spf, "DMARC-02", "x.gov.vn"));
  EXPECT_TRUE(explains(dmarc, "DMARC-01", "x.gov.vn"));
  EXPECT_TRUE(explains(mx, "TLS-01", "x.gov.vn"));
  EXPECT_FALSE(explains(mx, "SPF-01", "x.gov.vn"));
  EXPECT_TRUE(explains(sts, "MTASTS-01", "x.gov.vn"));
  EXPECT_FALSE(explains(sts, "SPF-01", "x.gov.vn"));
  EXPECT_EQ(describe(dmarc), "_dmarc.x.gov.vn TXT: (none) -> \"v=DMARC1; p=none\"");
}

struct UnreachableCase {
  const char* name;
  std::map<std::int64_t, std::vector<std::string>> errored;  // run -> checks in error
  std::vector<std::int64_t> runs;
  std::vector<std::string> expected;
};

// Guidance §3.3: only an error in each of the domain's last three runs makes it "unreachable".
const UnreachableCase kUnreachableCases[] = {
    {"three runs in a row",
     {{1, {"TLS-01"}}, {2, {"TLS-01"}}, {3, {"TLS-01"}}},
     {1, 2, 3},
     {"TLS-01"}},
    {"only two runs so far", {{1, {"TLS-01"}}, {2, {"TLS-01"}}}, {1, 2}, {}},
    {"answered in between", {{1, {"TLS-01"}}, {2, {}}, {3, {"TLS-01"}}}, {1, 2, 3}, {}},
    {"answered long ago, then three errors",
     {{1, {}}, {2, {"SPF-01", "TLS-01"}}, {3, {"TLS-01", "SPF-01"}}, {4, {"SPF-01", "TLS-01"}}},
     {1, 2, 3, 4},
     {"SPF-01", "TLS-01"}},
    {"answered in the latest run",
     {{1, {"TLS-01"}}, {2, {"TLS-01"}}, {3, {"TLS-01"}}, {4, {}}},
     {1, 2, 3, 4},
     {}},
    {"a run the domain was not in is skipped",
     {{1, {"DNSSEC-01"}}, {3, {"DNSSEC-01"}}, {4, {"DNSSEC-01"}}},
     {1, 2, 3, 4},
     {"DNSSEC-01"}},
    {"runs after the report's last run are ignored",
     {{1, {"TLS-01"}}, {2, {"TLS-01"}}, {3, {"TLS-01"}}, {4, {}}},
     {1, 2, 3},
     {"TLS-01"}},
};

TEST(UnreachableChecks, NeedAnErrorInEachOfTheLastThreeRuns) {
  for (const auto& c : kUnreachableCases)
    EXPECT_EQ(unreachableChecks(c.errored, c.runs), c.expected) << c.name;
}

}  // namespace
}  // namespace mh::reports
