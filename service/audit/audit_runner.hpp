// Runs the domain audit over a list of domains with a pool of worker threads sharing one DNS cache.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/dns/caching_resolver.hpp"
#include "checks/dns/ldns_resolver.hpp"

namespace mh::service {

struct AuditRunOptions {
  unsigned threads = 8;  // DNS-bound work: more threads than cores pays off
  dns::LdnsResolverOptions resolver;
  dns::DnsCacheOptions cache;
  bool retry_errors = true;  // domains with an `error` check are audited once more at the end
};

struct AuditTask {
  std::string domain;
  std::vector<std::string> dkim_selectors;
};

struct AuditProgress {
  std::size_t total = 0;
  std::size_t done = 0;
  std::size_t with_errors = 0;
  double elapsed_seconds = 0;
};

// Called once per domain with its final report (after the retry, if any), from worker threads:
// the sink must be thread-safe. `attempt` is 1, or 2 for a retried domain. An exception thrown by
// the audit of one domain (a bug or broken environment) is caught at this job boundary, logged,
// and reported through `onFailure` without stopping the pool.
struct AuditSink {
  std::function<void(const audit::DomainReport& report, int attempt)> onReport;
  std::function<void(const std::string& domain, const std::string& what)> onFailure;
  std::function<void(const AuditProgress&)> onProgress;  // optional, at most a few times a second
};

// Audits every task exactly once (plus one retry pass for domains that ended with errors) and
// returns when all are done or `stop` becomes true (remaining tasks are then left undone).
AuditProgress runAudit(const std::vector<AuditTask>& tasks, const audit::AuditOptions& base,
                       const AuditRunOptions& options, const AuditSink& sink,
                       const std::atomic<bool>* stop = nullptr);

}  // namespace mh::service
