// The self-check: freshness from the store, audits as jobs shared per domain, bounds, rate limits.
#include "service/http/self_check.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "checks/core/rubric.hpp"
#include "service/audit/audit_runner.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/admin_tokens.hpp"
#include "service/http/client_address.hpp"

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

// 128 random bits as hex: a job id another client cannot guess.
std::string newJobId() {
  return randomHex(16);
}

}  // namespace

SelfCheckService::SelfCheckService(AuditEnvironment env, SelfCheckConfig config)
    : env_(env),
      config_(config),
      clients_(config.rate_per_client_per_minute),
      agencies_(config.agency_rate_per_minute),
      domains_(config.rate_per_domain_per_minute) {}

SelfCheckService::~SelfCheckService() {
  stop();
}

int SelfCheckService::admitClient(const std::string& client) {
  return clients_.take(client, addressNetwork(client));
}

int SelfCheckService::admitAgency(std::int64_t account_id) {
  const std::string key = "account:" + std::to_string(account_id);
  return agencies_.take(key, key);
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

std::optional<Json> SelfCheckService::auditNow(const DomainEntry& entry, bool store) {
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
  if (!store) {
    Json j = domainResultJson(*report, job.tls != nullptr, 0, store::RunKind::SelfCheck);
    j.set("run", Json::object({{"id", Json()}, {"kind", store::toString(store::RunKind::SelfCheck)}}));
    j.set("stored", false);
    j.set("cached", false);
    return j;
  }
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
  const auto now = std::chrono::steady_clock::now();
  const auto retention = std::chrono::seconds(config_.job_retention_seconds);
  for (auto it = jobs_.begin(); it != jobs_.end();)
    it =
        it->second->ended && now - *it->second->ended > retention ? jobs_.erase(it) : std::next(it);
}

void SelfCheckService::finish(const std::shared_ptr<Job>& job, std::optional<Json> result) {
  std::lock_guard lock(mutex_);
  job->ended = std::chrono::steady_clock::now();
  job->failed = !result;
  if (result) job->result = std::move(*result);
  if (result && !job->stored) anonymous_[job->domain] = {*job->ended, job->result};
  for (const auto& client : job->clients)
    if (auto it = client_jobs_.find(client); it != client_jobs_.end() && --it->second <= 0)
      client_jobs_.erase(it);
  job->clients.clear();
  in_flight_.erase(job->domain);
}

void SelfCheckService::launch(const std::shared_ptr<Job>& job, const DomainEntry& entry) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  threads_.push_back({std::thread([this, entry, job, done] {
                        std::optional<Json> result;
                        try {
                          result = auditNow(entry, job->stored);
                          env_.metrics.countSelfCheck(result ? "audited" : "failed");
                        } catch (const std::exception& e) {
                          env_.metrics.countAuditFailure("self_check");
                          env_.metrics.countSelfCheck("failed");
                          httpLogger()->error("self-check failed domain={} what=\"{}\"",
                                              entry.domain, e.what());
                        }
                        finish(job, std::move(result));
                        done->store(true);
                      }),
                      done});
}

int SelfCheckService::clientJobs(const std::string& client) const {
  auto it = client_jobs_.find(client);
  return it == client_jobs_.end() ? 0 : it->second;
}

bool SelfCheckService::joinAsClient(Job& job, const std::string& client, SelfCheckResult& refused) {
  if (std::find(job.clients.begin(), job.clients.end(), client) != job.clients.end()) return true;
  if (clientJobs(client) >= config_.max_jobs_per_client) {
    refused = {SelfCheckOutcome::RateLimited, {}, "", 10, "jobs_per_client"};
    return false;
  }
  if (job.clients.size() >= static_cast<std::size_t>(config_.max_waiters_per_domain)) {
    refused = {SelfCheckOutcome::Busy, {}, "", 10, "waiters_per_domain"};
    return false;
  }
  ++client_jobs_[client];
  job.clients.push_back(client);
  return true;
}

SelfCheckResult SelfCheckService::check(const std::string& domain, const std::string& client,
                                        bool anonymous) {
  const DomainEntry* entry = env_.registry.find(domain);
  if (!entry) return {SelfCheckOutcome::NotInRegistry, {}, "", 0, ""};
  if (auto stored = storedResult(entry->domain))
    return {SelfCheckOutcome::Cached, *stored, "", 0, ""};

  std::lock_guard lock(mutex_);
  reapFinished();
  if (auto it = anonymous_.find(entry->domain); anonymous && it != anonymous_.end() &&
      std::chrono::steady_clock::now() - it->second.first <
          std::chrono::seconds(config_.max_age_seconds)) {
    Json cached = it->second.second;
    cached.set("cached", true);
    return {SelfCheckOutcome::Cached, cached, "", 0, ""};
  }
  SelfCheckResult refused;
  if (auto it = in_flight_.find(entry->domain); it != in_flight_.end()) {
    if (!joinAsClient(*it->second, client, refused)) return refused;
    return {SelfCheckOutcome::Joined, {}, it->second->id, 0, ""};
  }
  if (stop_.load()) return {SelfCheckOutcome::Busy, {}, "", 30, "stopping"};
  if (in_flight_.size() >= static_cast<std::size_t>(config_.max_concurrent))
    return {SelfCheckOutcome::Busy, {}, "", 10, "concurrent_audits"};
  auto job = std::make_shared<Job>();
  job->id = newJobId();
  job->domain = entry->domain;
  job->started = std::chrono::steady_clock::now();
  job->stored = !anonymous;
  if (clientJobs(client) >= config_.max_jobs_per_client)
    return {SelfCheckOutcome::RateLimited, {}, "", 10, "jobs_per_client"};
  if (int wait = domains_.take(entry->domain); wait > 0)
    return {SelfCheckOutcome::RateLimited, {}, "", wait, "domain"};
  joinAsClient(*job, client, refused);  // a new job, a client within its budget: always joins
  jobs_[job->id] = job;
  in_flight_[job->domain] = job;
  launch(job, *entry);
  return {SelfCheckOutcome::Started, {}, job->id, 0, ""};
}

std::optional<SelfCheckJob> SelfCheckService::job(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& j = *it->second;
  const auto now = std::chrono::steady_clock::now();
  SelfCheckJob view{j.id,
                    j.domain,
                    SelfCheckJobState::Running,
                    std::chrono::duration<double>(j.ended.value_or(now) - j.started).count(),
                    {}};
  if (j.ended) {
    view.state = j.failed ? SelfCheckJobState::Failed : SelfCheckJobState::Done;
    view.result = j.result;
  } else if (view.elapsed_seconds > config_.deadline_seconds) {
    view.state = SelfCheckJobState::TimedOut;
  }
  return view;
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
