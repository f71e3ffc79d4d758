// The worker pool of a national audit: one LdnsResolver per thread over one shared cache, and
// re-checks that run alongside the first looks once their domain has waited long enough.
#include "service/audit/audit_runner.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "checks/core/logging.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/tls/tls_check.hpp"

namespace mh::service {

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> workerLogger() {
  static const auto logger = subsystemLogger("worker");
  return logger;
}

// Re-checks, and first looks expected to be slow, are mostly domains whose servers do not
// answer, each waiting out its timeout budget: more threads there turn N budgets into about one,
// at little CPU cost; twice the pool, as each thread holds a resolver and a stack in memory.
constexpr unsigned kWaitingThreadFactor = 2;
// Questions per batch of the look-ahead; it runs on `threads` threads of its own when the run
// has more than this many domains per thread (a national run, not a self-check).
constexpr unsigned kLookAheadChunk = 32;
// How often a waiting re-check thread looks at the stop flag (set from a signal handler, which
// cannot wake a condition variable).
constexpr auto kStopPoll = std::chrono::milliseconds(200);

// One run of runAudit: the first-look pool, the re-check threads and what they share.
class AuditRun {
 public:
  AuditRun(const audit::AuditOptions& base, const AuditRunOptions& options, const AuditSink& sink,
           const std::atomic<bool>* stop)
      : base_(base),
        options_(options),
        sink_(sink),
        stop_(stop),
        resolverOptions_(options.resolver),
        firstCache_(options.cache),
        recheckCache_(options.cache),
        again_(base),
        maxRecheckers_(std::size_t(std::max(1u, options.threads)) * kWaitingThreadFactor) {
    if (!resolverOptions_.in_flight && options.max_dns_in_flight > 0)
      resolverOptions_.in_flight = std::make_shared<dns::InFlightLimit>(
          options.max_dns_in_flight, dns::InFlightLimit::kInitialWindow, resolverOptions_.timeout);
    // Re-checks must ask again: answers and probe results of first looks, errors included,
    // would only be read back. They get a DNS cache and STARTTLS probe results of their own, and
    // share the address leases, so an MX is never contacted by a first look and a re-check at
    // once.
    if (base.tls) {
      recheckTls_ = std::make_unique<tls::TlsAuditContext>(base.tls->options(),
                                                           base.tls->registry().addressLocks());
      again_.tls = recheckTls_.get();
    }
  }

  // `preflight`: what the run's resolver cannot do, reported with every progress.
  AuditProgress run(const std::vector<AuditTask>& tasks, const AuditProgress& preflight) {
    progress_.total = tasks.size();
    progress_.dnssec_unavailable = base_.dnssec_unavailable;
    progress_.tcp_unavailable = preflight.tcp_unavailable;
    progress_.edns_unavailable = preflight.edns_unavailable;
    // Domains expected to wait out a timeout budget get threads of their own, started with the
    // pool: their waits overlap with the others' work without taking the pool's threads (which
    // would leave the CPU idle while every worker waits).
    std::vector<const AuditTask*> normal, slow;
    for (const auto& t : tasks) {
      if (t.first_look_done)
        defer(t, start_);
      else
        (t.expect_slow ? slow : normal).push_back(&t);
    }
    Queue normalQueue(std::move(normal)), slowQueue(std::move(slow));
    std::vector<std::thread> pool;
    const std::size_t n = normalQueue.tasks.size();
    if (options_.look_ahead && n > std::size_t(kLookAheadChunk) * options_.threads)
      for (std::size_t t = 0; t < options_.threads; ++t)
        pool.emplace_back([&] { lookAhead(normalQueue); });
    for (std::size_t t = 0; t < std::min(maxRecheckers_, slowQueue.tasks.size()); ++t)
      pool.emplace_back([&] { firstLooks(slowQueue); });
    for (std::size_t t = 0; t < std::min<std::size_t>(options_.threads, n); ++t)
      pool.emplace_back([&] { firstLooks(normalQueue); });
    for (auto& t : pool) t.join();

    std::vector<std::thread> recheckers;
    {
      std::lock_guard lock(mutex_);
      firstLooksDone_ = true;  // the re-checks still waiting may start now
      if (!deferred_.empty() && !stopped())
        workerLogger()->info("first looks done, re-checks left count={}", deferred_.size());
      recheckers.swap(recheckers_);
    }
    recheckReady_.notify_all();
    for (auto& t : recheckers) t.join();

    if (recheckTls_) progress_.recheck_smtp_connections = recheckTls_->connections();
    progress_.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    if (sink_.onProgress) sink_.onProgress(progress_);
    return progress_;
  }

 private:
  // First looks handed out in order; the look-ahead may also claim one out of order. Each task
  // is looked at by whoever claims it first.
  struct Queue {
    explicit Queue(std::vector<const AuditTask*> t) : tasks(std::move(t)), claimed(tasks.size()) {}
    bool claim(std::size_t i) { return !claimed[i].exchange(true); }

    std::vector<const AuditTask*> tasks;
    std::atomic<std::size_t> next{0};       // the next task in order, for the pool
    std::atomic<std::size_t> nextChunk{0};  // the next task the look-ahead asks about
    std::vector<std::atomic<bool>> claimed;
  };

  // A first look that asked for a second one, and when that may start.
  struct Deferred {
    const AuditTask* task;
    Clock::time_point due;
  };

  bool stopped() const { return stop_ && stop_->load(); }

  void firstLooks(Queue& queue) {
    dns::LdnsResolver ldns(resolverOptions_);  // one per thread (not thread-safe)
    dns::CachingResolver resolver(ldns, firstCache_);
    while (!stopped()) {
      const std::size_t i = queue.next.fetch_add(1);
      if (i >= queue.tasks.size()) return;
      if (queue.claim(i)) look(resolver, *queue.tasks[i], 1, base_);
    }
  }

  // Asks the first question of each first look (the domain's MX) ahead of the pool, a chunk at
  // a time, into the first looks' cache. A domain whose nameservers never answer is then looked
  // at by this thread at once (its silence is cached: the look takes no time), so its re-check
  // is done long before the run's end, and no worker of the pool waits out its timeout budget.
  // Live answers are read back by the first looks, so nothing is asked twice, except by the
  // first workers when they overtake the look-ahead at the start.
  void lookAhead(Queue& queue) {
    dns::LdnsResolver ldns(resolverOptions_);
    dns::CachingResolver resolver(ldns, firstCache_);
    std::vector<dns::DnsQuestion> chunk;
    while (!stopped()) {
      const std::size_t from = queue.nextChunk.fetch_add(kLookAheadChunk);
      if (from >= queue.tasks.size()) return;
      const std::size_t to = std::min(queue.tasks.size(), from + kLookAheadChunk);
      chunk.clear();
      for (std::size_t i = from; i < to; ++i)
        chunk.push_back({queue.tasks[i]->domain, dns::rr::MX});
      const auto answers = resolver.queryMany(chunk);
      for (std::size_t k = 0; k < answers.size() && !stopped(); ++k) {
        const bool silent = answers[k].status == dns::DnsStatus::Timeout ||
                            answers[k].status == dns::DnsStatus::NetworkError;
        if (silent && queue.claim(from + k)) look(resolver, *queue.tasks[from + k], 1, base_);
      }
    }
  }

  // Takes deferred domains as they fall due (all at once when the first looks are done), and
  // leaves when the first looks are done and nothing is left to re-check.
  void recheckLoop() {
    dns::LdnsResolver ldns(resolverOptions_);
    dns::CachingResolver resolver(ldns, recheckCache_);
    std::unique_lock lock(mutex_);
    while (!stopped()) {
      if (deferred_.empty()) {
        if (firstLooksDone_) return;
        recheckReady_.wait_for(lock, kStopPoll);
        continue;
      }
      const auto now = Clock::now();
      if (!firstLooksDone_ && now < deferred_.front().due) {
        recheckReady_.wait_until(lock, std::min(deferred_.front().due, now + kStopPoll));
        continue;
      }
      const AuditTask& task = *deferred_.front().task;
      deferred_.pop_front();
      lock.unlock();
      look(resolver, task, 2, again_);
      lock.lock();
    }
  }

  // Queues the re-check of `task`, due at `due`, and starts a re-check thread for it when fewer
  // run than domains were deferred (up to maxRecheckers_).
  void defer(const AuditTask& task, Clock::time_point due) {
    std::lock_guard lock(mutex_);
    deferred_.push_back({&task, std::max(due, deferred_.empty() ? due : deferred_.back().due)});
    ++progress_.rechecked;
    if (recheckers_.size() < std::min<std::size_t>(maxRecheckers_, progress_.rechecked))
      recheckers_.emplace_back([this] { recheckLoop(); });
    recheckReady_.notify_one();
  }

  // One look at one domain, from any thread. A first look that ends in error (or that
  // options_.recheck selects) is deferred to a re-check thread, started here when needed.
  void look(dns::Resolver& resolver, const AuditTask& task, int attempt,
            const audit::AuditOptions& lookOptions) {
    audit::AuditOptions auditOptions = lookOptions;
    auditOptions.dkim_selectors = task.dkim_selectors;
    bool errored = true;
    try {
      auto report = audit::auditDomain(resolver, task.domain, auditOptions);
      errored = audit::needsRecheck(report);
      const bool recheck =
          attempt == 1 && ((errored && options_.retry_errors) ||
                           (options_.recheck && report.exists && options_.recheck(report)));
      if (sink_.onReport) sink_.onReport(report, attempt);
      if (recheck) {
        defer(task, Clock::now() + options_.recheck_after);
        return;
      }
    } catch (const std::exception& e) {
      workerLogger()->error("domain audit failed domain={} what={}", task.domain, e.what());
      if (sink_.onFailure) sink_.onFailure(task.domain, e.what());
    }
    std::lock_guard lock(mutex_);
    ++progress_.done;
    progress_.with_errors += errored;
    const auto now = Clock::now();
    if (sink_.onProgress && now - lastProgress_ > std::chrono::milliseconds(200)) {
      lastProgress_ = now;
      progress_.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
      sink_.onProgress(progress_);
    }
  }

  const audit::AuditOptions& base_;
  const AuditRunOptions& options_;
  const AuditSink& sink_;
  const std::atomic<bool>* stop_;
  const Clock::time_point start_ = Clock::now();
  dns::LdnsResolverOptions resolverOptions_;
  dns::DnsCache firstCache_, recheckCache_;
  audit::AuditOptions again_;  // base_, with the re-checks' TLS context
  std::unique_ptr<tls::TlsAuditContext> recheckTls_;
  const std::size_t maxRecheckers_;

  std::mutex mutex_;  // guards the members below and the progress callback
  std::condition_variable recheckReady_;
  AuditProgress progress_;
  std::deque<Deferred> deferred_;  // in due order: each is recheck_after after a first look's end
  bool firstLooksDone_ = false;
  std::vector<std::thread> recheckers_;
  Clock::time_point lastProgress_{};
};

}  // namespace

AuditProgress runAudit(const std::vector<AuditTask>& tasks, const audit::AuditOptions& base,
                       const AuditRunOptions& options, const AuditSink& sink,
                       const std::atomic<bool>* stop) {
  // Once per run: a resolver that returns no DNSSEC records makes DNSSEC-01 and DANE-01 a
  // run-level error (rubric 2026-12), said once here instead of re-checking every domain.
  audit::AuditOptions audit = base;
  if (audit.trust_anchors && audit.dnssec_unavailable.empty()) {
    dns::LdnsResolver probe(options.resolver);
    audit.dnssec_unavailable = dnssec::dnssecUnavailableReason(dnssec::probeResolverDnssec(probe));
    if (!audit.dnssec_unavailable.empty())
      workerLogger()->warn("resolver returns no DNSSEC records, DNSSEC-01 and DANE-01 are run-level "
                           "errors reason=\"{}\"", audit.dnssec_unavailable);
  }
  // The same preflight for TCP and EDNS0: reported, not judged (the checks whose answers need
  // them end in error and say why).
  AuditProgress preflight;
  {
    const auto transport = dnssec::probeResolverTransport(options.resolver);
    preflight.tcp_unavailable = dnssec::tcpUnavailableReason(transport);
    preflight.edns_unavailable = dnssec::ednsUnavailableReason(transport);
    if (!preflight.tcp_unavailable.empty())
      workerLogger()->warn("resolver does not answer over TCP reason=\"{}\"",
                           preflight.tcp_unavailable);
    if (!preflight.edns_unavailable.empty())
      workerLogger()->warn("resolver does not speak EDNS0 reason=\"{}\"",
                           preflight.edns_unavailable);
  }
  AuditProgress progress;
  {
    AuditRun run(audit, options, sink, stop);
    progress = run.run(tasks, preflight);
  }

  // The run's caches are gone: hand their pages back to the system, or a long-lived service
  // (serve: a run per schedule) keeps the high-water mark of every run in fragments.
  ::malloc_trim(0);
  return progress;
}

}  // namespace mh::service
