// The scheduler thread: sleeps on the clock until the next slot, starts or skips, repeats.
#include "service/http/scheduler.hpp"

#include <spdlog/spdlog.h>

#include "checks/core/logging.hpp"

namespace mh::service::http {

namespace {

std::shared_ptr<spdlog::logger> schedulerLogger() {
  static const auto logger = subsystemLogger("scheduler");
  return logger;
}

double unixSeconds(const std::optional<SystemTime>& t) {
  if (!t) return 0;
  return std::chrono::duration<double>(t->time_since_epoch()).count();
}

}  // namespace

Scheduler::Scheduler(Schedule schedule, Clock& clock, StartRun start_run)
    : clock_(clock), start_run_(std::move(start_run)) {
  status_.schedule = schedule;
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stop_.load()) return;
  const Schedule& schedule = status_.schedule;
  status_.next_run = slotAfter(schedule, clock_.now());
  if (!status_.next_run) {
    schedulerLogger()->info("schedule off");
    return;
  }
  schedulerLogger()->info("schedule on schedule=\"{}\" utc_offset={} next_run={}",
                          describe(schedule), formatUtcOffset(schedule.utc_offset),
                          formatUtc(*status_.next_run));
  thread_ = std::thread(&Scheduler::loop, this);
}

void Scheduler::stop() {
  stop_.store(true);
  clock_.wake();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  status_.next_run.reset();
}

void Scheduler::loop() {
  for (;;) {
    SystemTime due;
    {
      std::lock_guard lock(mutex_);
      due = *status_.next_run;
    }
    if (!clock_.sleepUntil(due, stop_)) return;
    RunStart run;
    bool failed = false;
    try {
      run = start_run_();
    } catch (const std::exception& e) {
      // A broken store or environment: this slot is lost, the next one tries again.
      failed = true;
      schedulerLogger()->error("scheduled run not started slot={} what=\"{}\"", formatUtc(due),
                               e.what());
    }
    const SystemTime now = clock_.now();
    std::lock_guard lock(mutex_);
    status_.last_slot = due;
    status_.last_run_id.reset();
    if (run.started) {
      ++status_.runs_started;
      status_.last_run_id = run.run_id;
      schedulerLogger()->info("scheduled run started slot={} run={} resumed={}", formatUtc(due),
                              run.run_id, run.resumed);
    } else if (!failed) {
      ++status_.slots_skipped;
      schedulerLogger()->warn("scheduled slot skipped slot={} reason=run_in_progress run={}",
                              formatUtc(due), run.run_id);
    }
    status_.next_run = nextDue(status_.schedule, due, now);
    if (slotAfter(status_.schedule, due) <= slotAtOrBefore(status_.schedule, now))
      schedulerLogger()->warn(
          "scheduler woke up late slot={} now={} effect=\"one run for the slots "
          "that went by\"",
          formatUtc(due), formatUtc(now));
    schedulerLogger()->info("next scheduled run next_run={}", formatUtc(*status_.next_run));
  }
}

Json scheduleJson(const SchedulerStatus& status, const RecheckPolicy& recheck, bool resume_on_start,
                  const std::optional<ActiveRun>& active,
                  const std::optional<store::RunInfo>& last_run) {
  auto time = [](const std::optional<SystemTime>& t) { return t ? Json(formatUtc(*t)) : Json(); };
  Json j =
      Json::object({{"schedule", describe(status.schedule)},
                    {"utc_offset", formatUtcOffset(status.schedule.utc_offset)},
                    {"next_run_at", time(status.next_run)},
                    {"last_slot_at", time(status.last_slot)},
                    {"last_slot_run_id", status.last_run_id ? Json(*status.last_run_id) : Json()},
                    {"runs_started", status.runs_started},
                    {"slots_skipped", status.slots_skipped},
                    {"retry_delay_seconds", static_cast<long long>(recheck.delay.count())},
                    {"rechecks", recheck.rounds},
                    {"resume_on_start", resume_on_start}});
  Json inProgress;
  if (active)
    inProgress = Json::object({{"id", active->id},
                               {"phase", toString(active->phase)},
                               {"recheck_round", active->recheck_round},
                               {"recheck_domains", active->recheck_domains},
                               {"recheck_at", time(active->recheck_at)}});
  j.set("run_in_progress", inProgress);
  Json last;
  if (last_run)
    last = Json::object(
        {{"id", last_run->id},
         {"state", store::toString(last_run->state)},
         {"started_at", last_run->started_at},
         {"finished_at", last_run->finished_at ? Json(*last_run->finished_at) : Json()}});
  j.set("last_run", last);
  return j;
}

SchedulerStatus Scheduler::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::string Scheduler::metricsText() const {
  const SchedulerStatus s = status();
  char next[64], last[64];
  std::snprintf(next, sizeof next, "%.0f", unixSeconds(s.next_run));
  std::snprintf(last, sizeof last, "%.0f", unixSeconds(s.last_slot));
  std::string out;
  out +=
      "# HELP mailhygiene_schedule_next_run_timestamp_seconds When the scheduler starts the next "
      "national run (Unix time); 0 when the schedule is off.\n"
      "# TYPE mailhygiene_schedule_next_run_timestamp_seconds gauge\n"
      "mailhygiene_schedule_next_run_timestamp_seconds " +
      std::string(next) + "\n";
  out +=
      "# HELP mailhygiene_schedule_last_slot_timestamp_seconds The last slot the scheduler "
      "handled, started or skipped (Unix time); 0 before the first.\n"
      "# TYPE mailhygiene_schedule_last_slot_timestamp_seconds gauge\n"
      "mailhygiene_schedule_last_slot_timestamp_seconds " +
      std::string(last) + "\n";
  out +=
      "# HELP mailhygiene_schedule_runs_started_total National runs started (or resumed) by the "
      "scheduler.\n"
      "# TYPE mailhygiene_schedule_runs_started_total counter\n"
      "mailhygiene_schedule_runs_started_total " +
      std::to_string(s.runs_started) + "\n";
  out +=
      "# HELP mailhygiene_schedule_slots_skipped_total Scheduled slots skipped because a national "
      "run was in progress.\n"
      "# TYPE mailhygiene_schedule_slots_skipped_total counter\n"
      "mailhygiene_schedule_slots_skipped_total " +
      std::to_string(s.slots_skipped) + "\n";
  return out;
}

}  // namespace mh::service::http
