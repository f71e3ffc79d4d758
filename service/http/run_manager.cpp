// The background national run: tasks from the registry, results into the store, progress kept.
#include "service/http/run_manager.hpp"

#include <spdlog/spdlog.h>

#include "checks/core/rubric.hpp"
#include "service/audit/scored_row.hpp"

namespace mh::service::http {

RunManager::RunManager(AuditEnvironment env) : env_(env) {}

RunManager::~RunManager() {
  stop();
}

RunStart RunManager::start() {
  std::lock_guard lock(mutex_);
  if (active_) return {false, *active_, false};
  if (thread_.joinable()) thread_.join();  // the previous run, finished
  stop_.store(false);

  RunStart result;
  std::set<std::string> done;
  if (auto unfinished = env_.store.unfinishedRun(store::RunKind::National)) {
    result.run_id = unfinished->id;
    result.resumed = true;
    done = env_.store.domainsDoneInRun(unfinished->id);
  } else {
    result.run_id = env_.store.startRun(store::RunKind::National, kRubricVersion, MH_VERSION,
                                        runOptionsJson(env_, "api"));
  }
  result.started = true;
  std::vector<AuditTask> tasks;
  for (const auto& e : env_.registry.entries)
    if (!done.count(e.domain)) tasks.push_back({e.domain, e.dkim_selectors});
  active_ = result.run_id;
  progress_ = AuditProgress{};
  progress_.total = tasks.size() + done.size();
  progress_.done = done.size();
  env_.metrics.countRunStarted();
  httpLogger()->info("run started run={} domains={} resumed={}", result.run_id, progress_.total,
                     result.resumed);
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
    if (job.tls) env_.metrics.countSmtpConnections(job.tls->connections());
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

std::optional<AuditProgress> RunManager::progress(std::int64_t run_id) const {
  std::lock_guard lock(mutex_);
  if (active_ != run_id) return std::nullopt;
  return progress_;
}

bool RunManager::running() const {
  std::lock_guard lock(mutex_);
  return active_.has_value();
}

void RunManager::stop() {
  stop_.store(true);
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    t.swap(thread_);
  }
  if (t.joinable()) t.join();
}

}  // namespace mh::service::http
