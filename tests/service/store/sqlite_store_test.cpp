// Tests for service/store: migrations, round trips, history, changes, resume, rollback, threads.
#include "service/store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "checks/core/rubric.hpp"
#include "service/store/schema.hpp"

namespace mh::service::store {
namespace {

namespace fs = std::filesystem;

// A database file removed (with its -wal and -shm) at the end of the test.
class TempDb {
 public:
  TempDb() {
    static std::atomic<int> counter{0};
    path_ = (fs::temp_directory_path() / ("mh_store_test_" + std::to_string(::getpid()) + "_" +
                                          std::to_string(counter++) + ".db"))
                .string();
    removeAll();
  }
  ~TempDb() { removeAll(); }
  const std::string& path() const { return path_; }

 private:
  void removeAll() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  std::string path_;
};

// A second, raw connection for looking behind the store's back.
std::int64_t scalar(const std::string& path, const std::string& sql) {
  DbPtr db = openDatabase(path);
  Statement s(db.get(), sql);
  return s.step() ? s.columnInt(0) : -1;
}

std::string scalarText(const std::string& path, const std::string& sql) {
  DbPtr db = openDatabase(path);
  Statement s(db.get(), sql);
  return s.step() ? s.columnText(0) : std::string();
}

int execRaw(const std::string& path, const std::string& sql) {
  DbPtr db = openDatabase(path);
  return sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr);
}

SqliteStoreOptions fixedClock() {
  SqliteStoreOptions options;
  options.clock = [] { return std::string("2026-11-20T08:00:00.000Z"); };
  return options;
}

CheckResult check(std::string id, Status status) {
  CheckResult r;
  r.id = std::move(id);
  r.status = status;
  return r;
}

DomainReportRow sampleRow(const std::string& domain, const std::string& spf = "v=spf1 mx -all") {
  DomainReportRow row;
  row.domain = domain;
  row.profile.receives_mail = true;
  row.profile.sends_mail = false;
  row.profile.reasons = {"has MX", "SPF -all without senders"};
  row.score = 87.5;
  row.grade = "B";
  row.tier = "baseline";
  row.dmarc_phase = "reject";
  row.started_at = "2026-11-20T08:00:01Z";
  row.duration_ms = 412.25;
  row.dns_queries = 23;

  CheckResult spfCheck = check("SPF-02", Status::Warn);
  spfCheck.add(makeFinding("SPF_TOO_MANY_LOOKUPS", Status::Warn)
                   .arg("count", std::int64_t{12})
                   .arg("record", "v=spf1 include:_spf.gov.vn ~all"));
  spfCheck.add(makeFinding("SPF_NOTE", Status::Info).arg("ghi_chú", "Bộ Công an, \"A05\""));
  spfCheck.remediation = {"Giảm số lần tra cứu DNS xuống dưới 10.", "Reduce lookups below 10."};
  spfCheck.evidence = Json::object({{"query", "example.gov.vn TXT"},
                                    {"answers", Json(Json::Array{Json(spf), Json("x")})},
                                    {"rcode", 0},
                                    {"ad", false},
                                    {"ttl_ratio", 0.5},
                                    {"zeta", nullptr},
                                    {"alpha", "Hà Nội"}});
  row.checks.push_back(spfCheck);
  row.checks.push_back(check("DMARC-01", Status::Pass));
  row.checks.push_back(check("MX-01", Status::Pass));

  row.observed = {{domain, "TXT", spf},
                  {"_dmarc." + domain, "TXT", "v=DMARC1; p=reject"},
                  {domain, "MX", "10 mx1." + domain},
                  {domain, "MX", "20 mx2." + domain}};
  return row;
}

TEST(Schema, MigrationsAreNumberedInIncreasingOrder) {
  auto all = migrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(all[i].version, all[i - 1].version);
    }
    EXPECT_EQ(all[i].name.substr(0, 4), std::to_string(10000 + all[i].version).substr(1));
    EXPECT_FALSE(all[i].sql.empty());
  }
  EXPECT_EQ(all[0].name, "0001_initial");
  EXPECT_EQ(latestSchemaVersion(), all.back().version);
}

// A migration numbered below one a store already has (it landed later) is still applied.
TEST(Schema, AppliesALowerNumberedMigrationThatLandedLater) {
  TempDb db;
  const Migration early[] = {{1, "0001_a", "CREATE TABLE a (x)"},
                             {3, "0003_c", "CREATE TABLE c (x)"}};
  const Migration later[] = {{1, "0001_a", "CREATE TABLE a (x)"},
                             {2, "0002_b", "CREATE TABLE b (x)"},
                             {3, "0003_c", "CREATE TABLE c (x)"}};
  DbPtr handle = openDatabase(db.path());
  EXPECT_EQ(migrate(handle.get(), "2026-01-01T00:00:00Z", early), 2);
  EXPECT_EQ(schemaVersion(handle.get()), 3);
  std::vector<int> applied;
  EXPECT_EQ(migrate(handle.get(), "2026-01-02T00:00:00Z", later,
                    [&](int version) { applied.push_back(version); }),
            1);
  EXPECT_EQ(applied, std::vector<int>{2});
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"), 1);
  EXPECT_EQ(migrate(handle.get(), "2026-01-03T00:00:00Z", later), 0);
  // A store that has a migration this program does not know was written by a newer one.
  const Migration without2[] = {{1, "0001_a", "CREATE TABLE a (x)"},
                                {3, "0003_c", "CREATE TABLE c (x)"}};
  EXPECT_THROW(migrate(handle.get(), "2026-01-04T00:00:00Z", without2), StoreError);
}

TEST(SqliteStore, OpensInMemoryAtTheLatestSchema) {
  SqliteStore store(":memory:");
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  EXPECT_TRUE(store.runSummaries().empty());
}

TEST(SqliteStore, MigrationsAreIdempotentAndDataSurvivesReopening) {
  TempDb db;
  std::int64_t run = 0;
  {
    SqliteStore store(db.path());
    run = store.startRun(RunKind::National, "r1", "0.1.0", "{}");
  }
  {
    SqliteStore store(db.path());
    SqliteStore again(db.path());  // a second connection on the same file migrates nothing
    EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
    ASSERT_TRUE(store.run(run));
    EXPECT_EQ(store.run(run)->rubric_version, "r1");
  }
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM schema_version"),
            static_cast<std::int64_t>(migrations().size()));
  EXPECT_EQ(scalarText(db.path(), "PRAGMA journal_mode"), "wal");
}

TEST(SqliteStore, RefusesADatabaseNewerThanTheProgram) {
  TempDb db;
  { SqliteStore store(db.path()); }
  ASSERT_EQ(
      execRaw(db.path(), "INSERT INTO schema_version VALUES (999, '0999_future', '2030-01-01')"),
      SQLITE_OK);
  EXPECT_THROW(SqliteStore store(db.path()), StoreError);
}

TEST(SqliteStore, CannotOpenAFileInAMissingDirectory) {
  EXPECT_THROW(SqliteStore store("/nonexistent-dir-for-mh/x.db"), StoreError);
}

TEST(SqliteStore, StoresAndReadsBackADomainResultExactly) {
  SqliteStore store(":memory:", fixedClock());
  const auto run =
      store.startRun(RunKind::National, kRubricVersion, "0.1.0", R"({"threads":8,"no_smtp":true})");
  const DomainReportRow row = sampleRow("mps.gov.vn");
  const WriteResult written = store.recordDomainResult(run, row);
  ASSERT_TRUE(written) << written.error;
  EXPECT_EQ(written.attempt, 1);

  const auto stored = store.domainResult(run, "MPS.gov.vn");  // names match case-insensitively
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->run_id, run);
  EXPECT_EQ(stored->attempt, 1);
  const DomainReportRow& back = stored->row;
  EXPECT_EQ(back.domain, "mps.gov.vn");
  EXPECT_TRUE(back.exists);
  EXPECT_TRUE(back.profile.receives_mail);
  EXPECT_FALSE(back.profile.sends_mail);
  EXPECT_EQ(back.profile.reasons, row.profile.reasons);
  EXPECT_EQ(back.score, 87.5);
  EXPECT_EQ(back.grade, "B");
  EXPECT_EQ(back.tier, "baseline");
  EXPECT_EQ(back.dmarc_phase, "reject");
  EXPECT_EQ(back.started_at, row.started_at);
  EXPECT_DOUBLE_EQ(back.duration_ms, 412.25);
  EXPECT_EQ(back.dns_queries, 23);
  ASSERT_EQ(back.checks.size(), 3u);
  for (std::size_t i = 0; i < row.checks.size(); ++i) {
    EXPECT_EQ(toJson(back.checks[i]).dump(), toJson(row.checks[i]).dump()) << row.checks[i].id;
  }
  const Finding& lookups = back.checks[0].findings.at(0);
  EXPECT_EQ(lookups.tag, "SPF_TOO_MANY_LOOKUPS");
  ASSERT_EQ(lookups.args.size(), 2u);
  EXPECT_EQ(lookups.args[0].first, "count");
  EXPECT_EQ(std::get<std::int64_t>(lookups.args[0].second), 12);
  EXPECT_EQ(back.checks[0].findings.at(1).argText("ghi_chú"), "Bộ Công an, \"A05\"");
  EXPECT_EQ(back.checks[0].remediation.vi, "Giảm số lần tra cứu DNS xuống dưới 10.");
  EXPECT_EQ(back.checks[0].evidence.dump(), row.checks[0].evidence.dump());
  EXPECT_EQ(back.observed, row.observed);

  const auto info = store.run(run);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->kind, RunKind::National);
  EXPECT_EQ(info->state, RunState::Running);
  EXPECT_EQ(info->started_at, "2026-11-20T08:00:00.000Z");
  EXPECT_EQ(info->rubric_version, kRubricVersion);
  EXPECT_EQ(info->options_json, R"({"threads":8,"no_smtp":true})");
  EXPECT_FALSE(store.domainResult(run, "other.gov.vn"));
}

TEST(SqliteStore, RowFromReportCopiesTheAuditFields) {
  audit::DomainReport report;
  report.domain = "hanoi.gov.vn";
  report.exists = false;
  report.started_at = "2026-11-20T08:00:00Z";
  report.duration_ms = 3;
  report.dns_queries = 4;
  report.checks.push_back(check("SPF-01", Status::Na));
  const DomainReportRow row = rowFromReport(report);
  EXPECT_EQ(row.domain, "hanoi.gov.vn");
  EXPECT_FALSE(row.exists);
  EXPECT_EQ(row.dns_queries, 4);
  EXPECT_EQ(row.checks.size(), 1u);
  EXPECT_FALSE(row.score);
  EXPECT_TRUE(row.observed.empty());
}

TEST(SqliteStore, NullScoresAndHostileTextAreStoredAsData) {
  SqliteStore store(":memory:");
  const auto run = store.startRun(RunKind::SelfCheck, "r", "v", "");
  DomainReportRow row;
  row.domain = "x.gov.vn";
  row.started_at = "t";
  CheckResult c = check("SPF-01", Status::Fail);
  c.add(makeFinding("SPF_X", Status::Fail).arg("text", "'); DROP TABLE runs; --"));
  c.remediation.vi = "Bản ghi \"SPF\" — đúng chuẩn\r\n";
  row.checks.push_back(c);
  ASSERT_TRUE(store.recordDomainResult(run, row));
  const auto back = store.domainResult(run, "x.gov.vn");
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->row.score);
  EXPECT_FALSE(back->row.grade);
  EXPECT_EQ(back->row.checks[0].findings[0].argText("text"), "'); DROP TABLE runs; --");
  EXPECT_EQ(back->row.checks[0].remediation.vi, "Bản ghi \"SPF\" — đúng chuẩn\r\n");
  EXPECT_EQ(store.run(run)->options_json, "{}");
  EXPECT_EQ(store.runSummaries().size(), 1u);
}

TEST(SqliteStore, UpsertsDomainsCaseInsensitivelyWithVietnameseNames) {
  TempDb db;
  SqliteStore store(db.path());
  DomainEntry mps;
  mps.domain = "mps.gov.vn";
  mps.agency_vi = "Bộ Công an";
  mps.agency_en = "Ministry of Public Security";
  mps.category = "ministry";
  mps.group = "ministry";
  mps.dkim_selectors = {"mail", "s1"};
  store.upsertDomains({mps});
  mps.domain = "MPS.GOV.VN";
  mps.agency_vi = "Bộ Công an (A05)";
  mps.legacy = true;
  mps.successor = "bocongan.gov.vn";
  store.upsertDomains({mps});
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM domains"), 1);
  EXPECT_EQ(scalarText(db.path(), "SELECT name FROM domains"), "mps.gov.vn");
  EXPECT_EQ(scalarText(db.path(), "SELECT agency_vi FROM domains"), "Bộ Công an (A05)");
  EXPECT_EQ(scalarText(db.path(), "SELECT dkim_selectors FROM domains"), "mail s1");
  EXPECT_EQ(scalar(db.path(), "SELECT legacy FROM domains"), 1);
  EXPECT_EQ(scalarText(db.path(), "SELECT successor FROM domains"), "bocongan.gov.vn");
  // A result for the upper-case spelling lands on the same domain.
  const auto run = store.startRun(RunKind::National, "r", "v", "{}");
  ASSERT_TRUE(store.recordDomainResult(run, sampleRow("Mps.Gov.Vn")));
  EXPECT_EQ(store.domainsDoneInRun(run), (std::set<std::string>{"mps.gov.vn"}));
}

TEST(SqliteStore, HistoryIsNewestFirstAndLimited) {
  SqliteStore store(":memory:");
  std::vector<std::int64_t> runs;
  for (int i = 0; i < 3; ++i) {
    const auto run = store.startRun(RunKind::National, "r", "v", "{}");
    DomainReportRow row = sampleRow("mps.gov.vn");
    row.score = 50.0 + 10 * i;
    row.checks[0].status = i == 2 ? Status::Pass : Status::Fail;
    ASSERT_TRUE(store.recordDomainResult(run, row));
    store.finishRun(run, RunState::Complete);
    runs.push_back(run);
  }
  const auto history = store.domainHistory("mps.gov.vn", 2);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].run_id, runs[2]);
  EXPECT_EQ(history[1].run_id, runs[1]);
  EXPECT_EQ(history[0].score, 70.0);
  EXPECT_EQ(history[1].score, 60.0);
  EXPECT_EQ(history[0].run_state, RunState::Complete);
  ASSERT_EQ(history[0].statuses.size(), 3u);
  EXPECT_EQ(history[0].statuses[0], (std::pair<std::string, Status>{"SPF-02", Status::Pass}));
  EXPECT_EQ(history[1].statuses[0].second, Status::Fail);
  EXPECT_EQ(store.domainHistory("mps.gov.vn", 10).size(), 3u);
  EXPECT_TRUE(store.domainHistory("unknown.gov.vn", 10).empty());
  ASSERT_TRUE(store.latestRun(RunKind::National));
  EXPECT_EQ(store.latestRun(RunKind::National)->id, runs[2]);
  EXPECT_FALSE(store.latestRun(RunKind::SelfCheck));
}

TEST(SqliteStore, ReportsObservedRecordChangesBetweenTwoRuns) {
  SqliteStore store(":memory:");
  const auto first = store.startRun(RunKind::National, "r", "v", "{}");
  ASSERT_TRUE(store.recordDomainResult(first, sampleRow("mps.gov.vn", "v=spf1 mx ~all")));
  store.finishRun(first, RunState::Complete);
  const auto second = store.startRun(RunKind::National, "r", "v", "{}");
  DomainReportRow row = sampleRow("mps.gov.vn", "v=spf1 mx -all");
  row.observed.push_back({"mps.gov.vn", "txt", "google-site-verification=abc"});
  ASSERT_TRUE(store.recordDomainResult(second, row));

  const auto changes = store.observedRecordChanges("mps.gov.vn", first, second);
  ASSERT_EQ(changes.size(), 1u);  // the MX set and DMARC record did not change
  EXPECT_EQ(changes[0].name, "mps.gov.vn");
  EXPECT_EQ(changes[0].type, "TXT");
  EXPECT_EQ(changes[0].before, (std::vector<std::string>{"v=spf1 mx ~all"}));
  EXPECT_EQ(changes[0].after,
            (std::vector<std::string>{"google-site-verification=abc", "v=spf1 mx -all"}));
  EXPECT_TRUE(store.observedRecordChanges("mps.gov.vn", first, first).empty());
  EXPECT_TRUE(store.observedRecordChanges("mps.gov.vn", first, 9999).empty());
}

TEST(SqliteStore, ResumeSeesExactlyTheDomainsAlreadyWritten) {
  TempDb db;
  const std::vector<std::string> domains = {"a.gov.vn", "b.gov.vn", "c.gov.vn", "d.gov.vn",
                                            "e.gov.vn"};
  std::int64_t run = 0;
  {
    SqliteStore store(db.path());
    run = store.startRun(RunKind::National, "r", "v", "{}");
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.recordDomainResult(run, sampleRow(domains[i])));
    // The process dies here (no finishRun).
  }
  SqliteStore store(db.path());
  EXPECT_FALSE(store.latestRun(RunKind::National));
  const auto unfinished = store.unfinishedRun(RunKind::National);
  ASSERT_TRUE(unfinished);
  EXPECT_EQ(unfinished->id, run);
  EXPECT_FALSE(store.unfinishedRun(RunKind::SelfCheck));
  const auto done = store.domainsDoneInRun(run);
  EXPECT_EQ(done, (std::set<std::string>{"a.gov.vn", "b.gov.vn", "c.gov.vn"}));
  for (const auto& d : domains) {
    if (done.count(d)) continue;
    DomainReportRow row = sampleRow(d);
    if (d == "e.gov.vn") row.checks[1].status = Status::Error;
    ASSERT_TRUE(store.recordDomainResult(run, row));
  }
  // The end-of-run retry of errors: a second attempt, never an update.
  EXPECT_EQ(store.domainsToRetry(run, 2), (std::set<std::string>{"e.gov.vn"}));
  const WriteResult retry = store.recordDomainResult(run, sampleRow("e.gov.vn"));
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry.attempt, 2);
  EXPECT_TRUE(store.domainsToRetry(run, 2).empty());
  store.finishRun(run, RunState::Complete);

  EXPECT_FALSE(store.unfinishedRun(RunKind::National));
  EXPECT_EQ(store.latestRun(RunKind::National)->id, run);
  EXPECT_EQ(store.domainsDoneInRun(run).size(), 5u);
  const auto summaries = store.runSummaries();
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].domains, 5);
  EXPECT_EQ(summaries[0].retried, 1);
  EXPECT_EQ(summaries[0].scored, 5);
  EXPECT_DOUBLE_EQ(*summaries[0].mean_score, 87.5);
  EXPECT_EQ(summaries[0].run.state, RunState::Complete);
  EXPECT_TRUE(summaries[0].run.finished_at);
  // One set of statuses per domain: the latest attempt's.
  const auto statuses = store.checkStatusesForRun(run);
  EXPECT_EQ(statuses.size(), 5u * 3u);
  for (const auto& s : statuses)
    EXPECT_NE(s.status, Status::Error) << s.domain << " " << s.check_id;
  EXPECT_EQ(store.domainResult(run, "e.gov.vn")->attempt, 2);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM domain_results"), 6);
}

TEST(SqliteStore, InterruptedRunsCanBeResumedButCompleteRunsAreFinal) {
  SqliteStore store(":memory:");
  const auto run = store.startRun(RunKind::National, "r", "v", "{}");
  store.finishRun(run, RunState::Interrupted);
  EXPECT_EQ(store.unfinishedRun(RunKind::National)->id, run);
  ASSERT_TRUE(store.recordDomainResult(run, sampleRow("a.gov.vn")));
  store.finishRun(run, RunState::Running);
  EXPECT_FALSE(store.run(run)->finished_at);
  store.finishRun(run, RunState::Complete);
  EXPECT_THROW(store.finishRun(run, RunState::Running), StoreError);
  EXPECT_THROW(store.finishRun(9999, RunState::Complete), StoreError);
  const WriteResult late = store.recordDomainResult(run, sampleRow("b.gov.vn"));
  EXPECT_FALSE(late);
  EXPECT_NE(late.error.find("complete run"), std::string::npos) << late.error;
  EXPECT_EQ(store.domainsDoneInRun(run).size(), 1u);
}

TEST(SqliteStore, ResultsAreAppendOnly) {
  TempDb db;
  {
    SqliteStore store(db.path());
    const auto run = store.startRun(RunKind::National, "r", "v", "{}");
    ASSERT_TRUE(store.recordDomainResult(run, sampleRow("a.gov.vn")));
    store.finishRun(run, RunState::Complete);
  }
  EXPECT_NE(execRaw(db.path(), "UPDATE domain_results SET score = 100"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "DELETE FROM check_set_checks"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "UPDATE check_sets SET statuses = ''"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "UPDATE check_set_findings SET tag = 'X'"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "DELETE FROM observed_set_records"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "DELETE FROM remediations"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "UPDATE evidence SET json = '{}'"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "DELETE FROM run_rollups"), SQLITE_OK);
  EXPECT_NE(execRaw(db.path(), "DELETE FROM runs"), SQLITE_OK);
  EXPECT_EQ(scalar(db.path(), "SELECT score FROM domain_results"), 87);
}

TEST(SqliteStore, AFailedWriteLeavesNoPartialDomainResult) {
  TempDb db;
  SqliteStore store(db.path());
  const auto run = store.startRun(RunKind::National, "r", "v", "{}");
  // The second check repeats the first's ID: the UNIQUE constraint fails after the evidence,
  // the check set and its first check and findings were already inserted in the transaction.
  DomainReportRow broken = sampleRow("a.gov.vn");
  broken.checks.push_back(broken.checks[0]);
  const WriteResult failed = store.recordDomainResult(run, broken);
  EXPECT_FALSE(failed);
  EXPECT_NE(failed.error.find("UNIQUE"), std::string::npos) << failed.error;
  EXPECT_TRUE(store.domainsDoneInRun(run).empty());
  EXPECT_FALSE(store.domainResult(run, "a.gov.vn"));
  for (const char* table : {"domain_results", "check_sets", "check_set_checks", "check_set_findings",
                            "evidence", "remediations", "observed_sets", "latest_results"}) {
    EXPECT_EQ(scalar(db.path(), std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
  // A result for a run that does not exist fails the foreign key, also without a trace.
  EXPECT_FALSE(store.recordDomainResult(run + 100, sampleRow("b.gov.vn")));
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM domain_results"), 0);
  // The store is still usable, and the retry is attempt 1.
  const WriteResult ok = store.recordDomainResult(run, sampleRow("a.gov.vn"));
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(ok.attempt, 1);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM check_set_checks"), 3);
}

TEST(SqliteStore, TwoThreadsWriteThroughOneStore) {
  TempDb db;
  SqliteStore store(db.path());
  const auto run = store.startRun(RunKind::National, "r", "v", "{}");
  constexpr int kPerThread = 60;
  std::atomic<int> failures{0};
  auto writer = [&](int thread) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string domain = "t" + std::to_string(thread) + "-" + std::to_string(i) + ".gov.vn";
      if (!store.recordDomainResult(run, sampleRow(domain))) ++failures;
      if (i % 10 == 0) (void)store.domainsDoneInRun(run);  // reads interleave with writes
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store.domainsDoneInRun(run).size(), 2u * kPerThread);
  EXPECT_EQ(scalar(db.path(), "SELECT MAX(attempt) FROM domain_results"), 1);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM domain_results"), 2 * kPerThread);
  // The same checks everywhere: one check set; each domain saw its own records: one set each.
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM check_sets"), 1);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM observed_sets"), 2 * kPerThread);
}

TEST(SqliteStore, TwoStoresOnOneFileShareTheWriteLock) {
  TempDb db;
  SqliteStore first(db.path());
  SqliteStore second(db.path());
  const auto run = first.startRun(RunKind::National, "r", "v", "{}");
  std::atomic<int> failures{0};
  auto writer = [&](SqliteStore& store, int thread) {
    for (int i = 0; i < 30; ++i) {
      const std::string domain = "p" + std::to_string(thread) + "-" + std::to_string(i) + ".gov.vn";
      if (!store.recordDomainResult(run, sampleRow(domain))) ++failures;
    }
  };
  std::thread a(writer, std::ref(first), 0), b(writer, std::ref(second), 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(second.domainsDoneInRun(run).size(), 60u);
}

}  // namespace
}  // namespace mh::service::store

namespace mh::service::store {
namespace {

TEST(SqliteStore, EvidenceIsKeptOncePerContentWithoutProbeTimings) {
  TempDb db;
  {
    SqliteStore store(db.path());
    const auto run = store.startRun(RunKind::National, "r", "v", "{}");
    for (int i = 0; i < 3; ++i) {
      DomainReportRow row = sampleRow("d" + std::to_string(i) + ".gov.vn");
      row.checks[2].evidence = Json::object(
          {{"hosts", Json(Json::Array{Json::object({{"host", "mx1"}, {"elapsed_ms", 100 + i}})})},
           {"elapsed_ms", 7 * i}});
      ASSERT_TRUE(store.recordDomainResult(run, row));
    }
    const auto back = store.domainResult(run, "d2.gov.vn");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->row.checks[2].evidence.dump(), R"({"hosts":[{"host":"mx1"}]})");
  }
  // Three results, one evidence per distinct content (SPF, the empty DMARC-01, MX-01).
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM domain_results"), 3);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM evidence"), 3);
  EXPECT_EQ(scalar(db.path(), "SELECT COUNT(*) FROM remediations"), 1);
}

}  // namespace
}  // namespace mh::service::store
