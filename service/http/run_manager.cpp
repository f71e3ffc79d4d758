// The background national run: tasks from the registry, results into the store, progress kept,
// then the delayed re-check of the domains left in error.
#include "service/http/run_manager.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "checks/core/rubric.hpp"
#include "service/audit/regression_recheck.hpp"
#include "service/audit/run_order.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/schedule.hpp"

namespace mh::service::http {

std::string_view toString(RunPhase phase) {
  switch (phase) {
    case RunPhase::Auditing:
      return "auditing";
    case RunPhase::WaitingRecheck:
      return "waiting_recheck";
    case RunPhase::Rechecking:
      return "rechecking";
  }
  return "auditing";
}

RunManager::RunManager(AuditEnvironment env, RecheckPolicy recheck, Clock& clock)
    : env_(env), recheck_(recheck), clock_(clock) {}

RunManager::~RunManager() {
  stop();
}

RunStart RunManager::start(std::string_view started_by) {
  std::lock_guard lock(mutex_);
  if (active_) return {false, active_->id, false};
  return launch(env_.store.unfinishedRun(store::RunKind::National), started_by);
}

std::optional<RunStart> RunManager::resumeUnfinished() {
  std::lock_guard lock(mutex_);
  if (active_) return std::nullopt;
  auto unfinished = env_.store.unfinishedRun(store::RunKind::National);
  if (!unfinished) return std::nullopt;
  return launch(unfinished, "resume");
}

RunStart RunManager::launch(const std::optional<store::RunInfo>& unfinished,
                            std::string_view started_by) {
  if (thread_.joinable()) thread_.join();  // the previous run, finished
  stop_.store(false);

  RunStart result;
  std::set<std::string> done;
  if (unfinished) {
    result.run_id = unfinished->id;
    result.resumed = true;
    done = env_.store.domainsDoneInRun(unfinished->id);
  } else {
    result.run_id = env_.store.startRun(store::RunKind::National, kRubricVersion, MH_VERSION,
                                        runOptionsJson(env_, started_by));
  }
  result.started = true;
  std::vector<AuditTask> tasks;
  for (const auto& e : env_.registry.entries)
    if (!done.count(e.domain)) tasks.push_back({e.domain, e.dkim_selectors});
  // Domains that could not be told last time start at once on threads of their own.
  expectSlow(tasks, domainsWithErrorsLastRun(env_.store, result.run_id));
  active_ = ActiveRun{};
  active_->id = result.run_id;
  progress_ = AuditProgress{};
  progress_.total = tasks.size() + done.size();
  progress_.done = done.size();
  env_.metrics.countRunStarted();
  httpLogger()->info("run started run={} domains={} resumed={} started_by={}", result.run_id,
                     progress_.total, result.resumed, started_by);
  thread_ = std::thread(&RunManager::execute, this, result.run_id, std::move(tasks), done.size());
  return result;
}

void RunManager::execute(std::int64_t run_id, std::vector<AuditTask> tasks,
                         std::size_t already_done) {
  try {
    JobOptions job = makeJobOptions(env_.scanner);
    AuditRunOptions runOptions;
    runOptions.threads = env_.audit_threads;
    runOptions.resolver = env_.scanner.resolver;
    runOptions.recheck = regressionRecheck(env_.store, run_id);
    AuditSink sink;
    sink.onReport = [&](const audit::DomainReport& report, int) {
      env_.metrics.countAudit(report, "national");
      auto written = env_.store.recordDomainResult(run_id, rowWithScore(report));
      if (!written)
        httpLogger()->error("result not stored run={} domain={} error=\"{}\"", run_id,
                            report.domain, written.error);
    };
    sink.onFailure = [&](const std::string&, const std::string&) {
      env_.metrics.countAuditFailure("national");
    };
    sink.onProgress = [&](const AuditProgress& p) {
      std::lock_guard lock(mutex_);
      progress_ = p;
      progress_.total += already_done;
      progress_.done += already_done;
    };
    auto final = runAudit(tasks, job.audit, runOptions, sink, &stop_);
    if (job.tls)
      env_.metrics.countSmtpConnections(job.tls->connections() + final.recheck_smtp_connections);
    if (!stop_.load()) {
      AuditSink recheckSink = sink;
      recheckSink.onProgress = nullptr;  // the run's progress stays complete meanwhile
      recheckErrors(run_id, recheckSink);
    }
    const bool stopped = stop_.load();
    env_.store.finishRun(run_id,
                         stopped ? store::RunState::Interrupted : store::RunState::Complete);
    httpLogger()->info("run finished run={} done={} with_errors={} seconds={:.1f} interrupted={}",
                       run_id, final.done + already_done, final.with_errors, final.elapsed_seconds,
                       stopped);
  } catch (const std::exception& e) {
    httpLogger()->error("run failed run={} what=\"{}\"", run_id, e.what());
    try {
      env_.store.finishRun(run_id, store::RunState::Interrupted);
    } catch (const std::exception&) {
    }
  }
  std::lock_guard lock(mutex_);
  active_.reset();
}

void RunManager::recheckErrors(std::int64_t run_id, const AuditSink& sink) {
  // Every attempt of the run counts, so a resumed run does not start its rounds over. A domain
  // left in error has two already: its first look and the in-run re-check of runAudit.
  const int maxAttempts = 2 + recheck_.rounds;
  for (int round = 1; round <= recheck_.rounds; ++round) {
    std::vector<AuditTask> tasks;
    for (const auto& domain : env_.store.domainsToRetry(run_id, maxAttempts))
      if (const DomainEntry* e = env_.registry.find(domain))
        tasks.push_back({e->domain, e->dkim_selectors});
    if (tasks.empty()) return;
    const Clock::TimePoint at = clock_.now() + recheck_.delay;
    {
      std::lock_guard lock(mutex_);
      active_->phase = RunPhase::WaitingRecheck;
      active_->recheck_round = round;
      active_->recheck_domains = tasks.size();
      active_->recheck_at = at;
    }
    httpLogger()->info("re-check planned run={} round={} domains={} at={}", run_id, round,
                       tasks.size(), formatUtc(at));
    if (!clock_.sleepUntil(at, stop_)) return;
    {
      std::lock_guard lock(mutex_);
      active_->phase = RunPhase::Rechecking;
    }
    // A fresh job: new DNS cache (in runAudit) and new STARTTLS probe results.
    JobOptions job = makeJobOptions(env_.scanner);
    AuditRunOptions options;
    options.threads = env_.audit_threads;
    options.resolver = env_.scanner.resolver;
    options.retry_errors = false;  // one attempt per round: the delay is the retry
    auto final = runAudit(tasks, job.audit, options, sink, &stop_);
    if (job.tls) env_.metrics.countSmtpConnections(job.tls->connections());
    httpLogger()->info("re-check done run={} round={} domains={} still_with_errors={}", run_id,
                       round, final.done, final.with_errors);
    if (stop_.load()) return;
  }
}

std::optional<AuditProgress> RunManager::progress(std::int64_t run_id) const {
  std::lock_guard lock(mutex_);
  if (!active_ || active_->id != run_id) return std::nullopt;
  return progress_;
}

bool RunManager::running() const {
  std::lock_guard lock(mutex_);
  return active_.has_value();
}

std::optional<ActiveRun> RunManager::active() const {
  std::lock_guard lock(mutex_);
  return active_;
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
         (current && current->phase == RunPhase::WaitingRecheck ? "1" : "0") + "\n";
}

void RunManager::stop() {
  stop_.store(true);
  clock_.wake();
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    t.swap(thread_);
  }
  if (t.joinable()) t.join();
}

}  // namespace mh::service::http
