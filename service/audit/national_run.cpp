// The national run's lifecycle: tasks from what the store lacks, results into it, re-check rounds
// on the clock, the completing transaction, and a halt at the first write that fails.
#include "service/audit/national_run.hpp"

#include <spdlog/spdlog.h>

#include "checks/core/logging.hpp"
#include "checks/core/rubric.hpp"
#include "service/audit/regression_recheck.hpp"
#include "service/audit/run_order.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/schedule.hpp"

namespace mh::service {

namespace {

std::shared_ptr<spdlog::logger> runLogger() {
  static const auto logger = subsystemLogger("run");
  return logger;
}

}  // namespace

std::string_view toString(RunPhase phase) {
  switch (phase) {
    case RunPhase::Auditing:
      return "auditing";
    case RunPhase::WaitingRecheck:
      return "waiting_recheck";
    case RunPhase::Rechecking:
      return "rechecking";
    case RunPhase::Completing:
      return "completing";
  }
  return "auditing";
}

std::string_view toString(RunEnd end) {
  switch (end) {
    case RunEnd::Complete:
      return "complete";
    case RunEnd::Stopped:
      return "stopped";
    case RunEnd::Failed:
      return "failed";
  }
  return "failed";
}

AuditPass scannerPass(const Scanner& scanner, std::function<void(std::size_t)> smtp_connections) {
  return [&scanner, smtp_connections](const std::vector<AuditTask>& tasks,
                                      const AuditRunOptions& options, const AuditSink& sink,
                                      const std::atomic<bool>* stop) {
    JobOptions job = makeJobOptions(scanner);
    auto progress = runAudit(tasks, job.audit, options, sink, stop);
    if (job.tls && smtp_connections)
      smtp_connections(job.tls->connections() + progress.recheck_smtp_connections);
    return progress;
  };
}

NationalRun::NationalRun(store::ResultStore& store, std::vector<DomainEntry> domains,
                         NationalRunConfig config, AuditPass pass, http::Clock& clock,
                         NationalRunHooks hooks)
    : store_(store),
      config_(std::move(config)),
      pass_(std::move(pass)),
      clock_(clock),
      hooks_(std::move(hooks)) {
  for (auto& e : domains) domains_.emplace(e.domain, std::move(e));
  std::set<std::string> done, recheckOnly;
  auto unfinished = store_.unfinishedRun(store::RunKind::National);
  if (unfinished && !config_.new_run) {
    id_ = unfinished->id;
    resumed_ = true;
    done = store_.domainsDoneInRun(id_);
    // First looks in error whose at-once re-check the interruption prevented.
    recheckOnly = store_.domainsToRetry(id_, 2);
  } else {
    if (unfinished) store_.finishRun(unfinished->id, store::RunState::Interrupted);
    id_ =
        store_.startRun(store::RunKind::National, kRubricVersion, MH_VERSION, config_.options_json);
  }
  for (const auto& [name, e] : domains_) {
    if (!done.count(name)) {
      tasks_.push_back({e.domain, e.dkim_selectors});
    } else if (recheckOnly.count(name)) {
      tasks_.push_back(
          {.domain = e.domain, .dkim_selectors = e.dkim_selectors, .first_look_done = true});
      ++resumed_rechecks_;
    }
  }
  done_before_ = done.size();
  // Domains that could not be told last time start at once on threads of their own.
  expectSlow(tasks_, domainsWithErrorsLastRun(store_, id_));
  status_.id = id_;
  status_.progress.total = tasks_.size() + done_before_ - resumed_rechecks_;
  status_.progress.done = done_before_ - resumed_rechecks_;
  runLogger()->info("national run opened run={} resumed={} domains={} stored_before={} rechecks={}",
                    id_, resumed_, status_.progress.total, done_before_, resumed_rechecks_);
}

void NationalRun::stop() {
  stop_.store(true);
  clock_.wake();
}

ActiveRun NationalRun::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void NationalRun::setPhase(RunPhase phase) {
  std::lock_guard lock(mutex_);
  status_.phase = phase;
}

void NationalRun::halt(std::string why) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_.empty()) return;
    failure_ = why;
  }
  runLogger()->error(
      "national run halted run={} why=\"{}\" effect=\"the run stays resumable; nothing stored "
      "is lost\"",
      id_, why);
  stop();
}

AuditSink NationalRun::sink(bool first_pass) {
  AuditSink sink;
  sink.onReport = [this](const audit::DomainReport& report, int) {
    const auto row = rowWithScore(report);
    const auto written = store_.recordDomainResult(id_, row);
    if (!written) {
      {
        std::lock_guard lock(mutex_);
        ++not_stored_;
      }
      halt("result not stored for " + report.domain + ": " + written.error);
    }
    if (hooks_.on_report) hooks_.on_report(report, row, written.ok);
  };
  sink.onFailure = [this](const std::string& domain, const std::string& what) {
    if (hooks_.on_failure) hooks_.on_failure(domain, what);
  };
  if (first_pass) {
    sink.onProgress = [this](const AuditProgress& p) {
      AuditProgress run = p;
      const std::size_t before = done_before_ - resumed_rechecks_;
      run.total += before;
      run.done += before;
      {
        std::lock_guard lock(mutex_);
        status_.progress = run;
      }
      if (hooks_.on_progress) hooks_.on_progress(run);
    };
  }
  return sink;
}

NationalRunResult NationalRun::run() {
  NationalRunResult result;
  AuditRunOptions options;
  options.threads = config_.threads;
  options.resolver = config_.resolver;
  options.recheck_after = config_.recheck_after;
  options.recheck = regressionRecheck(store_, id_);
  if (!stop_.load()) result.first_pass = pass_(tasks_, options, sink(true), &stop_);
  if (!stop_.load()) recheckRounds();

  std::string failure;
  {
    std::lock_guard lock(mutex_);
    failure = failure_;
    result.not_stored = not_stored_;
  }
  bool completed = false;
  if (!stop_.load()) {
    setPhase(RunPhase::Completing);
    try {
      store_.finishRun(id_, store::RunState::Complete);
      completed = true;
    } catch (const std::exception& e) {
      failure = std::string("run not completed: ") + e.what();
      runLogger()->error("national run not completed run={} why=\"{}\" effect=\"{}\"", id_,
                         e.what(), "the run stays resumable");
    }
  }
  if (!completed) {
    result.end = failure.empty() ? RunEnd::Stopped : RunEnd::Failed;
    result.failure = failure;
    try {
      store_.finishRun(id_, store::RunState::Interrupted);
    } catch (const std::exception& e) {
      // It stays `running` in the store, which the next start resumes just the same.
      runLogger()->error("national run not marked interrupted run={} why=\"{}\"", id_, e.what());
    }
  }
  try {
    result.domains = store_.domainsDoneInRun(id_).size();
  } catch (const std::exception&) {
    result.domains = done_before_ - resumed_rechecks_ + result.first_pass.done;
  }
  runLogger()->info(
      "national run ended run={} end={} domains={} audited={} with_errors={} rechecked={} "
      "not_stored={} seconds={:.1f}",
      id_, toString(result.end), result.domains, result.first_pass.done,
      result.first_pass.with_errors, result.first_pass.rechecked, result.not_stored,
      result.first_pass.elapsed_seconds);
  return result;
}

void NationalRun::recheckRounds() {
  // Every attempt of the run counts, so a resumed run does not start its rounds over. A domain
  // left in error has two already: its first look and the in-run re-check of the first pass.
  const int maxAttempts = 2 + config_.recheck.rounds;
  for (int round = 1; round <= config_.recheck.rounds; ++round) {
    std::vector<AuditTask> tasks;
    for (const auto& domain : store_.domainsToRetry(id_, maxAttempts))
      if (auto it = domains_.find(domain); it != domains_.end())
        tasks.push_back({it->second.domain, it->second.dkim_selectors});
    if (tasks.empty()) return;
    const http::Clock::TimePoint at = clock_.now() + config_.recheck.delay;
    {
      std::lock_guard lock(mutex_);
      status_.phase = RunPhase::WaitingRecheck;
      status_.recheck_round = round;
      status_.recheck_domains = tasks.size();
      status_.recheck_at = at;
    }
    runLogger()->info("re-check planned run={} round={} domains={} at={}", id_, round, tasks.size(),
                      http::formatUtc(at));
    if (!clock_.sleepUntil(at, stop_)) return;
    setPhase(RunPhase::Rechecking);
    AuditRunOptions options;
    options.threads = config_.threads;
    options.resolver = config_.resolver;
    options.retry_errors = false;  // one attempt per round: the delay is the retry
    // A fresh pass: new DNS cache (in runAudit) and new STARTTLS probe results.
    auto final = pass_(tasks, options, sink(false), &stop_);
    runLogger()->info("re-check done run={} round={} domains={} still_with_errors={}", id_, round,
                      final.done, final.with_errors);
    if (stop_.load()) return;
  }
}

}  // namespace mh::service
