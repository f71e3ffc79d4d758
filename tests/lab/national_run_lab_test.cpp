// Lab tests that `mailhygiene audit` and `serve` run one national-run lifecycle: a run of either,
// killed with SIGKILL in the middle, is finished by the other with every domain exactly once.
#include <gtest/gtest.h>

#include "tests/lab/national_run_support.hpp"
#include "tests/lab/run_program.hpp"
#include "tests/lab/serve_process.hpp"

namespace mh::lab::national {
namespace {

#ifdef MH_CLI_PATH

using service::http::testing::TempDir;

// Every query goes to a silent server first: each domain takes a second or two, so a run of
// one worker is still in its first domains when the test kills it.
std::vector<std::string> slowScanner(const BlackHole& silent) {
  return scannerArgs({"127.0.0.1:" + std::to_string(silent.port()), knotResolver()}, "0.03");
}

TEST(NationalRunLab, AnAuditKilledByKill9IsFinishedByServeWithEveryDomainOnce) {
  TempDir dir;
  const auto db = (dir.path / "store.db").string();
  writeDomainList(dir.path / "domains.csv");
  BlackHole silent;
  auto args = slowScanner(silent);
  args.insert(args.end(),
              {"--threads", "1", "--domains", (dir.path / "domains.csv").string(), "--db", db});
  {
    ServeProcess audit(MH_CLI_PATH, args, dir.path / "audit.log", {.command = "audit"});
    ASSERT_TRUE(waitUntil([&] { return count(db, "SELECT count(*) FROM domain_results") >= 2; }))
        << audit.log();
    audit.kill9();
  }
  const auto stored = count(db, "SELECT count(*) FROM domain_results");
  ASSERT_LT(stored, static_cast<std::int64_t>(kDomains.size())) << "finished before the kill";
  ASSERT_EQ(runState(db, 1), "running");

  auto serveArgs = scannerArgs({knotResolver()});
  serveArgs.insert(serveArgs.end(), {"--retry-delay", "1 second", "--port", "0", "--domains",
                                     (dir.path / "domains.csv").string(), "--db", db});
  ServeProcess serve(MH_CLI_PATH, serveArgs, dir.path / "serve.log");
  ASSERT_TRUE(waitUntil([&] { return runState(db, 1) == "complete"; })) << serve.log();
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
  EXPECT_NE(serve.log().find("unfinished run resumed at start run=1"), std::string::npos)
      << serve.log();
  EXPECT_EQ(everyDomainOnce(db, 1), "") << serve.log();
}

TEST(NationalRunLab, AScheduledServeRunKilledByKill9IsFinishedByAuditWithEveryDomainOnce) {
  TempDir dir;
  const auto db = (dir.path / "store.db").string();
  writeDomainList(dir.path / "domains.csv");
  BlackHole silent;
  const pid_t scheduled = forkScheduledServe(db, slowScanner(silent), dir.path / "serve.log");
  const bool started =
      waitUntil([&] { return count(db, "SELECT count(*) FROM domain_results") >= 2; });
  kill9(scheduled);
  ASSERT_TRUE(started) << "no results from the scheduled run";
  ASSERT_LT(count(db, "SELECT count(*) FROM domain_results"),
            static_cast<std::int64_t>(kDomains.size()));
  {
    SqliteStore store(db);
    auto run = store.run(1);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->state, RunState::Running);
    EXPECT_NE(run->options_json.find("\"started_by\":\"schedule\""), std::string::npos);
  }

  auto args = scannerArgs({knotResolver()});
  args.insert(args.begin(), "audit");
  args.insert(args.end(), {"--domains", (dir.path / "domains.csv").string(), "--db", db});
  args.insert(args.begin(), MH_CLI_PATH);
  const auto audit = runProgram(args);
  ASSERT_EQ(audit.exit_status, 0) << audit.err;
  EXPECT_NE(audit.err.find("resuming run 1"), std::string::npos) << audit.err;
  EXPECT_NE(audit.out.find("run 1 complete: " + std::to_string(kDomains.size()) + " domains"),
            std::string::npos)
      << audit.out;
  EXPECT_EQ(everyDomainOnce(db, 1), "") << audit.err;
}

#endif  // MH_CLI_PATH

}  // namespace
}  // namespace mh::lab::national
