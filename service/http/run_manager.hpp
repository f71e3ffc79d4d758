// National runs started over HTTP: one at a time, in the background, with live progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "service/audit/audit_runner.hpp"
#include "service/http/audit_jobs.hpp"

namespace mh::service::http {

struct RunStart {
  bool started = false;  // false: a run is already in progress (run_id is that run)
  std::int64_t run_id = 0;
  bool resumed = false;  // an unfinished national run was taken up instead of a new one
};

class RunManager {
 public:
  explicit RunManager(AuditEnvironment env);
  ~RunManager();  // stop()
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Starts a national run of every registry domain in the background. An unfinished national
  // run (interrupted, or left running by a stopped process) is resumed, as `mailhygiene audit`
  // does: every domain ends up audited exactly once in it.
  RunStart start();

  // The progress of the run in progress, when run_id is it.
  std::optional<AuditProgress> progress(std::int64_t run_id) const;
  bool running() const;

  // Stops the run in progress after its domains in flight (it stays resumable) and waits.
  void stop();

 private:
  void execute(std::int64_t run_id, std::vector<AuditTask> tasks, std::size_t already_done);

  AuditEnvironment env_;
  mutable std::mutex mutex_;  // guards the members below
  std::thread thread_;
  std::optional<std::int64_t> active_;
  AuditProgress progress_;
  std::atomic<bool> stop_{false};
};

}  // namespace mh::service::http
