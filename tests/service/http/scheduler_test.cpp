// Tests of service/http/scheduler.cpp with a manual clock and a recording run starter: runs at
// each slot, a slot skipped while a run is in progress, one run for a late wake-up, the status
// JSON and the metrics.
#include "service/http/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/service/http/manual_clock.hpp"

namespace mh::service::http {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::ManualClock;
using testing::utc;

Schedule hourlyUtc() {
  Schedule s;
  s.kind = Schedule::Kind::Every;
  s.interval = hours(1);
  s.utc_offset = minutes(0);
  return s;
}

// Stands in for RunManager::start: records when it was asked, answers "started" unless told
// that a run is in progress.
class RecordingStarter {
 public:
  explicit RecordingStarter(const ManualClock& clock) : clock_(clock) {}
  RunStart operator()() {
    std::lock_guard lock(mutex_);
    asked_at_.push_back(clock_.now());
    if (busy_run_) return {false, *busy_run_, false};
    return {true, ++last_id_, false};
  }
  void setBusy(std::optional<std::int64_t> run) {
    std::lock_guard lock(mutex_);
    busy_run_ = run;
  }
  std::vector<Clock::TimePoint> askedAt() const {
    std::lock_guard lock(mutex_);
    return asked_at_;
  }

 private:
  const ManualClock& clock_;
  mutable std::mutex mutex_;
  std::vector<Clock::TimePoint> asked_at_;
  std::optional<std::int64_t> busy_run_;
  std::int64_t last_id_ = 0;
};

// Waits (real time, bounded) until the scheduler has handled `slots` slots in all.
SchedulerStatus waitForSlots(const Scheduler& scheduler, std::uint64_t slots) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  SchedulerStatus s = scheduler.status();
  while (s.runs_started + s.slots_skipped < slots && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    s = scheduler.status();
  }
  return s;
}

TEST(Scheduler, StartsARunAtEachSlot) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  RecordingStarter starter(clock);
  Scheduler scheduler(hourlyUtc(), clock, std::ref(starter));
  scheduler.start();
  ASSERT_TRUE(scheduler.status().next_run);
  EXPECT_EQ(formatUtc(*scheduler.status().next_run), "2026-03-01T11:00:00Z");

  clock.set(utc("2026-03-01T10:59:59Z"));  // not yet
  clock.set(utc("2026-03-01T11:00:00Z"));
  auto s = waitForSlots(scheduler, 1);
  EXPECT_EQ(s.runs_started, 1u);
  EXPECT_EQ(formatUtc(*s.last_slot), "2026-03-01T11:00:00Z");
  EXPECT_EQ(s.last_run_id, 1);
  EXPECT_EQ(formatUtc(*s.next_run), "2026-03-01T12:00:00Z");

  clock.set(utc("2026-03-01T12:00:30Z"));
  s = waitForSlots(scheduler, 2);
  EXPECT_EQ(s.runs_started, 2u);
  EXPECT_EQ(s.last_run_id, 2);
  EXPECT_EQ(formatUtc(*s.next_run), "2026-03-01T13:00:00Z");
  scheduler.stop();

  auto asked = starter.askedAt();
  ASSERT_EQ(asked.size(), 2u);  // 10:59:59 started nothing
  EXPECT_EQ(formatUtc(asked[0]), "2026-03-01T11:00:00Z");
  EXPECT_EQ(formatUtc(asked[1]), "2026-03-01T12:00:30Z");
  EXPECT_FALSE(scheduler.status().next_run);
}

TEST(Scheduler, SkipsASlotWhileARunIsInProgress) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  RecordingStarter starter(clock);
  Scheduler scheduler(hourlyUtc(), clock, std::ref(starter));
  scheduler.start();
  starter.setBusy(41);  // e.g. started over HTTP, still going at 11:00
  clock.set(utc("2026-03-01T11:00:00Z"));
  auto s = waitForSlots(scheduler, 1);
  EXPECT_EQ(s.slots_skipped, 1u);
  EXPECT_EQ(s.runs_started, 0u);
  EXPECT_FALSE(s.last_run_id);
  EXPECT_EQ(formatUtc(*s.next_run), "2026-03-01T12:00:00Z");  // skipped, not queued

  starter.setBusy(std::nullopt);
  clock.set(utc("2026-03-01T12:00:00Z"));
  s = waitForSlots(scheduler, 2);
  EXPECT_EQ(s.runs_started, 1u);
  EXPECT_EQ(s.slots_skipped, 1u);
  EXPECT_EQ(starter.askedAt().size(), 2u);

  const std::string metrics = scheduler.metricsText();
  EXPECT_NE(metrics.find("mailhygiene_schedule_slots_skipped_total 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mailhygiene_schedule_runs_started_total 1\n"), std::string::npos);
  // 2026-03-01T13:00:00Z
  EXPECT_NE(metrics.find("mailhygiene_schedule_next_run_timestamp_seconds 1772370000\n"),
            std::string::npos)
      << metrics;
}

TEST(Scheduler, ALateWakeUpStartsOneRunThenWaitsForTheNextSlot) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  RecordingStarter starter(clock);
  Scheduler scheduler(hourlyUtc(), clock, std::ref(starter));
  scheduler.start();
  clock.set(utc("2026-03-01T15:10:00Z"));  // five slots went by (machine asleep)
  auto s = waitForSlots(scheduler, 1);
  EXPECT_EQ(s.runs_started, 1u);
  EXPECT_EQ(formatUtc(*s.next_run), "2026-03-01T16:00:00Z");
  // Nothing more happens before 16:00: no catch-up runs.
  clock.set(utc("2026-03-01T15:59:59Z"));
  clock.set(utc("2026-03-01T16:00:00Z"));
  s = waitForSlots(scheduler, 2);
  EXPECT_EQ(s.runs_started, 2u);
  auto asked = starter.askedAt();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(formatUtc(asked[1]), "2026-03-01T16:00:00Z");
}

TEST(Scheduler, OffStartsNothing) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  RecordingStarter starter(clock);
  Scheduler scheduler(Schedule{}, clock, std::ref(starter));
  scheduler.start();
  EXPECT_FALSE(scheduler.status().next_run);
  clock.advance(std::chrono::hours(48));
  scheduler.stop();
  EXPECT_TRUE(starter.askedAt().empty());
  EXPECT_NE(scheduler.metricsText().find("mailhygiene_schedule_next_run_timestamp_seconds 0\n"),
            std::string::npos);
}

TEST(Scheduler, AStarterThatThrowsLosesOnlyThatSlot) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  int calls = 0;
  Scheduler scheduler(hourlyUtc(), clock, [&]() -> RunStart {
    if (++calls == 1) throw std::runtime_error("database is locked");
    return {true, 9, false};
  });
  scheduler.start();
  clock.set(utc("2026-03-01T11:00:00Z"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (scheduler.status().next_run != utc("2026-03-01T12:00:00Z") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto s = scheduler.status();
  EXPECT_EQ(s.runs_started, 0u);
  EXPECT_EQ(s.slots_skipped, 0u);
  EXPECT_EQ(formatUtc(*s.next_run), "2026-03-01T12:00:00Z");
  clock.set(utc("2026-03-01T12:00:00Z"));
  s = waitForSlots(scheduler, 1);
  EXPECT_EQ(s.runs_started, 1u);
  EXPECT_EQ(s.last_run_id, 9);
}

TEST(Scheduler, StopWakesTheThreadAtOnce) {
  ManualClock clock(utc("2026-03-01T10:30:00Z"));
  RecordingStarter starter(clock);
  Scheduler scheduler(hourlyUtc(), clock, std::ref(starter));
  scheduler.start();
  scheduler.stop();  // returns although the clock never reaches 11:00
  clock.set(utc("2026-03-01T11:00:00Z"));
  EXPECT_TRUE(starter.askedAt().empty());
}

TEST(Scheduler, StatusJson) {
  SchedulerStatus status;
  status.schedule.kind = Schedule::Kind::Daily;
  status.schedule.time_of_day = hours(2);
  status.next_run = utc("2026-03-01T19:00:00Z");
  status.slots_skipped = 3;
  ActiveRun active;
  active.id = 12;
  active.phase = RunPhase::WaitingRecheck;
  active.recheck_round = 1;
  active.recheck_domains = 4;
  active.recheck_at = utc("2026-03-01T12:30:00Z");
  store::RunInfo last;
  last.id = 12;
  last.started_at = "2026-03-01T11:00:00.000Z";
  Json j = scheduleJson(status, RecheckPolicy{std::chrono::minutes(30), 2}, true, active, last);
  EXPECT_EQ(j.dump(),
            "{\"schedule\":\"daily 02:00\",\"utc_offset\":\"+07:00\","
            "\"next_run_at\":\"2026-03-01T19:00:00Z\",\"last_slot_at\":null,"
            "\"last_slot_run_id\":null,\"runs_started\":0,\"slots_skipped\":3,"
            "\"retry_delay_seconds\":1800,\"rechecks\":2,\"resume_on_start\":true,"
            "\"run_in_progress\":{\"id\":12,\"phase\":\"waiting_recheck\",\"recheck_round\":1,"
            "\"recheck_domains\":4,\"recheck_at\":\"2026-03-01T12:30:00Z\"},"
            "\"last_run\":{\"id\":12,\"state\":\"running\","
            "\"started_at\":\"2026-03-01T11:00:00.000Z\",\"finished_at\":null}}");
}

}  // namespace
}  // namespace mh::service::http
