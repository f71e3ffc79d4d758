// Tests of the national run's lifecycle with a fake audit pass and a clock moved by hand: start,
// resume with every domain once, the delayed re-check rounds, stop, and the halt on a failed write.
#include "service/audit/national_run.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "checks/core/rubric.hpp"
#include "service/audit/scored_row.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/manual_clock.hpp"
#include "tests/support/sqlite_write_lock.hpp"

namespace mh::service {
namespace {

using http::testing::ManualClock;
using http::testing::utc;
using store::RunState;
using store::SqliteStore;

const std::vector<std::string> kNames = {"a.gov.vn", "b.gov.vn", "c.gov.vn", "d.gov.vn",
                                         "e.gov.vn"};

std::vector<DomainEntry> entries(const std::vector<std::string>& names = kNames) {
  std::vector<DomainEntry> out;
  for (const auto& n : names) {
    DomainEntry e;
    e.domain = n;
    out.push_back(e);
  }
  return out;
}

audit::DomainReport reportOf(const std::string& domain, bool error) {
  audit::DomainReport r;
  r.domain = domain;
  r.started_at = "2026-03-01T03:00:00Z";
  CheckResult c;
  c.id = "SPF-01";
  c.status = error ? Status::Error : Status::Pass;
  r.checks.push_back(c);
  return r;
}

// Stands in for runAudit: every task once (a task whose first look is done gets its re-check
// only), a domain in `in_error` ends in error and, when the options say so, is looked at once
// more at once; it stops taking tasks once `stop` is set.
class FakeAudit {
 public:
  std::set<std::string> in_error;
  std::function<void(std::size_t looks)> after_look;  // called after each look, unlocked
  std::size_t passes = 0;

  AuditPass pass() {
    return [this](const std::vector<AuditTask>& tasks, const AuditRunOptions& options,
                  const AuditSink& sink, const std::atomic<bool>* stop) {
      AuditProgress p;
      p.total = tasks.size();
      ++passes;
      for (const auto& t : tasks) {
        if (stop && stop->load()) break;
        const bool error = in_error.count(t.domain) > 0;
        if (t.first_look_done) {
          look(sink, t.domain, error, 2);  // the re-check the interruption prevented
          ++p.rechecked;
        } else {
          look(sink, t.domain, error, 1);
        }
        if (!t.first_look_done && error && options.retry_errors) {
          look(sink, t.domain, error, 2);
          ++p.rechecked;
        }
        ++p.done;
        if (error) ++p.with_errors;
        if (sink.onProgress) sink.onProgress(p);
      }
      return p;
    };
  }
  std::size_t looks() const { return looks_; }

 private:
  void look(const AuditSink& sink, const std::string& domain, bool error, int attempt) {
    sink.onReport(reportOf(domain, error), attempt);
    ++looks_;
    if (after_look) after_look(looks_);
  }
  std::size_t looks_ = 0;
};

// One look stored per domain of a run that a kill -9 left `running`; the first `erred` in error.
std::int64_t killedRun(SqliteStore& db, std::size_t audited, std::size_t erred) {
  db.upsertDomains(entries());
  const auto run = db.startRun(store::RunKind::National, kRubricVersion, "test", "{}");
  for (std::size_t i = 0; i < audited; ++i) {
    auto written = db.recordDomainResult(run, rowWithScore(reportOf(kNames[i], i < erred)));
    if (!written) throw std::runtime_error(written.error);
  }
  return run;
}

NationalRunConfig noRounds() {
  NationalRunConfig c;
  c.recheck.rounds = 0;
  return c;
}

int attemptOf(SqliteStore& db, std::int64_t run, const std::string& domain) {
  auto r = db.domainResult(run, domain);
  return r ? r->attempt : 0;
}

TEST(NationalRun, ANewRunAuditsEveryDomainOnceAndCompletesWithItsRollup) {
  SqliteStore db(":memory:");
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  NationalRun run(db, entries(), noRounds(), fake.pass(), clock);
  EXPECT_FALSE(run.resumed());
  EXPECT_EQ(run.status().progress.total, kNames.size());
  const auto result = run.run();
  EXPECT_EQ(result.end, RunEnd::Complete);
  EXPECT_EQ(result.domains, kNames.size());
  EXPECT_EQ(fake.looks(), kNames.size());
  EXPECT_EQ(db.run(run.id())->state, RunState::Complete);
  EXPECT_TRUE(db.runRollup(run.id()));  // computed in the completing transaction
  for (const auto& d : kNames) EXPECT_EQ(attemptOf(db, run.id(), d), 1) << d;
  EXPECT_EQ(run.status().progress.done, kNames.size());
}

TEST(NationalRun, AKilledRunIsResumedWithEveryDomainOnceAndItsMissedRecheck) {
  SqliteStore db(":memory:");
  const auto killed = killedRun(db, 3, 1);  // a.gov.vn's first look in error, not re-checked
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  NationalRun run(db, entries(), noRounds(), fake.pass(), clock);
  EXPECT_TRUE(run.resumed());
  EXPECT_EQ(run.id(), killed);
  EXPECT_EQ(run.alreadyDone(), 3u);
  EXPECT_EQ(run.rechecksResumed(), 1u);
  EXPECT_EQ(run.status().progress.total, kNames.size());
  EXPECT_EQ(run.status().progress.done, 2u);
  EXPECT_EQ(run.run().end, RunEnd::Complete);
  // Two first looks and a.gov.vn's re-check; nothing stored is audited again.
  EXPECT_EQ(fake.looks(), 3u);
  EXPECT_EQ(attemptOf(db, killed, "a.gov.vn"), 2);
  for (const auto& d : {"b.gov.vn", "c.gov.vn", "d.gov.vn", "e.gov.vn"})
    EXPECT_EQ(attemptOf(db, killed, d), 1) << d;
  ASSERT_EQ(db.runSummaries().size(), 1u);
  EXPECT_EQ(db.runSummaries()[0].domains, static_cast<std::int64_t>(kNames.size()));
}

TEST(NationalRun, StopLeavesTheRunInterruptedAndTheNextOneFinishesIt) {
  SqliteStore db(":memory:");
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  std::int64_t id = 0;
  {
    FakeAudit fake;
    NationalRun* self = nullptr;
    fake.after_look = [&](std::size_t looks) {
      if (looks == 2) self->stop();
    };
    NationalRun run(db, entries(), noRounds(), fake.pass(), clock);
    self = &run;
    id = run.id();
    EXPECT_EQ(run.run().end, RunEnd::Stopped);
    EXPECT_EQ(db.run(id)->state, RunState::Interrupted);
    EXPECT_EQ(db.domainsDoneInRun(id).size(), 2u);
  }
  FakeAudit fake;
  NationalRun again(db, entries(), noRounds(), fake.pass(), clock);
  EXPECT_EQ(again.id(), id);
  EXPECT_EQ(again.run().end, RunEnd::Complete);
  EXPECT_EQ(fake.looks(), 3u);
  for (const auto& d : kNames) EXPECT_EQ(attemptOf(db, id, d), 1) << d;
}

TEST(NationalRun, NewRunMarksTheUnfinishedOneInterruptedAndStartsOver) {
  SqliteStore db(":memory:");
  const auto killed = killedRun(db, 2, 0);
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  auto config = noRounds();
  config.new_run = true;
  NationalRun run(db, entries(), config, fake.pass(), clock);
  EXPECT_FALSE(run.resumed());
  EXPECT_NE(run.id(), killed);
  EXPECT_EQ(db.run(killed)->state, RunState::Interrupted);
  EXPECT_EQ(run.run().end, RunEnd::Complete);
  EXPECT_EQ(fake.looks(), kNames.size());
}

// Polls the run's status (real time, bounded) until `done` holds.
bool waitFor(const NationalRun& run, const std::function<bool(const ActiveRun&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(run.status())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool waitingRound(const ActiveRun& s, int round) {
  return s.phase == RunPhase::WaitingRecheck && s.recheck_round == round;
}

TEST(NationalRun, RecheckRoundsWaitForTheClockAndCountAsFurtherAttempts) {
  SqliteStore db(":memory:");
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  fake.in_error = {"b.gov.vn"};
  NationalRunConfig config;
  config.recheck = {std::chrono::minutes(30), 2};
  NationalRun run(db, entries(), config, fake.pass(), clock);
  NationalRunResult result;
  std::thread t([&] { result = run.run(); });
  ASSERT_TRUE(waitFor(run, [](const ActiveRun& s) { return waitingRound(s, 1); }));
  EXPECT_EQ(run.status().recheck_domains, 1u);
  EXPECT_EQ(*run.status().recheck_at, utc("2026-03-01T03:30:00Z"));
  EXPECT_EQ(db.run(run.id())->state, RunState::Running);
  EXPECT_EQ(attemptOf(db, run.id(), "b.gov.vn"), 2);  // first look and the at-once retry
  clock.set(utc("2026-03-01T03:30:00Z"));
  ASSERT_TRUE(waitFor(run, [](const ActiveRun& s) { return waitingRound(s, 2); }));
  EXPECT_EQ(*run.status().recheck_at, utc("2026-03-01T04:00:00Z"));
  EXPECT_EQ(attemptOf(db, run.id(), "b.gov.vn"), 3);
  fake.in_error.clear();  // only read by the pass, which waits for the clock meanwhile
  clock.set(utc("2026-03-01T04:00:00Z"));
  t.join();
  EXPECT_EQ(result.end, RunEnd::Complete);
  EXPECT_EQ(attemptOf(db, run.id(), "b.gov.vn"), 4);
  EXPECT_EQ(attemptOf(db, run.id(), "a.gov.vn"), 1);
  EXPECT_EQ(fake.passes, 3u);
}

TEST(NationalRun, AResumedRunDoesNotStartItsRecheckRoundsOver) {
  SqliteStore db(":memory:");
  const auto killed = killedRun(db, kNames.size(), 0);
  // c.gov.vn: three attempts stored, the at-once retry and round 1 in error; killed before
  // round 2.
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(db.recordDomainResult(killed, rowWithScore(reportOf("c.gov.vn", true))));
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  fake.in_error = {"c.gov.vn"};
  NationalRunConfig config;
  config.recheck = {std::chrono::minutes(30), 2};
  NationalRun run(db, entries(), config, fake.pass(), clock);
  EXPECT_EQ(run.rechecksResumed(), 0u);
  NationalRunResult result;
  std::thread t([&] { result = run.run(); });
  ASSERT_TRUE(waitFor(run, [](const ActiveRun& s) { return waitingRound(s, 1); }));
  clock.set(utc("2026-03-01T03:30:00Z"));
  t.join();  // one round was left, and no second wait
  EXPECT_EQ(result.end, RunEnd::Complete);
  EXPECT_EQ(attemptOf(db, killed, "c.gov.vn"), 4);
  EXPECT_EQ(fake.looks(), 1u);
}

TEST(NationalRun, StopDuringTheRecheckWaitEndsAtOnce) {
  SqliteStore db(":memory:");
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  FakeAudit fake;
  fake.in_error = {"a.gov.vn"};
  NationalRunConfig config;
  config.recheck = {std::chrono::hours(2), 1};
  NationalRun run(db, entries(), config, fake.pass(), clock);
  NationalRunResult result;
  std::thread t([&] { result = run.run(); });
  ASSERT_TRUE(waitFor(run, [](const ActiveRun& s) { return waitingRound(s, 1); }));
  run.stop();
  t.join();
  EXPECT_EQ(result.end, RunEnd::Stopped);
  EXPECT_EQ(db.run(run.id())->state, RunState::Interrupted);
}

TEST(NationalRun, AFailedWriteHaltsTheRunWhichIsResumedOnceTheStoreWritesAgain) {
  http::testing::TempDir dir;
  const std::string path = (dir.path / "store.db").string();
  store::SqliteStoreOptions options;
  options.busy_timeout_ms = 100;
  SqliteStore db(path, options);
  db.upsertDomains(entries());
  ManualClock clock(utc("2026-03-01T03:00:00Z"));
  std::unique_ptr<mh::testing::SqliteWriteLock> lock;
  std::int64_t id = 0;
  {
    FakeAudit fake;
    fake.after_look = [&](std::size_t looks) {
      if (looks == 2) lock = std::make_unique<mh::testing::SqliteWriteLock>(path);
    };
    NationalRun run(db, entries(), noRounds(), fake.pass(), clock);
    id = run.id();
    const auto result = run.run();
    EXPECT_EQ(result.end, RunEnd::Failed);
    EXPECT_NE(result.failure.find("database is locked"), std::string::npos) << result.failure;
    EXPECT_EQ(result.not_stored, 1u);
    EXPECT_EQ(fake.looks(), 3u);  // halted at the first write that failed
  }
  // Neither complete nor marked: the lock is still held, the run stays `running`.
  EXPECT_EQ(db.run(id)->state, RunState::Running);
  EXPECT_EQ(db.domainsDoneInRun(id).size(), 2u);  // nothing committed was lost
  lock->release();
  FakeAudit fake;
  NationalRun again(db, entries(), noRounds(), fake.pass(), clock);
  EXPECT_EQ(again.id(), id);
  EXPECT_EQ(again.run().end, RunEnd::Complete);
  EXPECT_EQ(fake.looks(), 3u);
  for (const auto& d : kNames) EXPECT_EQ(attemptOf(db, id, d), 1) << d;
}

}  // namespace
}  // namespace mh::service
