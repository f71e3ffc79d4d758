// National runs of the service (over HTTP, by the scheduler, resumed at start): one NationalRun
// at a time, in the background, with its progress and the reason the last one failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "service/audit/national_run.hpp"
#include "service/http/audit_jobs.hpp"
#include "service/http/clock.hpp"

namespace mh::service::http {

struct RunStart {
  bool started = false;  // false: a run is already in progress (run_id is that run)
  std::int64_t run_id = 0;
  bool resumed = false;  // an unfinished national run was taken up instead of a new one
};

// Why the last run stopped short (a write failed: full disk, locked or read-only store).
struct RunFailure {
  std::int64_t run_id = 0;
  std::string reason;
  std::string at;  // UTC, ISO 8601
};

class RunManager {
 public:
  // `clock` times the re-check delay; it must outlive the manager.
  RunManager(AuditEnvironment env, RecheckPolicy recheck, Clock& clock);
  ~RunManager();  // stop()
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Starts a national run of every registry domain in the background (NationalRun): an
  // unfinished national run (interrupted, halted, or left running by a killed process) is
  // resumed, as `mailhygiene audit` does. `started_by` ("api", "schedule") is kept with a new
  // run's options. Throws StoreError when the store cannot be read or the run not started.
  RunStart start(std::string_view started_by = "api");

  // Resumes the unfinished national run if there is one (nullopt otherwise): at service start.
  std::optional<RunStart> resumeUnfinished();

  // The progress of the run in progress, when run_id is it.
  std::optional<AuditProgress> progress(std::int64_t run_id) const;
  bool running() const;
  std::optional<ActiveRun> active() const;
  // The last run that failed, until a run ends otherwise.
  std::optional<RunFailure> lastFailure() const;

  // The runs' lines of /metrics: when the newest complete national run finished (from the
  // store, whoever started it) and whether a run waits for its re-check.
  std::string metricsText() const;

  // Stops the run in progress after its domains in flight, or its re-check wait (it stays
  // resumable), and waits.
  void stop();

 private:
  // The caller holds mutex_ and no run is active.
  RunStart launch(std::string_view started_by);
  void execute();

  AuditEnvironment env_;
  RecheckPolicy recheck_;
  Clock& clock_;
  mutable std::mutex mutex_;  // guards the members below
  std::thread thread_;
  std::unique_ptr<NationalRun> run_;  // the run in progress or the last one
  bool running_ = false;
  std::optional<RunFailure> failure_;
};

}  // namespace mh::service::http
