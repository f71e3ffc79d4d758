// The scheduler of `mailhygiene serve`: starts a national run at every slot of the schedule,
// skips a slot while a run is in progress, and never runs to catch up more than once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "checks/core/json.hpp"
#include "service/http/clock.hpp"
#include "service/http/run_manager.hpp"
#include "service/http/schedule.hpp"

namespace mh::service::http {

struct SchedulerStatus {
  Schedule schedule;
  std::optional<SystemTime> next_run;  // nullopt when off, or once stopped
  // The last slot this scheduler handled, and whether it started (or resumed) a run then.
  std::optional<SystemTime> last_slot;
  std::optional<std::int64_t> last_run_id;  // the run started at last_slot
  std::uint64_t runs_started = 0;
  std::uint64_t slots_skipped = 0;  // slots that came while a run was in progress
};

// The body of GET /api/v1/schedule: the schedule, its next and last slots, the re-check
// policy, the run in progress and the newest national run of the store (`last_run`).
Json scheduleJson(const SchedulerStatus& status, const RecheckPolicy& recheck, bool resume_on_start,
                  const std::optional<ActiveRun>& active,
                  const std::optional<store::RunInfo>& last_run);

class Scheduler {
 public:
  // Starts a national run in the background (RunManager::start); started = false when a run is
  // already in progress.
  using StartRun = std::function<RunStart()>;

  Scheduler(Schedule schedule, Clock& clock, StartRun start_run);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Fixes the first slot (the first one after now: slots missed while the service was stopped
  // are not made up) and starts the thread that waits for it. Nothing happens when off.
  void start();
  // Stops waiting; a run the scheduler started is left to its RunManager. Idempotent.
  void stop();

  SchedulerStatus status() const;

  // The scheduler's lines of /metrics (Prometheus text format).
  std::string metricsText() const;

 private:
  void loop();

  Clock& clock_;
  StartRun start_run_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;  // guards status_
  SchedulerStatus status_;
};

}  // namespace mh::service::http
