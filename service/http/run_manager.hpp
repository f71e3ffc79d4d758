// National runs of the service (over HTTP, by the scheduler, resumed at start): one at a time,
// in the background, with live progress and the delayed re-check of domains left in error.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "service/audit/audit_runner.hpp"
#include "service/http/audit_jobs.hpp"
#include "service/http/clock.hpp"

namespace mh::service::http {

struct RunStart {
  bool started = false;  // false: a run is already in progress (run_id is that run)
  std::int64_t run_id = 0;
  bool resumed = false;  // an unfinished national run was taken up instead of a new one
};

// The delayed re-check: once a run has audited every domain (errors already retried once at
// once by runAudit), the domains whose latest result in the run still has an `error` check are
// audited again `delay` later, as further attempts of the same run, up to `rounds` times. The
// run stays in progress meanwhile (no other run starts) and is complete after the last round.
struct RecheckPolicy {
  std::chrono::seconds delay{30 * 60};
  int rounds = 2;  // 0: none
};

enum class RunPhase {
  Auditing,        // the domains of the run
  WaitingRecheck,  // waiting for the delayed re-check
  Rechecking,      // re-checking the domains left in error
};
std::string_view toString(RunPhase phase);  // "auditing" | "waiting_recheck" | "rechecking"

struct ActiveRun {
  std::int64_t id = 0;
  RunPhase phase = RunPhase::Auditing;
  int recheck_round = 0;            // the round waited for or in progress, from 1
  std::size_t recheck_domains = 0;  // domains of that round
  std::optional<Clock::TimePoint> recheck_at;
};

class RunManager {
 public:
  // `clock` times the re-check delay; it must outlive the manager.
  RunManager(AuditEnvironment env, RecheckPolicy recheck, Clock& clock);
  ~RunManager();  // stop()
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Starts a national run of every registry domain in the background. An unfinished national
  // run (interrupted, or left running by a stopped process) is resumed, as `mailhygiene audit`
  // does: every domain ends up audited exactly once in it. `started_by` ("api", "schedule") is
  // kept with a new run's options.
  RunStart start(std::string_view started_by = "api");

  // Resumes the unfinished national run if there is one (nullopt otherwise): at service start.
  std::optional<RunStart> resumeUnfinished();

  // The progress of the run in progress, when run_id is it.
  std::optional<AuditProgress> progress(std::int64_t run_id) const;
  bool running() const;
  std::optional<ActiveRun> active() const;

  // The runs' lines of /metrics: when the newest complete national run finished (from the
  // store, whoever started it) and whether a run waits for its re-check.
  std::string metricsText() const;

  // Stops the run in progress after its domains in flight, or its re-check wait (it stays
  // resumable), and waits.
  void stop();

 private:
  // Starts `unfinished` again, or a new run when it is empty; the caller holds mutex_ and no
  // run is active.
  RunStart launch(const std::optional<store::RunInfo>& unfinished, std::string_view started_by);
  void execute(std::int64_t run_id, std::vector<AuditTask> tasks, std::size_t already_done);
  // The delayed re-check rounds (RecheckPolicy) of a run whose domains are all audited.
  void recheckErrors(std::int64_t run_id, const AuditSink& sink);

  AuditEnvironment env_;
  RecheckPolicy recheck_;
  Clock& clock_;
  mutable std::mutex mutex_;  // guards the members below
  std::thread thread_;
  std::optional<ActiveRun> active_;
  AuditProgress progress_;
  std::atomic<bool> stop_{false};
};

}  // namespace mh::service::http
