// Wiring of the store subcommand: `store compact` prunes old evidence (and may VACUUM).
#include "service/cli/store_command.hpp"

#include <filesystem>
#include <ostream>

#include "service/cli/scanner_options.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service {

namespace {

constexpr int kMaxKeepDays = 100 * 366;

}  // namespace

std::string storeUsage() {
  return "usage: mailhygiene store compact --db PATH [--keep-evidence-days N] [--vacuum]\n"
         "\n"
         "Retention: deletes the raw evidence (the DNS answers, TLS and MTA-STS observations\n"
         "of each check) that no result has used in the last N days (default " +
         std::to_string(store::kDefaultKeepEvidenceDays) +
         ", as keep_evidence_days\n"
         "of [store] in mailhygiene.ini; serve and audit also prune after each complete national\n"
         "run). Statuses, findings with their arguments, remediation, scores, typed facts and\n"
         "observed records are kept forever; the pass is logged in the store (prune_log).\n"
         "\n"
         "options:\n"
         "  --db PATH                the SQLite database (required)\n"
         "  --keep-evidence-days N   keep the evidence used in the last N days (0: keep all)\n"
         "  --vacuum                 then rewrite the file so that it shrinks (needs free disk\n"
         "                           of the database's size; writers wait meanwhile)\n";
}

int runStoreCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    out << storeUsage();
    return 0;
  }
  if (args.empty() || args[0] != "compact") {
    err << "mailhygiene store: give a subcommand (compact)\n\n" << storeUsage();
    return 2;
  }
  std::string db;
  int keepDays = store::kDefaultKeepEvidenceDays;
  bool vacuum = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--db" && i + 1 < args.size()) {
      db = args[++i];
    } else if (a == "--keep-evidence-days" && i + 1 < args.size()) {
      auto days = parseInt(args[++i], 0, kMaxKeepDays);
      if (!days) {
        err << "mailhygiene store: --keep-evidence-days: give a number of days from 0 to "
            << kMaxKeepDays << "\n";
        return 2;
      }
      keepDays = *days;
    } else if (a == "--vacuum") {
      vacuum = true;
    } else if (a == "-h" || a == "--help") {
      out << storeUsage();
      return 0;
    } else {
      err << "mailhygiene store: unknown or incomplete option " << a << "\n\n" << storeUsage();
      return 2;
    }
  }
  if (db.empty() || !std::filesystem::exists(db)) {
    err << "mailhygiene store: no database " << (db.empty() ? "(give --db PATH)" : db) << "\n";
    return 2;
  }
  try {
    store::SqliteStoreOptions options;
    options.keep_evidence_days = keepDays;
    store::SqliteStore store(db, options);
    const auto pruned = store.pruneEvidence(keepDays);
    if (keepDays == 0) {
      out << "evidence kept: --keep-evidence-days 0\n";
    } else {
      out << "evidence pruned: " << pruned.evidence_rows << " rows, " << pruned.evidence_bytes
          << " bytes, last used before " << pruned.cutoff << "\n";
    }
    if (vacuum) {
      store.vacuum();
      out << "database rewritten: " << std::filesystem::file_size(db) << " bytes\n";
    }
  } catch (const std::exception& e) {
    err << "mailhygiene store: internal failure: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace mh::service
