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

// Enough to keep a national run busy at 20 ms to the resolver (512 / 40 ms round trip = 12,800
// queries/s), and far below the query backlog a recursive resolver such as Unbound holds.
inline constexpr std::size_t kDefaultMaxDnsInFlight = 512;

struct AuditRunOptions {
  unsigned threads = 8;  // DNS-bound work: more threads than cores pays off
  dns::LdnsResolverOptions resolver;
  // DNS queries in flight at once across all threads (DKIM discovery asks ~30 names at once per
  // domain), unless resolver.in_flight already holds a limit. 0: no cap.
  std::size_t max_dns_in_flight = kDefaultMaxDnsInFlight;
  dns::DnsCacheOptions cache;
  bool retry_errors = true;  // domains with an `error` check are audited once more (re-checked)
  // Domains for which this returns true after their first audit (a check worse than in the
  // previous national run: see regressionRecheck) are re-checked too, so that a regression is
  // confirmed by a second look before it is reported. Optional.
  std::function<bool(const audit::DomainReport&)> recheck;
  // A domain's re-check starts this long after its first look ended, or when every first look is
  // done if that comes sooner: long enough for a passing fault (a lost packet, a busy server) to
  // clear, and re-checks of early domains overlap with the rest of the run instead of adding a
  // timeout budget at its end.
  std::chrono::milliseconds recheck_after{std::chrono::seconds(5)};
  // Ask every domain's first question (its MX) ahead of the pool, so that a domain that never
  // answers costs no worker a timeout budget (see lookAhead in audit_runner.cpp). Only for runs
  // of more than 32 domains per thread.
  bool look_ahead = true;
};

struct AuditTask {
  std::string domain;
  std::vector<std::string> dkim_selectors;
  // Likely to wait out a timeout budget (it ended in error last run): audited at the start of
  // the run on threads of its own, besides the pool (see expectSlow in run_order.hpp), so its
  // re-check, if it needs one, is done long before the run's end.
  bool expect_slow = false;
  // A resumed run: this domain's first look is already stored and ended in error, and the
  // interruption came before its re-check. It gets the re-check only (attempt 2), at once.
  bool first_look_done = false;
};

struct AuditProgress {
  std::size_t total = 0;
  std::size_t done = 0;
  std::size_t with_errors = 0;
  std::size_t rechecked = 0;  // domains audited a second time (errors or regressions)
  std::size_t recheck_smtp_connections = 0;  // SMTP connections made by the re-checks
  double elapsed_seconds = 0;
  // Why DNSSEC-01 and DANE-01 could not be judged in this run (the resolver returns no DNSSEC
  // records), or "" (see AuditOptions::dnssec_unavailable).
  std::string dnssec_unavailable;
  // Why answers cannot come over TCP, or EDNS0 does not work, through the run's resolver
  // (dnssec::probeResolverTransport, once per run), or "".
  std::string tcp_unavailable;
  std::string edns_unavailable;
};

// Called with every look at a domain, from worker threads: the sink must be thread-safe.
// `attempt` is 1 for the first look and 2 for the re-check (the domain's final report when there
// is one; stores keep both, and the later attempt is the run's result). A domain's attempt 2
// always comes after its attempt 1; other domains' first looks may come in between. An
// exception thrown by the audit of one domain (a bug or broken environment) is caught at this job
// boundary, logged, and reported through `onFailure` without stopping the pool.
struct AuditSink {
  std::function<void(const audit::DomainReport& report, int attempt)> onReport;
  std::function<void(const std::string& domain, const std::string& what)> onFailure;
  std::function<void(const AuditProgress&)> onProgress;  // optional, at most a few times a second
};

// Audits every task exactly once, plus one re-check of each domain that ended with errors or
// that `recheck` selects, and returns when all are done or `stop` becomes true (remaining tasks
// are then left undone).
//
// Re-checks run on threads of their own (up to 2 x threads) alongside the first looks, each
// `recheck_after` after its domain's first look, or as soon as the first looks are all done.
// A re-check asks again for real: its DNS cache holds only answers to re-checks (empty at the
// start of the run) and, when SMTP is probed, it uses a TLS context of its own (base.tls's
// options) sharing base.tls's address leases, so a mail server whose domain is re-checked is
// contacted a second time, at least `recheck_after` after the first, and never twice at once.
AuditProgress runAudit(const std::vector<AuditTask>& tasks, const audit::AuditOptions& base,
                       const AuditRunOptions& options, const AuditSink& sink,
                       const std::atomic<bool>* stop = nullptr);

}  // namespace mh::service
