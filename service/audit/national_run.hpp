// One national run's lifecycle, shared by `mailhygiene audit` and `serve`: start or resume, the
// first pass, the delayed re-check rounds, completion, progress, and a halt on a failed write.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "service/audit/audit_runner.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/domain_list.hpp"
#include "service/http/clock.hpp"
#include "service/store/result_store.hpp"

namespace mh::service {

// The delayed re-check: once a run has audited every domain (errors already retried once by
// runAudit), the domains whose latest result in the run still has an `error` check are audited
// again `delay` later, as further attempts of the same run, up to `rounds` times. The run stays
// in progress meanwhile and is complete after the last round.
struct RecheckPolicy {
  std::chrono::seconds delay{30 * 60};
  int rounds = 2;  // 0: none
};

enum class RunPhase {
  Auditing,        // the domains of the run
  WaitingRecheck,  // waiting for the delayed re-check
  Rechecking,      // re-checking the domains left in error
  Completing,      // the completing transaction (rollup, retention)
};
// "auditing" | "waiting_recheck" | "rechecking" | "completing"
std::string_view toString(RunPhase phase);

// Where a run in progress is.
struct ActiveRun {
  std::int64_t id = 0;
  RunPhase phase = RunPhase::Auditing;
  int recheck_round = 0;            // the round waited for or in progress, from 1
  std::size_t recheck_domains = 0;  // domains of that round
  std::optional<http::Clock::TimePoint> recheck_at;
  AuditProgress progress;  // of the run's domains (those of earlier lives included)
};

// One audit pass over tasks: runAudit with a fresh job in production, a fake in tests.
using AuditPass =
    std::function<AuditProgress(const std::vector<AuditTask>& tasks, const AuditRunOptions& options,
                                const AuditSink& sink, const std::atomic<bool>* stop)>;

// The pass of a scanner: each call audits with fresh STARTTLS probe results (makeJobOptions) and
// gives the SMTP connections it made to `smtp_connections` when set.
AuditPass scannerPass(const Scanner& scanner,
                      std::function<void(std::size_t)> smtp_connections = {});

struct NationalRunConfig {
  unsigned threads = 8;
  dns::LdnsResolverOptions resolver;
  std::chrono::milliseconds recheck_after = AuditRunOptions{}.recheck_after;
  RecheckPolicy recheck;
  // Start a new run even if an unfinished one exists (which is then marked interrupted).
  bool new_run = false;
  std::string options_json = "{}";  // kept with a new run
};

// What the caller hears of a run, from its worker threads (thread-safe callbacks).
struct NationalRunHooks {
  // Every look at a domain, with its row as stored (or not: stored = false).
  std::function<void(const audit::DomainReport&, const store::DomainReportRow&, bool stored)>
      on_report;
  std::function<void(const std::string& domain, const std::string& what)> on_failure;
  std::function<void(const AuditProgress&)> on_progress;  // the first pass, over the whole run
};

enum class RunEnd {
  Complete,  // every domain stored and the completing transaction committed
  Stopped,   // stop(): left resumable
  Failed,    // a write failed (full disk, locked or read-only store): left resumable
};
std::string_view toString(RunEnd end);  // "complete" | "stopped" | "failed"

struct NationalRunResult {
  RunEnd end = RunEnd::Complete;
  std::string failure;       // the first failed write or completion, when Failed
  std::size_t domains = 0;   // of the run with a result (earlier lives included)
  AuditProgress first_pass;  // this life's first pass
  std::size_t not_stored = 0;
};

// The lifecycle: the constructor takes up the store's unfinished national run (or starts one),
// run() audits what it still lacks and completes it, stop() ends it early and resumably. Every
// domain has exactly one first look in the run however often it is killed: what is stored is
// skipped (a result is one transaction), a first look in error whose re-check the interruption
// prevented gets that re-check, and the delayed rounds count the attempts already stored.
// A failed write halts the run: it is not marked complete with a domain missing, and the next
// start resumes it.
class NationalRun {
 public:
  // Resumes the newest unfinished national run of `store` unless config.new_run, or starts one,
  // over `domains`; throws StoreError when the store cannot be read or the run not started.
  // `clock` times the re-check delay; it, `store` and `pass`'s captures outlive the run.
  NationalRun(store::ResultStore& store, std::vector<DomainEntry> domains, NationalRunConfig config,
              AuditPass pass, http::Clock& clock, NationalRunHooks hooks = {});
  NationalRun(const NationalRun&) = delete;
  NationalRun& operator=(const NationalRun&) = delete;

  std::int64_t id() const { return id_; }
  bool resumed() const { return resumed_; }
  std::size_t alreadyDone() const { return done_before_; }           // domains stored before
  std::size_t rechecksResumed() const { return resumed_rechecks_; }  // of those, re-checked now
  std::size_t domainCount() const { return domains_.size(); }

  // Runs the lifecycle to its end (blocking). Call once.
  NationalRunResult run();
  // Ends the run after the domains in flight, or its re-check wait. Thread-safe, idempotent.
  void stop();
  ActiveRun status() const;

 private:
  AuditSink sink(bool first_pass);
  void recheckRounds();
  void halt(std::string why);
  void setPhase(RunPhase phase);

  store::ResultStore& store_;
  std::map<std::string, DomainEntry, std::less<>> domains_;  // by name
  NationalRunConfig config_;
  AuditPass pass_;
  http::Clock& clock_;
  NationalRunHooks hooks_;
  std::int64_t id_ = 0;
  bool resumed_ = false;
  std::vector<AuditTask> tasks_;  // of the first pass
  std::size_t done_before_ = 0;
  std::size_t resumed_rechecks_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;  // guards the members below
  ActiveRun status_;
  std::string failure_;
  std::size_t not_stored_ = 0;
};

}  // namespace mh::service
