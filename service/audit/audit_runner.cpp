// The worker pool of a national audit: one LdnsResolver per thread over one shared cache.
#include "service/audit/audit_runner.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <thread>

#include "checks/tls/tls_check.hpp"

namespace mh::service {

namespace {

std::shared_ptr<spdlog::logger> workerLogger() {
  static auto logger = [] {
    auto l = spdlog::get("worker");
    return l ? l : spdlog::default_logger()->clone("worker");
  }();
  return logger;
}

constexpr unsigned kRecheckThreadFactor = 4;

bool hasErrors(const audit::DomainReport& r) {
  for (const auto& c : r.checks)
    if (c.status == Status::Error) return true;
  return false;
}

}  // namespace

AuditProgress runAudit(const std::vector<AuditTask>& tasks, const audit::AuditOptions& base,
                       const AuditRunOptions& options, const AuditSink& sink,
                       const std::atomic<bool>* stop) {
  const auto start = std::chrono::steady_clock::now();
  auto cache = std::make_unique<dns::DnsCache>(options.cache);
  dns::LdnsResolverOptions resolverOptions = options.resolver;
  if (!resolverOptions.in_flight && options.max_dns_in_flight > 0)
    resolverOptions.in_flight = std::make_shared<dns::InFlightLimit>(options.max_dns_in_flight);
  std::mutex mutex;  // guards progress, the retry list and the progress callback
  AuditProgress progress;
  progress.total = tasks.size();
  std::vector<const AuditTask*> retry;
  auto lastProgress = std::chrono::steady_clock::time_point{};

  // Workers share `queue` through `next`.
  auto runQueue = [&](const std::vector<const AuditTask*>& queue, std::atomic<std::size_t>& next,
                      int attempt, const audit::AuditOptions& passOptions) {
    dns::LdnsResolver ldns(resolverOptions);  // one per thread (not thread-safe)
    dns::CachingResolver resolver(ldns, *cache);
    while (!(stop && stop->load())) {
      std::size_t i = next.fetch_add(1);
      if (i >= queue.size()) return;
      const AuditTask& task = *queue[i];
      audit::AuditOptions auditOptions = passOptions;
      auditOptions.dkim_selectors = task.dkim_selectors;
      try {
        auto report = audit::auditDomain(resolver, task.domain, auditOptions);
        const bool errored = hasErrors(report);
        const bool deferred =
            attempt == 1 && ((errored && options.retry_errors) ||
                             (options.recheck && report.exists && options.recheck(report)));
        if (sink.onReport) sink.onReport(report, attempt);
        std::lock_guard lock(mutex);
        if (deferred) {
          retry.push_back(&task);
          continue;
        }
        ++progress.done;
        progress.with_errors += errored;
      } catch (const std::exception& e) {
        workerLogger()->error("domain audit failed domain={} what={}", task.domain, e.what());
        if (sink.onFailure) sink.onFailure(task.domain, e.what());
        std::lock_guard lock(mutex);
        ++progress.done;
        ++progress.with_errors;
      }
      std::lock_guard lock(mutex);
      auto now = std::chrono::steady_clock::now();
      if (sink.onProgress && now - lastProgress > std::chrono::milliseconds(200)) {
        lastProgress = now;
        progress.elapsed_seconds = std::chrono::duration<double>(now - start).count();
        sink.onProgress(progress);
      }
    }
  };
  auto runPass = [&](const std::vector<const AuditTask*>& queue, int attempt,
                     const audit::AuditOptions& passOptions) {
    // Domains expected to wait out a timeout budget get threads of their own, started with the
    // pool: their waits overlap with the others' work without taking the pool's threads (which
    // would leave the CPU idle while every worker waits).
    std::vector<const AuditTask*> normal, slow;
    for (const AuditTask* t : queue) (attempt == 1 && t->expect_slow ? slow : normal).push_back(t);
    // The re-check pass is mostly domains whose servers did not answer, each waiting out its
    // timeout budget: more threads there turn N budgets into about one, at little CPU cost.
    const unsigned wanted = attempt == 1 ? options.threads : options.threads * kRecheckThreadFactor;
    const unsigned n = std::min<unsigned>(wanted, normal.size());
    const unsigned nSlow = std::min<unsigned>(options.threads, slow.size());
    std::atomic<std::size_t> nextNormal{0}, nextSlow{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < nSlow; ++t)
      pool.emplace_back([&] { runQueue(slow, nextSlow, attempt, passOptions); });
    for (unsigned t = 0; t < n; ++t)
      pool.emplace_back([&] { runQueue(normal, nextNormal, attempt, passOptions); });
    for (auto& t : pool) t.join();
  };

  std::vector<const AuditTask*> first;
  first.reserve(tasks.size());
  for (const auto& t : tasks) first.push_back(&t);
  runPass(first, 1, base);
  if (!retry.empty() && !(stop && stop->load())) {
    // The re-check must ask again: answers and probe results of the first pass, errors
    // included, would only be read back.
    workerLogger()->info("re-checking domains with errors or regressions count={}", retry.size());
    cache = std::make_unique<dns::DnsCache>(options.cache);
    audit::AuditOptions again = base;
    std::unique_ptr<tls::TlsAuditContext> freshTls;
    if (base.tls) {
      freshTls = std::make_unique<tls::TlsAuditContext>(base.tls->options());
      again.tls = freshTls.get();
    }
    auto queue = std::move(retry);
    retry.clear();
    progress.rechecked = queue.size();
    runPass(queue, 2, again);
    if (freshTls) progress.recheck_smtp_connections = freshTls->connections();
  }
  progress.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sink.onProgress) sink.onProgress(progress);
  return progress;
}

}  // namespace mh::service
