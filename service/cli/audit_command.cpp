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
#include <thread>

#include "checks/core/text.hpp"
#include "service/audit/national_run.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/domain_list.hpp"
#include "service/http/schedule.hpp"
#include "service/store/sqlite_store.hpp"

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
  // The delayed re-check rounds of `serve`'s runs, none by default: a command ends.
  RecheckPolicy recheck{.delay = std::chrono::minutes(30), .rounds = 0};
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
  --rechecks N            delayed re-check rounds of the domains still in error once every
                          domain is audited, as `serve` does (default 0; 0 to 10)
  --retry-delay DELAY     the wait before each round, e.g. "30 minutes" (default 30 minutes)
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
    } else if (a == "--rechecks" && value(threads)) {
      const auto n = parseInt(threads, 0, 10);
      if (!n) {
        err << "mailhygiene audit: --rechecks: give a number from 0 to 10\n";
        return 2;
      }
      o.recheck.rounds = *n;
    } else if (a == "--retry-delay" && value(seconds)) {
      std::string error;
      const auto delay = http::parseDelay(seconds, error);
      if (!delay) {
        err << "mailhygiene audit: --retry-delay: " << error << "\n";
        return 2;
      }
      o.recheck.delay = *delay;
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

    std::vector<DomainEntry> domains;
    for (const auto& e : list->entries)
      if (selected(e, o.only)) domains.push_back(e);
    NationalRunConfig config;
    config.threads = o.threads;
    config.resolver = scanner->resolver;
    config.recheck_after = o.recheck_after;
    config.recheck = o.recheck;
    config.new_run = o.new_run;
    config.options_json = Json::object({{"started_by", "cli"},
                                        {"domains", o.domains_file},
                                        {"only", o.only},
                                        {"threads", static_cast<int>(o.threads)},
                                        {"no_smtp", o.scanner.no_smtp}})
                              .dump();

    std::mutex outputs;
    std::map<std::string, std::string> tierOf;  // domain -> tier of its latest look
    NationalRunHooks hooks;
    hooks.on_report = [&](const audit::DomainReport& report, const store::DomainReportRow& row,
                          bool stored) {
      std::lock_guard lock(outputs);
      if (stored) tierOf[report.domain] = row.tier.value_or("");
    };
    hooks.on_failure = [&](const std::string& domain, const std::string& what) {
      std::lock_guard lock(outputs);
      err << "mailhygiene audit: " << domain << ": internal failure: " << what << "\n";
    };
    const bool tty = isatty(STDERR_FILENO) && &err == &std::cerr;
    auto lastLog = std::chrono::steady_clock::now();
    std::int64_t runId = 0;
    hooks.on_progress = [&](const AuditProgress& p) {
      const double rate = p.elapsed_seconds > 0 ? p.done / p.elapsed_seconds : 0;
      const double eta = rate > 0 ? (p.total - p.done) / rate : 0;
      char line[160];
      std::snprintf(line, sizeof line, "%zu/%zu domains  %.1f/s  ETA %.0fs  with errors %zu",
                    p.done, p.total, rate, eta, p.with_errors);
      std::lock_guard lock(outputs);
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

    http::SystemClock clock;
    NationalRun run(db, std::move(domains), std::move(config), scannerPass(*scanner), clock,
                    std::move(hooks));
    runId = run.id();
    if (run.resumed())
      err << "resuming run " << runId << " (" << run.alreadyDone() << " domains already audited, "
          << run.rechecksResumed() << " of them to re-check)\n";

    // SIGINT/SIGTERM end the run resumably; a watcher hands the signal's flag to the run.
    gStop = false;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::atomic<bool> finished{false};
    std::thread watcher([&] {
      while (!finished.load()) {
        if (gStop.load()) {
          run.stop();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    const auto result = run.run();
    finished = true;
    watcher.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (tty) err << "\n";

    if (result.end == RunEnd::Stopped) {
      err << "interrupted: run " << runId << " is resumable (run the same command again)\n";
      return 130;
    }
    if (result.end == RunEnd::Failed) {
      err << "mailhygiene audit: run " << runId << " halted: " << result.failure
          << "\nnothing stored is lost; run the same command again to resume it\n";
      return 1;
    }
    const auto& p = result.first_pass;
    out << "run " << runId << " complete: " << result.domains << " domains (" << p.done
        << " this time, " << p.with_errors << " with errors, " << p.rechecked << " re-checked, "
        << result.not_stored << " not stored) in " << static_cast<long>(p.elapsed_seconds)
        << " s\n";
    for (const auto* reason : {&p.dnssec_unavailable, &p.tcp_unavailable, &p.edns_unavailable})
      if (!reason->empty()) out << "  resolver: " << *reason << "\n";
    std::map<std::string, int> tiers;
    for (const auto& [domain, tier] : tierOf) ++tiers[tier];
    for (const auto& [tier, count] : tiers) out << "  " << tier << ": " << count << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "mailhygiene audit: internal failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service
