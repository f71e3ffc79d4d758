// The agency self-check: registry domains only, served from the store when fresh, otherwise
// audited now with a deadline; rate-limited per client and per domain.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "checks/core/json.hpp"
#include "service/http/audit_jobs.hpp"
#include "service/http/rate_limiter.hpp"
#include "service/http/serve_config.hpp"

namespace mh::service::http {

enum class SelfCheckOutcome {
  Cached,         // a stored result younger than max_age
  Audited,        // audited now and stored as a self_check run
  NotInRegistry,  // not a domain of the registry: never audited on request
  RateLimited,    // the domain's bucket is empty (retry_after set)
  Busy,           // max_concurrent fresh audits already running (retry_after set)
  TimedOut,       // the deadline passed; the audit goes on and is stored when done
  Failed,         // the audit failed internally
};

struct SelfCheckResult {
  SelfCheckOutcome outcome = SelfCheckOutcome::Failed;
  Json result;  // Cached and Audited: the domain result JSON with "cached"
  int retry_after = 0;
};

class SelfCheckService {
 public:
  SelfCheckService(AuditEnvironment env, SelfCheckConfig config);
  ~SelfCheckService();  // stop()
  SelfCheckService(const SelfCheckService&) = delete;
  SelfCheckService& operator=(const SelfCheckService&) = delete;

  // Takes a token of the client's bucket: 0 when admitted, else seconds for Retry-After.
  int admitClient(const std::string& client);

  // `domain` is normalised (normaliseDomainArgument). Audits of the same domain in flight are
  // shared: a second request waits for the first one's result.
  SelfCheckResult check(const std::string& domain);

  // Asks audits in flight to stop after their domain and waits for them.
  void stop();

 private:
  using ReportFuture = std::shared_future<std::optional<Json>>;
  std::optional<Json> storedResult(const std::string& domain);
  ReportFuture launch(const DomainEntry& entry);
  std::optional<Json> auditNow(const DomainEntry& entry);
  void reapFinished();

  AuditEnvironment env_;
  SelfCheckConfig config_;
  RateLimiter clients_;
  RateLimiter domains_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;  // guards in_flight_ and threads_
  std::map<std::string, ReportFuture> in_flight_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> threads_;
};

}  // namespace mh::service::http
