// The self-check: freshness from the store, shared in-flight audits, deadline, rate limits.
#include "service/http/self_check.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

#include "checks/core/rubric.hpp"
#include "service/audit/audit_runner.hpp"
#include "service/audit/scored_row.hpp"

namespace mh::service::http {

namespace {

// Seconds since an ISO 8601 UTC time ("2025-01-02T03:04:05[.mmm]Z"); nullopt when unparsable.
std::optional<double> ageSeconds(const std::string& iso) {
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  const auto then = std::chrono::system_clock::from_time_t(timegm(&tm));
  return std::chrono::duration<double>(std::chrono::system_clock::now() - then).count();
}

}  // namespace

SelfCheckService::SelfCheckService(AuditEnvironment env, SelfCheckConfig config)
    : env_(env),
      config_(config),
      clients_(config.rate_per_client_per_minute),
      domains_(config.rate_per_domain_per_minute) {}

SelfCheckService::~SelfCheckService() {
  stop();
}

int SelfCheckService::admitClient(const std::string& client) {
  return clients_.take(client);
}

std::optional<Json> SelfCheckService::storedResult(const std::string& domain) {
  auto latest = env_.store.domainHistory(domain, 1);
  if (latest.empty()) return std::nullopt;
  auto age = ageSeconds(latest.front().started_at);
  if (!age || *age > config_.max_age_seconds) return std::nullopt;
  auto run = env_.store.run(latest.front().run_id);
  auto stored = env_.store.domainResult(latest.front().run_id, domain);
  if (!run || !stored) return std::nullopt;
  Json j = domainResultJson(reportFromRow(stored->row, run->rubric_version),
                            runCheckedNetwork(*run), run->id, run->kind);
  j.set("cached", true);
  return j;
}

std::optional<Json> SelfCheckService::auditNow(const DomainEntry& entry) {
  JobOptions job = makeJobOptions(env_.scanner);
  AuditRunOptions runOptions;
  runOptions.threads = 1;
  runOptions.resolver = env_.scanner.resolver;
  runOptions.retry_errors = false;  // the agency is waiting; a retry is one click away
  std::optional<audit::DomainReport> report;
  AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int) { report = r; };
  sink.onFailure = [&](const std::string&, const std::string&) {
    env_.metrics.countAuditFailure("self_check");
  };
  runAudit({{entry.domain, entry.dkim_selectors}}, job.audit, runOptions, sink, &stop_);
  if (job.tls) env_.metrics.countSmtpConnections(job.tls->connections());
  if (!report) return std::nullopt;
  env_.metrics.countAudit(*report, "self_check");
  const auto runId = env_.store.startRun(store::RunKind::SelfCheck, kRubricVersion, MH_VERSION,
                                         runOptionsJson(env_, "self_check"));
  auto written = env_.store.recordDomainResult(runId, rowWithScore(*report));
  env_.store.finishRun(runId, written ? store::RunState::Complete : store::RunState::Interrupted);
  if (!written) {
    httpLogger()->error("self-check not stored domain={} error=\"{}\"", entry.domain,
                        written.error);
  }
  Json j = domainResultJson(*report, job.tls != nullptr, runId, store::RunKind::SelfCheck);
  j.set("cached", false);
  return j;
}

void SelfCheckService::reapFinished() {
  for (auto it = threads_.begin(); it != threads_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

SelfCheckService::ReportFuture SelfCheckService::launch(const DomainEntry& entry) {
  auto promise = std::make_shared<std::promise<std::optional<Json>>>();
  ReportFuture future = promise->get_future().share();
  auto done = std::make_shared<std::atomic<bool>>(false);
  in_flight_[entry.domain] = future;
  threads_.push_back({std::thread([this, entry, promise, done] {
                        std::optional<Json> result;
                        try {
                          result = auditNow(entry);
                        } catch (const std::exception& e) {
                          env_.metrics.countAuditFailure("self_check");
                          httpLogger()->error("self-check failed domain={} what=\"{}\"",
                                              entry.domain, e.what());
                        }
                        {
                          std::lock_guard lock(mutex_);
                          in_flight_.erase(entry.domain);
                        }
                        promise->set_value(std::move(result));
                        done->store(true);
                      }),
                      done});
  return future;
}

SelfCheckResult SelfCheckService::check(const std::string& domain) {
  const DomainEntry* entry = env_.registry.find(domain);
  if (!entry) return {SelfCheckOutcome::NotInRegistry, {}, 0};
  if (auto stored = storedResult(entry->domain)) return {SelfCheckOutcome::Cached, *stored, 0};

  ReportFuture future;
  {
    std::lock_guard lock(mutex_);
    reapFinished();
    if (auto it = in_flight_.find(entry->domain); it != in_flight_.end()) {
      future = it->second;
    } else {
      if (stop_.load()) return {SelfCheckOutcome::Busy, {}, 30};
      if (in_flight_.size() >= static_cast<std::size_t>(config_.max_concurrent))
        return {SelfCheckOutcome::Busy, {}, 10};
      if (int wait = domains_.take(entry->domain); wait > 0)
        return {SelfCheckOutcome::RateLimited, {}, wait};
      future = launch(*entry);
    }
  }
  if (future.wait_for(std::chrono::seconds(config_.deadline_seconds)) != std::future_status::ready)
    return {SelfCheckOutcome::TimedOut, {}, config_.deadline_seconds};
  const auto& result = future.get();
  if (!result) return {SelfCheckOutcome::Failed, {}, 0};
  return {SelfCheckOutcome::Audited, *result, 0};
}

void SelfCheckService::stop() {
  stop_.store(true);
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(threads_);
  }
  for (auto& w : workers) w.thread.join();
}

}  // namespace mh::service::http
