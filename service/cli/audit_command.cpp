// Wiring of the audit subcommand: domain list, store, run bookkeeping, worker pool, progress.
#include "service/cli/audit_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <ostream>
#include <set>

#include "checks/core/rubric.hpp"
#include "service/audit/audit_runner.hpp"
#include "service/audit/regression_recheck.hpp"
#include "service/audit/run_order.hpp"
#include "service/audit/scored_row.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/domain_list.hpp"
#include "service/store/sqlite_store.hpp"
#include "checks/core/text.hpp"

namespace mh::service {

namespace {

std::atomic<bool> gStop{false};

extern "C" void onStopSignal(int) {
  gStop.store(true);
}

struct AuditCommandOptions {
  ScannerOptions scanner;
  std::string domains_file = "domains.csv";
  std::string db = "var/mailhygiene.db";
  unsigned threads = 8;
  std::chrono::milliseconds recheck_after = AuditRunOptions{}.recheck_after;
  std::string only;  // category, or a substring of the group
  bool new_run = false;
  bool help = false;
};

using ascii::lower;

bool selected(const DomainEntry& e, const std::string& only) {
  if (only.empty()) return true;
  const std::string o = lower(only);
  return lower(e.category) == o || lower(e.group).find(o) != std::string::npos;
}

}  // namespace

std::string auditUsage() {
  return R"(usage: mailhygiene audit [options]

Audits every domain of the list with a pool of workers and stores each result in SQLite.
An unfinished national run (interrupted, killed) is resumed: every domain ends up audited
exactly once in it.

options:
  --domains FILE          the domain list (default ./domains.csv)
  --db PATH               the SQLite database (default var/mailhygiene.db)
  --threads N             worker threads (default 8; DNS-bound, more than the cores pays off)
  --only GROUP            only domains whose category is GROUP or whose group contains it
  --new                   start a new run even if an unfinished one exists
  --recheck-after S       a domain left in error is audited again S seconds after its first
                          look, or when every domain has had its first look if sooner
                          (default 5; 0 to 3600)
)" + scannerUsage();
}

int runAuditCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  AuditCommandOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (auto scanner = parseScannerOption(args, i, o.scanner)) {
      if (!scanner->empty()) {
        err << "mailhygiene audit: " << *scanner << "\n";
        return 2;
      }
      continue;
    }
    const std::string& a = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) return false;
      target = args[++i];
      return true;
    };
    std::string threads, seconds;
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if ((a == "--domains" && value(o.domains_file)) || (a == "--db" && value(o.db)) ||
               (a == "--only" && value(o.only))) {
    } else if (a == "--threads" && value(threads)) {
      const auto n = parseInt(threads, 1, 256);
      if (!n) {
        err << "mailhygiene audit: --threads: give a number from 1 to 256\n";
        return 2;
      }
      o.threads = static_cast<unsigned>(*n);
    } else if (a == "--recheck-after" && value(seconds)) {
      const auto s = parseSeconds(seconds, 0, 3600);
      if (!s) {
        err << "mailhygiene audit: --recheck-after: give seconds from 0 to 3600\n";
        return 2;
      }
      o.recheck_after = std::chrono::milliseconds(static_cast<long>(*s * 1000));
    } else if (a == "--new") {
      o.new_run = true;
    } else {
      err << "mailhygiene audit: unknown or incomplete option " << a << "\n\n" << auditUsage();
      return 2;
    }
  }
  if (o.help) {
    out << auditUsage();
    return 0;
  }

  auto list = loadDomainList(o.domains_file);
  if (!list) {
    err << "mailhygiene audit: cannot read " << o.domains_file << "\n";
    return 2;
  }
  for (const auto& e : list->errors)
    err << o.domains_file << ":" << e.line << ": " << e.message << "\n";

  try {
    std::string error;
    auto scanner = makeScanner(o.scanner, error);
    if (!scanner) {
      err << "mailhygiene audit: " << error << "\n";
      return 2;
    }
    if (auto parent = std::filesystem::path(o.db).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    store::SqliteStore db(o.db);
    db.upsertDomains(list->entries);

    std::int64_t runId = 0;
    std::set<std::string> done, recheckOnly;
    auto unfinished = db.unfinishedRun(store::RunKind::National);
    if (unfinished && !o.new_run) {
      runId = unfinished->id;
      done = db.domainsDoneInRun(runId);
      // First looks in error whose re-check the interruption prevented.
      recheckOnly = db.domainsToRetry(runId, 2);
      err << "resuming run " << runId << " (" << done.size() << " domains already audited, "
          << recheckOnly.size() << " of them to re-check)\n";
    } else {
      if (unfinished) db.finishRun(unfinished->id, store::RunState::Interrupted);
      Json optionsJson = Json::object({{"domains", o.domains_file},
                                       {"only", o.only},
                                       {"threads", static_cast<int>(o.threads)},
                                       {"no_smtp", o.scanner.no_smtp}});
      runId = db.startRun(store::RunKind::National, kRubricVersion, MH_VERSION, optionsJson.dump());
    }

    std::vector<AuditTask> tasks;
    for (const auto& e : list->entries) {
      if (!selected(e, o.only)) continue;
      if (!done.count(e.domain))
        tasks.push_back({e.domain, e.dkim_selectors});
      else if (recheckOnly.count(e.domain))
        tasks.push_back(
            {.domain = e.domain, .dkim_selectors = e.dkim_selectors, .first_look_done = true});
    }
    // Domains that could not be told last time start at once on threads of their own.
    expectSlow(tasks, domainsWithErrorsLastRun(db, runId));

    AuditRunOptions runOptions;
    runOptions.threads = o.threads;
    runOptions.recheck_after = o.recheck_after;
    runOptions.resolver = scanner->resolver;
    runOptions.recheck = regressionRecheck(db, runId);
    std::mutex writeErrors;
    std::size_t failedWrites = 0;
    std::map<std::string, std::string> tierOf;  // domain -> tier of its latest look
    AuditSink sink;
    sink.onReport = [&](const audit::DomainReport& report, int attempt) {
      auto row = rowWithScore(report);
      auto written = db.recordDomainResult(runId, row);
      std::lock_guard lock(writeErrors);
      if (!written) {
        ++failedWrites;
        err << "mailhygiene audit: could not store " << report.domain << ": " << written.error
            << "\n";
        return;
      }
      tierOf[report.domain] = row.tier.value_or("");
    };
    sink.onFailure = [&](const std::string& domain, const std::string& what) {
      std::lock_guard lock(writeErrors);
      err << "mailhygiene audit: " << domain << ": internal failure: " << what << "\n";
    };
    const bool tty = isatty(STDERR_FILENO) && &err == &std::cerr;
    auto lastLog = std::chrono::steady_clock::now();
    sink.onProgress = [&](const AuditProgress& p) {
      const double rate = p.elapsed_seconds > 0 ? p.done / p.elapsed_seconds : 0;
      const double eta = rate > 0 ? (p.total - p.done) / rate : 0;
      char line[160];
      std::snprintf(line, sizeof line, "%zu/%zu domains  %.1f/s  ETA %.0fs  with errors %zu",
                    p.done, p.total, rate, eta, p.with_errors);
      if (tty) {
        const int width = 30;
        int filled = p.total ? static_cast<int>(width * p.done / p.total) : width;
        err << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << line
            << std::flush;
      } else if (std::chrono::steady_clock::now() - lastLog > std::chrono::seconds(10) ||
                 p.done == p.total) {
        lastLog = std::chrono::steady_clock::now();
        err << "audit progress run=" << runId << " " << line << "\n";
      }
    };

    gStop = false;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    auto progress = runAudit(tasks, scanner->audit, runOptions, sink, &gStop);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (tty) err << "\n";

    if (gStop.load()) {
      db.finishRun(runId, store::RunState::Interrupted);
      err << "interrupted: run " << runId << " is resumable (run the same command again)\n";
      return 130;
    }
    db.finishRun(runId, store::RunState::Complete);
    const auto resumedRechecks = static_cast<std::size_t>(std::count_if(
        tasks.begin(), tasks.end(), [](const AuditTask& t) { return t.first_look_done; }));
    out << "run " << runId << " complete: " << (done.size() + progress.done - resumedRechecks)
        << " domains (" << progress.done << " this time, " << progress.with_errors
        << " with errors, " << progress.rechecked << " re-checked, " << failedWrites
        << " not stored) in " << static_cast<long>(progress.elapsed_seconds) << " s\n";
    for (const auto* reason :
         {&progress.dnssec_unavailable, &progress.tcp_unavailable, &progress.edns_unavailable})
      if (!reason->empty()) out << "  resolver: " << *reason << "\n";
    std::map<std::string, int> tiers;
    for (const auto& [domain, tier] : tierOf) ++tiers[tier];
    for (const auto& [tier, count] : tiers) out << "  " << tier << ": " << count << "\n";
    return failedWrites ? 1 : 0;
  } catch (const std::exception& e) {
    err << "mailhygiene audit: internal failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service
