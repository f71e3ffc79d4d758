// Tests for the run rollups of sqlite_store.cpp on a lab-sized history: what the trend and the
// run list read back (computed once when a run completes) equals what the results give when
// computed again from every result, as the trend did before rollups.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "checks/core/rubric.hpp"
#include "reports/trend.hpp"
#include "service/report_data.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service::store {
namespace {

constexpr int kDomains = 40;
constexpr int kRuns = 12;

std::string domainName(int i) {
  return "d" + std::to_string(100 + i) + ".gov.vn";
}

// A domain's result in one run: statuses, score, tier and profile vary with the seed, so the
// populations, metrics, medians and tiers of a run are all exercised.
DomainReportRow resultOf(int i, std::mt19937& rng) {
  DomainReportRow r;
  r.domain = domainName(i);
  r.exists = i % 13 != 5;
  r.profile.receives_mail = r.exists && i % 7 != 3;
  r.profile.sends_mail = r.profile.receives_mail || i % 5 == 0;
  r.started_at = "2026-01-01T02:00:00Z";
  static const Status kStatuses[] = {Status::Pass, Status::Pass, Status::Warn,
                                     Status::Fail, Status::Error, Status::Na};
  for (const auto& entry : rubric()) {
    CheckResult c;
    c.id = std::string(entry.id);
    c.status = r.exists ? kStatuses[rng() % 6] : Status::Na;
    if (c.id == "DMARC-02") {
      static const char* kPolicies[] = {"none", "quarantine", "reject"};
      c.evidence = Json::object(
          {{"record", Json::object({{"parse", Json::object({{"usable", true},
                                                            {"policy", kPolicies[rng() % 3]}})}})}});
    }
    r.checks.push_back(std::move(c));
  }
  if (r.exists && rng() % 5 != 0) r.score = static_cast<double>(rng() % 1000) / 10.0;
  static const char* kTiers[] = {"advanced", "baseline", "partial", "indeterminate"};
  if (r.exists) r.tier = kTiers[rng() % 4];
  r.observed = {{r.domain, "TXT", "v=spf1 -all"}};
  return r;
}

void expectSameAggregate(const reports::Aggregate& stored, const reports::Aggregate& computed) {
  EXPECT_EQ(stored.group, computed.group);
  EXPECT_EQ(stored.population, computed.population);
  EXPECT_EQ(stored.domains, computed.domains);
  EXPECT_EQ(stored.scored, computed.scored);
  EXPECT_EQ(stored.mean_score, computed.mean_score);
  EXPECT_EQ(stored.median_score, computed.median_score);
  ASSERT_EQ(stored.metrics.size(), computed.metrics.size());
  for (std::size_t m = 0; m < stored.metrics.size(); ++m) {
    EXPECT_EQ(stored.metrics[m].count, computed.metrics[m].count) << m;
    EXPECT_EQ(stored.metrics[m].of, computed.metrics[m].of) << m;
  }
}

TEST(RunRollups, TrendAndRunCountsFromRollupsEqualTheResultsComputedAgain) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("mh-rollup-" + std::to_string(getpid()) + ".db"))
                               .string();
  std::mt19937 rng(7);
  std::vector<std::int64_t> runs;
  {
    SqliteStore store(path);
    std::vector<DomainEntry> entries;
    static const char* kCategories[] = {"ministry", "agency", "province", ""};
    for (int i = 0; i < kDomains; ++i)
      entries.push_back({domainName(i), "Sở " + std::to_string(i), "Dept " + std::to_string(i),
                         kCategories[i % 4], "g", false, "", {}, ""});
    store.upsertDomains(entries);
    for (int r = 0; r < kRuns; ++r) {
      const auto run = store.startRun(RunKind::National, kRubricVersion, "v", "{}");
      for (int i = 0; i < kDomains; ++i) {
        if (r % 4 == 3 && i % 9 == 0) continue;  // not audited in this run
        ASSERT_TRUE(store.recordDomainResult(run, resultOf(i, rng)));
        if (i % 6 == 1) {  // the re-check: attempt 2
          ASSERT_TRUE(store.recordDomainResult(run, resultOf(i, rng)));
        }
      }
      store.finishRun(run, RunState::Complete);
      runs.push_back(run);
    }
  }
  SqliteStore store(path);  // read back cold, as serve does
  const auto infos = domainInfos(store);
  const auto summaries = store.runSummaries();
  ASSERT_EQ(summaries.size(), runs.size());
  for (std::size_t k = 0; k < runs.size(); ++k) {
    SCOPED_TRACE("run " + std::to_string(runs[k]));
    const auto results = runResults(store, runs[k], infos);
    ASSERT_FALSE(results.empty());
    const auto computed = reports::groupAggregates(results, reports::GroupBy::Category);
    const auto rollup = store.runRollup(runs[k]);
    ASSERT_TRUE(rollup);
    ASSERT_EQ(rollup->national.size() + rollup->by_category.size(), computed.size());
    for (std::size_t a = 0; a < computed.size(); ++a)
      expectSameAggregate(a < 3 ? rollup->national[a] : rollup->by_category[a - 3], computed[a]);
    std::map<std::string, std::int64_t> tiers;
    for (const auto& r : results) ++tiers[r.tier.value_or("none")];
    EXPECT_EQ(rollup->tiers, tiers);

    const RunSummary& s = summaries[k];
    EXPECT_EQ(s.run.id, runs[k]);
    EXPECT_EQ(s.domains, static_cast<std::int64_t>(results.size()));
    std::int64_t existing = 0, scored = 0, retried = 0;
    double sum = 0;
    for (const auto& r : results) {
      existing += r.exists;
      retried += r.attempt > 1;
      if (r.score) {
        ++scored;
        sum += *r.score;
      }
    }
    EXPECT_EQ(s.existing, existing);
    EXPECT_EQ(s.scored, scored);
    EXPECT_EQ(s.retried, retried);
    ASSERT_TRUE(s.mean_score);
    EXPECT_NEAR(*s.mean_score, sum / static_cast<double>(scored), 1e-9);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace
}  // namespace mh::service::store
