// The agency self-check: registry domains only, served from the store when fresh, otherwise
// audited as a job the client polls; rate-limited per client and per domain, jobs bounded.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "checks/core/json.hpp"
#include "service/http/audit_jobs.hpp"
#include "service/http/rate_limiter.hpp"
#include "service/http/serve_config.hpp"

namespace mh::service::http {

enum class SelfCheckOutcome {
  Cached,         // a stored result younger than max_age (result set)
  Started,        // a fresh audit started as a job (job_id set)
  Joined,         // the domain's audit in flight was joined (job_id set)
  NotInRegistry,  // not a domain of the registry: never audited on request
  RateLimited,    // the domain's bucket or the client's job budget is empty (retry_after set)
  Busy,           // max_concurrent audits running, or the domain's job has max waiters
};

struct SelfCheckResult {
  SelfCheckOutcome outcome = SelfCheckOutcome::Busy;
  Json result;  // Cached: the domain result JSON with "cached"
  std::string job_id;
  int retry_after = 0;
  std::string why;  // RateLimited and Busy: which limit
};

enum class SelfCheckJobState { Running, Done, Failed, TimedOut };

// What a poll of a job sees.
struct SelfCheckJob {
  std::string id;
  std::string domain;
  SelfCheckJobState state = SelfCheckJobState::Running;
  double elapsed_seconds = 0;
  Json result;  // Done: the domain result JSON ("cached": false)
};

// Self-checks run as jobs: the request that starts one (or joins the domain's job in flight) is
// answered at once, and the client polls the job; no HTTP thread ever waits for an audit.
class SelfCheckService {
 public:
  SelfCheckService(AuditEnvironment env, SelfCheckConfig config);
  ~SelfCheckService();  // stop()
  SelfCheckService(const SelfCheckService&) = delete;
  SelfCheckService& operator=(const SelfCheckService&) = delete;

  // Takes a token of the client's bucket: 0 when admitted, else seconds for Retry-After.
  int admitClient(const std::string& client);
  // The same for an agency account checking one of its own domains: a bucket per account at
  // agency_rate_per_minute instead of the client address's.
  int admitAgency(std::int64_t account_id);

  // `domain` is normalised (normaliseDomainArgument). A fresh stored result is answered at once;
  // otherwise the domain's job in flight is joined, or a job is started. An `anonymous` check is
  // never stored (it must not become the domain's latest result in the national view): its
  // result lives in the job, and the newest one per domain is kept in memory and served to
  // anonymous checks while fresh.
  SelfCheckResult check(const std::string& domain, const std::string& client, bool anonymous);

  // A job by id; nullopt when unknown or forgotten (job_retention_seconds after it ended).
  std::optional<SelfCheckJob> job(const std::string& id);

  // Asks audits in flight to stop after their domain and waits for them.
  void stop();

 private:
  struct Job {
    std::string id;
    std::string domain;
    std::chrono::steady_clock::time_point started;
    std::optional<std::chrono::steady_clock::time_point> ended;
    bool failed = false;
    Json result;
    std::vector<std::string> clients;  // who started or joined it, while it runs
    bool stored = true;                // false: an anonymous check, kept out of the store
  };
  std::optional<Json> storedResult(const std::string& domain);
  void launch(const std::shared_ptr<Job>& job, const DomainEntry& entry);
  std::optional<Json> auditNow(const DomainEntry& entry, bool store);
  void finish(const std::shared_ptr<Job>& job, std::optional<Json> result);
  void reapFinished();  // joins ended threads, forgets old jobs (mutex_ held)
  bool joinAsClient(Job& job, const std::string& client, SelfCheckResult& refused);
  int clientJobs(const std::string& client) const;  // mutex_ held

  AuditEnvironment env_;
  SelfCheckConfig config_;
  RateLimiter clients_;
  RateLimiter agencies_;
  RateLimiter domains_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;                                       // guards everything below
  std::map<std::string, std::shared_ptr<Job>> jobs_;       // by id, running and recently ended
  std::map<std::string, std::shared_ptr<Job>> in_flight_;  // running, by domain
  std::map<std::string, int> client_jobs_;                 // running jobs per client
  // The newest anonymous result per registry domain, with when it ended.
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, Json>> anonymous_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> threads_;
};

}  // namespace mh::service::http
