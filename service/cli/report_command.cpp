// Wiring of the report subcommand: options to a report request (service/report_export.hpp), its
// CSV to stdout or a file, its XLSX to a file.
#include "service/cli/report_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "service/report_export.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service {

namespace {

struct ReportOptions {
  std::string db = "var/mailhygiene.db";
  std::string run;
  std::string kind = "national";
  std::string format = "csv";
  std::string domain;
  std::string output;
  std::string group_by = "category";
  std::string group;
  bool help = false;
};

// A usage error: the message for stderr, exit status 2.
struct UsageError {
  std::string message;
};

ReportRequest requestOf(const ReportOptions& o) {
  ReportRequest request;
  auto kind = parseReportKind(o.kind);
  if (!kind)
    throw UsageError{"unknown --kind " + o.kind +
                     " (national, matrix, groups, trend, regressions or history)"};
  request.kind = *kind;
  auto format = parseReportFormat(o.format);
  if (!format) throw UsageError{"unknown --format " + o.format + " (csv or xlsx)"};
  if (*format == ReportFormat::Xlsx && o.output.empty())
    throw UsageError{"--format xlsx needs --output FILE (a workbook is not written to stdout)"};
  request.format = *format;
  if (!o.run.empty()) {
    request.run = parseRunNumber(o.run);
    if (!request.run) throw UsageError{"--run: give a run number"};
  }
  if (request.kind == ReportKind::History && o.domain.empty())
    throw UsageError{"--kind history needs --domain DOMAIN"};
  request.domain = o.domain;
  request.group_by = o.group_by;
  request.group = o.group;
  return request;
}

// The report's bytes (service/report_export.hpp: the same as the HTTP downloads).
std::string writeReport(store::SqliteStore& db, const ReportOptions& o, std::ostream& err) {
  auto exported = exportReport(db, requestOf(o));
  if (auto* error = std::get_if<ReportError>(&exported)) {
    if (error->problem == ReportProblem::BadRequest) throw UsageError{error->message};
    std::string message = error->message + " in " + o.db;
    if (error->code == "no_complete_run") message += " (run `mailhygiene audit`)";
    throw UsageError{message};
  }
  auto& file = std::get<ReportFile>(exported);
  for (const auto& note : file.notes) err << "mailhygiene report: note: " << note << "\n";
  return std::move(file.bytes);
}

}  // namespace

std::string reportUsage() {
  return R"(usage: mailhygiene report [options]

Writes a report from the SQLite store as CSV (UTF-8 with BOM, CRLF, RFC 4180) or as an Excel
workbook (.xlsx: numbers, dates, a frozen and filtered header row). With no option it writes
the latest complete national run (one row per domain) as CSV to stdout; stdout gets nothing
but the report (logs and notes go to stderr). Columns are documented in
reports/CSV_COLUMNS.md; both formats have the same columns and rows.

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
  --group NAME       national, matrix, trend, regressions: only the domains whose group or
                     category is NAME (case-insensitive)
  --format FORMAT    csv (default) or xlsx (needs --output)
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
               (a == "--kind" && value(o.kind)) || (a == "--format" && value(o.format)) ||
               (a == "--domain" && value(o.domain)) || (a == "--output" && value(o.output)) ||
               (a == "--group-by" && value(o.group_by)) || (a == "--group" && value(o.group))) {
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
  std::string text;
  try {
    store::SqliteStore db(o.db);
    text = writeReport(db, o, err);
  } catch (const UsageError& e) {
    err << "mailhygiene report: " << e.message << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "mailhygiene report: internal failure: " << e.what() << "\n";
    return 1;
  }
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
