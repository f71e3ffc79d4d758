// The background national run: a NationalRun over the registry on a thread of its own, its
// progress for the API, the metrics it counts and the reason it failed.
#include "service/http/run_manager.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstdio>

#include "service/http/schedule.hpp"
#include "service/store/sqlite_handle.hpp"

namespace mh::service::http {

RunManager::RunManager(AuditEnvironment env, RecheckPolicy recheck, Clock& clock)
    : env_(env), recheck_(recheck), clock_(clock) {}

RunManager::~RunManager() {
  stop();
}

RunStart RunManager::start(std::string_view started_by) {
  std::lock_guard lock(mutex_);
  if (running_) return {false, run_->id(), false};
  if (env_.store_read_only)
    throw store::StoreError("the store is read-only: a national run cannot be written",
                            SQLITE_READONLY);
  return launch(started_by);
}

std::optional<RunStart> RunManager::resumeUnfinished() {
  std::lock_guard lock(mutex_);
  if (running_ || env_.store_read_only || !env_.store.unfinishedRun(store::RunKind::National))
    return std::nullopt;
  return launch("resume");
}

RunStart RunManager::launch(std::string_view started_by) {
  if (thread_.joinable()) thread_.join();  // the previous run, finished
  NationalRunConfig config;
  config.threads = env_.audit_threads;
  config.resolver = env_.scanner.resolver;
  config.recheck = recheck_;
  config.options_json = runOptionsJson(env_, started_by);
  NationalRunHooks hooks;
  hooks.on_report = [this](const audit::DomainReport& report, const store::DomainReportRow&, bool) {
    env_.metrics.countAudit(report, "national");
  };
  hooks.on_failure = [this](const std::string&, const std::string&) {
    env_.metrics.countAuditFailure("national");
  };
  auto pass =
      scannerPass(env_.scanner, [this](std::size_t n) { env_.metrics.countSmtpConnections(n); });
  run_ = std::make_unique<NationalRun>(env_.store, env_.registry.entries, std::move(config),
                                       std::move(pass), clock_, std::move(hooks));
  running_ = true;
  env_.metrics.countRunStarted();
  httpLogger()->info("run started run={} domains={} resumed={} started_by={}", run_->id(),
                     run_->domainCount(), run_->resumed(), started_by);
  thread_ = std::thread(&RunManager::execute, this);
  return {true, run_->id(), run_->resumed()};
}

void RunManager::execute() {
  std::optional<RunFailure> failure;
  try {
    const auto result = run_->run();
    if (result.end == RunEnd::Failed)
      failure = RunFailure{run_->id(), result.failure, formatUtc(clock_.now())};
  } catch (const std::exception& e) {
    // A broken store or environment: the run stays resumable in the store.
    httpLogger()->error("run failed run={} what=\"{}\"", run_->id(), e.what());
    failure = RunFailure{run_->id(), e.what(), formatUtc(clock_.now())};
  }
  std::lock_guard lock(mutex_);
  failure_ = failure;
  running_ = false;
}

std::optional<AuditProgress> RunManager::progress(std::int64_t run_id) const {
  std::lock_guard lock(mutex_);
  if (!running_ || run_->id() != run_id) return std::nullopt;
  return run_->status().progress;
}

bool RunManager::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::optional<ActiveRun> RunManager::active() const {
  std::lock_guard lock(mutex_);
  if (!running_) return std::nullopt;
  return run_->status();
}

std::optional<RunFailure> RunManager::lastFailure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::string RunManager::metricsText() const {
  std::optional<SystemTime> finished;
  if (auto run = env_.store.latestRun(store::RunKind::National); run && run->finished_at)
    finished = parseUtc(*run->finished_at);
  const auto current = active();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.0f",
                finished ? std::chrono::duration<double>(finished->time_since_epoch()).count() : 0);
  return std::string(
             "# HELP mailhygiene_last_complete_run_timestamp_seconds When the newest complete "
             "national run finished (Unix time); 0 when there is none.\n"
             "# TYPE mailhygiene_last_complete_run_timestamp_seconds gauge\n"
             "mailhygiene_last_complete_run_timestamp_seconds ") +
         seconds +
         "\n"
         "# HELP mailhygiene_run_waiting_recheck 1 while the national run in progress waits for "
         "the delayed re-check of its domains in error.\n"
         "# TYPE mailhygiene_run_waiting_recheck gauge\n"
         "mailhygiene_run_waiting_recheck " +
         (current && current->phase == RunPhase::WaitingRecheck ? "1" : "0") +
         "\n"
         "# HELP mailhygiene_run_failed 1 when the last national run halted on a failed write "
         "(full disk, locked or read-only store); it stays resumable.\n"
         "# TYPE mailhygiene_run_failed gauge\n"
         "mailhygiene_run_failed " +
         (lastFailure() ? "1" : "0") + "\n";
}

void RunManager::stop() {
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    if (run_) run_->stop();
    t.swap(thread_);
  }
  if (t.joinable()) t.join();
}

}  // namespace mh::service::http
