// Wiring of the report subcommand: options, run and domain lookup, then one CSV writer.
#include "service/cli/report_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "checks/audit/domain_audit.hpp"
#include "reports/report_csv.hpp"
#include "service/report_data.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service {

namespace {

struct ReportOptions {
  std::string db = "var/mailhygiene.db";
  std::string run;
  std::string kind = "national";
  std::string domain;
  std::string output;
  std::string group_by = "category";
  bool help = false;
};

// A usage error: the message for stderr, exit status 2.
struct UsageError {
  std::string message;
};

std::int64_t parseRunId(const std::string& text) {
  char* end = nullptr;
  const long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id < 1) throw UsageError{"--run: give a run number"};
  return id;
}

// The run a single-run report is about: --run, or the latest complete national run.
std::int64_t chooseRun(store::SqliteStore& db, const ReportOptions& o, std::ostream& err) {
  if (!o.run.empty()) {
    const auto id = parseRunId(o.run);
    auto info = db.run(id);
    if (!info) throw UsageError{"no run " + o.run + " in " + o.db};
    if (info->state != store::RunState::Complete)
      err << "mailhygiene report: note: run " << id << " is " << store::toString(info->state)
          << "; its report is partial\n";
    return id;
  }
  auto latest = db.latestRun(store::RunKind::National);
  if (!latest)
    throw UsageError{"no complete national run in " + o.db + " (run `mailhygiene audit`)"};
  return latest->id;
}

std::string normalisedDomain(const ReportOptions& o) {
  if (o.domain.empty()) throw UsageError{"--kind " + o.kind + " needs --domain DOMAIN"};
  std::string error;
  auto domain = audit::normaliseDomainArgument(o.domain, error);
  if (!domain) throw UsageError{"invalid domain name: " + error};
  return *domain;
}

void writeReport(store::SqliteStore& db, const ReportOptions& o, std::ostream& csv,
                 std::ostream& err) {
  const auto infos = domainInfos(db);
  if (o.kind == "national" || o.kind == "matrix" || o.kind == "groups") {
    const auto run = chooseRun(db, o, err);
    auto results = runResults(db, run, infos);
    if (o.kind == "national") {
      reports::writeNationalCsv(csv, std::move(results));
    } else if (o.kind == "matrix") {
      reports::writeMatrixCsv(csv, std::move(results), reportCheckIds());
    } else {
      auto by = reports::parseGroupBy(o.group_by);
      if (!by) throw UsageError{"--group-by: category or group"};
      reports::writeGroupsCsv(csv, run, *by, reports::groupAggregates(results, *by));
    }
    return;
  }
  if (o.kind == "trend" || o.kind == "regressions") {
    std::optional<std::int64_t> only;
    if (!o.run.empty()) {
      only = parseRunId(o.run);
      if (!db.run(*only)) throw UsageError{"no run " + o.run + " in " + o.db};
    }
    std::vector<reports::RunRef> runs;
    for (auto& r : runRefs(db))
      if (r.kind == "national" && r.state == "complete" && (!only || r.id <= *only))
        runs.push_back(std::move(r));
    auto rows = trendRows(db, infos);
    if (only)
      for (auto& row : rows)
        std::erase_if(row.regressions, [&](const auto& r) { return r.run_after > *only; });
    if (o.kind == "trend") {
      reports::writeTrendCsv(csv, runs, rows);
    } else {
      std::vector<reports::Regression> all;
      for (const auto& row : rows)
        for (const auto& r : row.regressions)
          if (!only || r.run_after == *only) all.push_back(r);
      reports::writeRegressionsCsv(csv, all, infos);
    }
    return;
  }
  if (o.kind == "history") {
    const auto domain = normalisedDomain(o);
    auto rows = historyRows(db, domain);
    if (rows.empty()) throw UsageError{"no result for " + domain + " in " + o.db};
    reports::writeHistoryCsv(csv, domain, rows, reportCheckIds());
    return;
  }
  throw UsageError{"unknown --kind " + o.kind +
                   " (national, matrix, groups, trend, regressions or history)"};
}

}  // namespace

std::string reportUsage() {
  return R"(usage: mailhygiene report [options]

Writes a CSV report (UTF-8 with BOM, CRLF, RFC 4180) from the SQLite store. With no option it
writes the latest complete national run (one row per domain) to stdout.
Columns are documented in reports/CSV_COLUMNS.md.

options:
  --db PATH          the SQLite database (default var/mailhygiene.db)
  --kind KIND        national (default)  one row per domain of a run: score, tier, key facts
                     matrix              domain x check ID -> status
                     groups              the national metrics (guidance 3.4) per group
                     trend               domain x complete national run -> score, regressions
                     regressions         one row per regression (a check that got worse)
                     history             one domain's runs (needs --domain)
  --run ID           the run (national, matrix, groups; default the latest complete national
                     run); for trend and regressions, the last run to consider
  --domain DOMAIN    the domain of --kind history
  --group-by FIELD   groups: category (default) or group
  --output FILE      write to FILE instead of stdout
)";
}

int runReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ReportOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) return false;
      target = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if ((a == "--db" && value(o.db)) || (a == "--run" && value(o.run)) ||
               (a == "--kind" && value(o.kind)) || (a == "--domain" && value(o.domain)) ||
               (a == "--output" && value(o.output)) || (a == "--group-by" && value(o.group_by))) {
    } else {
      err << "mailhygiene report: unknown or incomplete option " << a << "\n\n" << reportUsage();
      return 2;
    }
  }
  if (o.help) {
    out << reportUsage();
    return 0;
  }
  if (!std::filesystem::exists(o.db)) {
    err << "mailhygiene report: no database " << o.db << "\n";
    return 2;
  }
  std::ostringstream csv;
  try {
    store::SqliteStore db(o.db);
    writeReport(db, o, csv, err);
  } catch (const UsageError& e) {
    err << "mailhygiene report: " << e.message << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "mailhygiene report: internal failure: " << e.what() << "\n";
    return 1;
  }
  const std::string text = csv.str();
  if (o.output.empty()) {
    out << text << std::flush;
    return out ? 0 : 1;
  }
  std::ofstream file(o.output, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    err << "mailhygiene report: cannot write " << o.output << "\n";
    return 1;
  }
  return 0;
}

}  // namespace mh::service
