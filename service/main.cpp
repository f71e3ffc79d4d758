// Entry point of the mailhygiene executable: dispatches to the subcommands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "checks/core/rubric.hpp"
#include "service/cli/audit_command.hpp"
#include "service/cli/check_command.hpp"
#include "service/cli/report_command.hpp"
#include "service/cli/store_command.hpp"
#include "service/cli/token_command.hpp"
#include "service/http/server.hpp"

namespace {

const char* const kUsage = R"(usage: mailhygiene COMMAND [options]

commands:
  check DOMAIN   audit one domain and print the findings (see `mailhygiene check --help`)
  audit          audit every domain of domains.csv into the SQLite store (`mailhygiene audit --help`)
  report         write a CSV or XLSX report from the SQLite store (`mailhygiene report --help`)
  store compact  prune old evidence from the SQLite store (`mailhygiene store --help`)
  token          accounts of the HTTP service: create, list, revoke (`mailhygiene token --help`)
  serve          the HTTP service: JSON API, self-check, metrics (`mailhygiene serve --help`)
  rubric         print the scoring rubric in force (`--format json` for machine use)
  version        print the version

)";

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries only command output (`mailhygiene report > national.csv`).
  // Every subsystem's logger is a clone of this default, made on first use.
  spdlog::set_default_logger(spdlog::stderr_color_mt("mailhygiene"));
  // A file size limit (ulimit -f, systemd's LimitFSIZE) makes a write fail with EFBIG, which the
  // store reports like a full disk, instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "check") return mh::service::runCheckCommand(args, std::cout, std::cerr);
  if (command == "audit") return mh::service::runAuditCommand(args, std::cout, std::cerr);
  if (command == "report") return mh::service::runReportCommand(args, std::cout, std::cerr);
  if (command == "store") return mh::service::runStoreCommand(args, std::cout, std::cerr);
  if (command == "token") return mh::service::runTokenCommand(args, std::cout, std::cerr);
  if (command == "serve") return mh::service::http::runServeCommand(args, std::cout, std::cerr);
  if (command == "rubric") {
    if (args.empty()) {
      std::cout << mh::rubricMarkdown();
      return 0;
    }
    if (args.size() == 2 && args[0] == "--format" && (args[1] == "json" || args[1] == "markdown")) {
      std::cout << (args[1] == "json" ? mh::rubricJson().pretty() + "\n" : mh::rubricMarkdown());
      return 0;
    }
    std::cerr << "usage: mailhygiene rubric [--format markdown|json]\n";
    return 2;
  }
  if (command == "version" || command == "--version") {
    std::cout << "mailhygiene " << MH_VERSION << "\n";
    return 0;
  }
  std::cerr << "mailhygiene: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
