// Tests for the store's retention (SqliteStore::pruneEvidence and the pass after national runs):
// old evidence goes, statuses, findings, scores, facts and records stay, reports do not change.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "service/report_export.hpp"
#include "service/store/sqlite_handle.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service::store {
namespace {

CheckResult check(std::string id, Status status, Json evidence) {
  CheckResult r;
  r.id = std::move(id);
  r.status = status;
  r.evidence = std::move(evidence);
  return r;
}

// A domain's result on one day: its SPF record and DMARC policy decide the statuses.
DomainReportRow result(const std::string& domain, const std::string& spf,
                       const std::string& policy, const std::string& day) {
  DomainReportRow r;
  r.domain = domain;
  r.started_at = day + "T02:00:00Z";
  const bool strict = spf.ends_with("-all");
  r.score = strict ? 90 : 60;
  r.tier = strict ? "baseline" : "partial";
  CheckResult s = check("SPF-02", strict ? Status::Pass : Status::Fail,
                        Json::object({{"txt", Json::object({{"query", domain + " TXT"}})},
                                      {"records", Json(Json::Array{Json(spf)})},
                                      {"policy", Json::object({{"effective_all",
                                                                strict ? "-all" : "~all"}})}}));
  if (!strict) {
    s.add(makeFinding("SPF_SOFTFAIL_ALL", Status::Fail).arg("record", spf));
    s.remediation = {"Dùng -all.", "Use -all."};
  }
  r.checks.push_back(s);
  r.checks.push_back(check(
      "DMARC-02", Status::Pass,
      Json::object({{"record", Json::object({{"parse", Json::object({{"usable", true},
                                                                     {"policy", policy}})}})}})));
  r.observed = {{domain, "TXT", spf}, {"_dmarc." + domain, "TXT", "v=DMARC1; p=" + policy}};
  return r;
}

struct Clock {
  std::string now = "2026-01-01T00:00:00.000Z";
};

class Retention : public ::testing::Test {
 protected:
  Retention() : store_(":memory:", options()) {
    store_.upsertDomains({{"a.gov.vn", "Bộ A", "Ministry A", "ministry", "g1", false, "", {}},
                          {"b.gov.vn", "Tỉnh B", "Province B", "province", "g2", false, "", {}}});
  }
  SqliteStoreOptions options() {
    SqliteStoreOptions o;
    o.clock = [this] { return clock_->now; };
    o.keep_evidence_days = 0;  // the tests prune by hand, except where they say
    return o;
  }
  // A complete national run on `day` (YYYY-MM-DD) with the two domains' results.
  std::int64_t run(const std::string& day, const std::string& spfB) {
    clock_->now = day + "T01:00:00.000Z";
    const auto id = store_.startRun(RunKind::National, "r1", "v", "{}");
    EXPECT_TRUE(store_.recordDomainResult(id, result("a.gov.vn", "v=spf1 mx -all", "reject", day)));
    EXPECT_TRUE(store_.recordDomainResult(id, result("b.gov.vn", spfB, "none", day)));
    store_.finishRun(id, RunState::Complete);
    return id;
  }
  std::string csv(ReportKind kind, const std::string& domain = {},
                  std::optional<std::int64_t> at = {}) {
    ReportRequest request;
    request.kind = kind;
    request.domain = domain;
    request.run = at;
    auto file = exportReport(store_, request);
    EXPECT_TRUE(std::holds_alternative<ReportFile>(file));
    return std::holds_alternative<ReportFile>(file) ? std::get<ReportFile>(file).bytes : "";
  }
  std::vector<std::string> allReports(std::int64_t firstRun) {
    return {csv(ReportKind::Trend),
            csv(ReportKind::Regressions),
            csv(ReportKind::History, "b.gov.vn"),
            csv(ReportKind::History, "a.gov.vn"),
            csv(ReportKind::National, {}, firstRun),
            csv(ReportKind::Matrix, {}, firstRun),
            csv(ReportKind::Groups, {}, firstRun)};
  }

  std::shared_ptr<Clock> clock_ = std::make_shared<Clock>();  // before the store that reads it
  SqliteStore store_;
};

TEST_F(Retention, PrunesOldEvidenceAndKeepsStatusesFactsRecordsAndReports) {
  // b.gov.vn regresses (-all -> ~all) 100 days after the first run; a.gov.vn never changes.
  const auto first = run("2026-01-01", "v=spf1 mx -all");
  run("2026-01-02", "v=spf1 mx -all");
  const auto regressed = run("2026-04-11", "v=spf1 mx ~all");
  const auto before = allReports(first);
  const auto historyBefore = store_.domainHistory("b.gov.vn", 10);
  const auto factsBefore = store_.runResultRows(first);

  clock_->now = "2026-04-12T00:00:00.000Z";
  const PruneResult pruned = store_.pruneEvidence(90);
  EXPECT_EQ(pruned.cutoff, "2026-01-12T00:00:00.000Z");
  // Only b.gov.vn's old SPF evidence was last used before the cutoff: a.gov.vn's evidence is the
  // same every day, so its last use is the newest run; both DMARC evidences are shared likewise.
  EXPECT_EQ(pruned.evidence_rows, 1);
  EXPECT_GT(pruned.evidence_bytes, 0);

  const auto old = store_.domainResult(first, "b.gov.vn");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->pruned_evidence, 1);
  EXPECT_TRUE(old->row.checks[0].evidence.isNull());
  EXPECT_EQ(old->row.checks[0].status, Status::Pass);
  EXPECT_EQ(old->row.score, 90);
  EXPECT_EQ(old->row.observed.size(), 2u);
  const auto kept = store_.domainResult(regressed, "b.gov.vn");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->pruned_evidence, 0);
  ASSERT_EQ(kept->row.checks[0].findings.size(), 1u);
  EXPECT_EQ(kept->row.checks[0].findings[0].argText("record"), "v=spf1 mx ~all");
  EXPECT_EQ(kept->row.checks[0].remediation.en, "Use -all.");

  // Facts, history and every report are the same as before the pruning.
  const auto factsAfter = store_.runResultRows(first);
  ASSERT_EQ(factsAfter.size(), factsBefore.size());
  for (std::size_t i = 0; i < factsAfter.size(); ++i) {
    EXPECT_EQ(factsAfter[i].facts.spf_all, factsBefore[i].facts.spf_all);
    EXPECT_EQ(factsAfter[i].facts.dmarc_policy, factsBefore[i].facts.dmarc_policy);
    EXPECT_EQ(factsAfter[i].statuses, factsBefore[i].statuses);
  }
  const auto historyAfter = store_.domainHistory("b.gov.vn", 10);
  ASSERT_EQ(historyAfter.size(), historyBefore.size());
  for (std::size_t i = 0; i < historyAfter.size(); ++i) {
    EXPECT_EQ(historyAfter[i].statuses, historyBefore[i].statuses);
    EXPECT_EQ(historyAfter[i].score, historyBefore[i].score);
  }
  EXPECT_EQ(allReports(first), before);
  EXPECT_NE(before[1].find("SPF-02"), std::string::npos);  // the regression is in the CSV
  EXPECT_NE(before[1].find("~all"), std::string::npos);    // with its record change

  // The pass is logged; a second pass finds nothing more.
  EXPECT_EQ(store_.pruneEvidence(90).evidence_rows, 0);
  EXPECT_EQ(store_.pruneEvidence(0).evidence_rows, 0);  // 0 keeps everything
}

TEST(RetentionAfterRuns, ACompleteNationalRunPrunesWithTheConfiguredDays) {
  auto now = std::make_shared<std::string>("2026-01-01T01:00:00.000Z");
  SqliteStoreOptions options;
  options.clock = [now] { return *now; };
  options.keep_evidence_days = 30;
  SqliteStore store(":memory:", options);
  const auto first = store.startRun(RunKind::National, "r1", "v", "{}");
  ASSERT_TRUE(store.recordDomainResult(first, result("b.gov.vn", "v=spf1 -all", "none", "d")));
  store.finishRun(first, RunState::Complete);
  *now = "2026-03-01T01:00:00.000Z";
  const auto second = store.startRun(RunKind::National, "r1", "v", "{}");
  ASSERT_TRUE(store.recordDomainResult(second, result("b.gov.vn", "v=spf1 ~all", "none", "d")));
  EXPECT_EQ(store.domainResult(first, "b.gov.vn")->pruned_evidence, 0);  // not before completion
  // A self-check completing does not prune; the national run does.
  const auto self = store.startRun(RunKind::SelfCheck, "r1", "v", "{}");
  ASSERT_TRUE(store.recordDomainResult(self, result("a.gov.vn", "v=spf1 -all", "none", "d")));
  store.finishRun(self, RunState::Complete);
  EXPECT_EQ(store.domainResult(first, "b.gov.vn")->pruned_evidence, 0);
  store.finishRun(second, RunState::Complete);
  EXPECT_EQ(store.domainResult(first, "b.gov.vn")->pruned_evidence, 1);
  EXPECT_EQ(store.domainResult(second, "b.gov.vn")->pruned_evidence, 0);
}

// The ids a query over a store file returns, as a sorted list.
std::vector<std::int64_t> ids(const std::string& path, const std::string& sql) {
  DbPtr db = openDatabase(path);
  std::vector<std::int64_t> out;
  Statement s(db.get(), sql);
  while (s.step()) out.push_back(s.columnInt(0));
  std::sort(out.begin(), out.end());
  return out;
}

// The retention finds the evidence to keep through check_set_uses (0005), kept by a trigger on
// every result written; it selects exactly the evidence that reading every result did.
TEST(RetentionAtScale, CheckSetUsesAgreeWithTheResultsAndSelectWhatTheResultsDid) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("mh-retention-" + std::to_string(getpid()) + ".db"))
                               .string();
  auto now = std::make_shared<std::string>();
  {
    SqliteStoreOptions options;
    options.clock = [now] { return *now; };
    options.keep_evidence_days = 0;
    SqliteStore store(path, options);
    static const char* kSpf[] = {"v=spf1 mx -all", "v=spf1 mx ~all", "v=spf1 a -all"};
    for (int day = 1; day <= 28; ++day) {
      char date[16];
      std::snprintf(date, sizeof date, "2026-02-%02d", day);
      *now = std::string(date) + "T01:00:00.000Z";
      const auto id = store.startRun(RunKind::National, "r1", "v", "{}");
      for (int d = 0; d < 6; ++d) {
        const std::string domain = "d" + std::to_string(d) + ".gov.vn";
        const char* spf = kSpf[(day / (d + 2)) % 3];  // each domain changes at its own pace
        ASSERT_TRUE(store.recordDomainResult(id, result(domain, spf, d % 2 ? "none" : "reject",
                                                        date)));
      }
      store.finishRun(id, RunState::Complete);
    }
  }
  EXPECT_EQ(ids(path, "SELECT check_set_id FROM check_set_uses"),
            ids(path, "SELECT DISTINCT check_set_id FROM domain_results"));
  EXPECT_EQ(ids(path, "SELECT COUNT(*) FROM check_set_uses u WHERE last_recorded_at = "
                      "(SELECT MAX(recorded_at) FROM domain_results dr "
                      "WHERE dr.check_set_id = u.check_set_id)"),
            ids(path, "SELECT COUNT(*) FROM check_set_uses"));
  for (const char* cutoff : {"2026-02-03T00:00:00.000Z", "2026-02-10T00:00:00.000Z",
                             "2026-02-20T01:00:00.000Z", "2026-03-01T00:00:00.000Z"}) {
    const std::string c = std::string("'") + cutoff + "'";
    const auto byResults = ids(
        path, "SELECT id FROM evidence WHERE first_seen < " + c +
                  " AND id NOT IN (SELECT c.evidence_id FROM check_set_checks c WHERE "
                  "c.check_set_id IN (SELECT dr.check_set_id FROM runs r JOIN domain_results dr "
                  "ON dr.run_id = r.id WHERE (r.finished_at IS NULL OR r.finished_at >= " +
                  c + ") AND dr.recorded_at >= " + c + "))");
    const auto byUses = ids(path, "SELECT id FROM evidence WHERE first_seen < " + c +
                                      " AND id NOT IN (SELECT c.evidence_id FROM check_set_uses u "
                                      "JOIN check_set_checks c ON c.check_set_id = u.check_set_id "
                                      "WHERE u.last_recorded_at >= " +
                                      c + ")");
    EXPECT_EQ(byUses, byResults) << cutoff;
    if (std::string(cutoff) == "2026-02-20T01:00:00.000Z") {
      EXPECT_FALSE(byUses.empty());
    }
  }
  {
    SqliteStoreOptions options;
    options.clock = [] { return std::string("2026-03-02T00:00:00.000Z"); };
    SqliteStore store(path, options);
    const auto pruned = store.pruneEvidence(10);
    EXPECT_EQ(pruned.cutoff, "2026-02-20T00:00:00.000Z");
    EXPECT_GT(pruned.evidence_rows, 0);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace mh::service::store
