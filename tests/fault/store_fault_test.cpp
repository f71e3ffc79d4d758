// Faults that lose nothing: a real `mailhygiene serve` on the knotd lab whose store fills up,
// is locked by another writer, is read-only, or whose scheduled national run is killed with
// SIGKILL. Each time the service keeps answering and says why, nothing committed is lost, and
// the next start (or run) finishes the run with every domain exactly once.
#include <gtest/gtest.h>

#include "tests/lab/national_run_support.hpp"
#include "tests/lab/serve_process.hpp"
#include "tests/support/sqlite_write_lock.hpp"

namespace mh::lab::national {
namespace {

using service::http::testing::call;
using service::http::testing::TempDir;

// The serve arguments of a test: its port, domain list, store (`db`, a path or a file: URI) and
// config, over the lab's knotd.
std::vector<std::string> serveArgs(const TempDir& dir, std::uint16_t port, const std::string& db,
                                   const std::string& config_lines = "") {
  writeDomainList(dir.path / "domains.csv");
  auto args = scannerArgs({knotResolver()});
  // A domain that a killed life left in error gets its delayed re-check at once.
  args.insert(args.end(), {"--retry-delay", "1 second", "--port", std::to_string(port), "--domains",
                           (dir.path / "domains.csv").string(), "--db", db, "--config",
                           writeServeConfig(dir.path, config_lines).string()});
  return args;
}

std::string dbPath(const TempDir& dir) {
  return (dir.path / "serve.db").string();
}

// The failure GET /api/v1/runs/{run} reports, or "".
std::string failureOf(std::uint16_t port, std::int64_t run) {
  auto j = getJson(port, "/api/v1/runs/" + std::to_string(run));
  return j->has("failure") ? j->getObject("failure")->getValue<std::string>("reason") : "";
}

service::http::testing::HttpResult postRun(std::uint16_t port) {
  return call(port, "POST", "/api/v1/runs", "", {{"Authorization", "Bearer " + kToken}});
}

TEST(StoreFault, AStoreThatFillsUpHaltsTheRunAndTheNextStartFinishesItWithEveryDomainOnce) {
  TempDir dir;
  const auto db = dbPath(dir);
  const auto run = seedRun(db, 2);  // killed after two domains; closed, so no WAL is left
  const auto port = freeTcpPort();
  const auto args = serveArgs(dir, port, db);
  {
    // No file of the service grows past 96 KiB: the shared-memory index (32 KiB) and the log
    // fit, the write-ahead log soon does not.
    ServeProcess full(MH_CLI_PATH, args, dir.path / "full.log", {.file_size_limit = 96 * 1024});
    std::string failure;
    ASSERT_TRUE(waitUntil([&] { return !(failure = failureOf(port, run)).empty(); })) << full.log();
    EXPECT_NE(failure.find("result not stored"), std::string::npos) << failure;
    auto health = call(port, "GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_NE(health.body.find("\"run_failure\":{\"run_id\":" + std::to_string(run)),
              std::string::npos)
        << health.body;
    EXPECT_EQ(call(port, "GET", "/api/v1/runs", "", {{"Authorization", "Bearer " + kToken}}).status,
              200);
    EXPECT_NE(full.log().find("national run halted run=" + std::to_string(run)), std::string::npos)
        << full.log();
    EXPECT_EQ(full.terminate(), 0) << full.log();
  }
  EXPECT_EQ(integrity(db), "ok");
  EXPECT_GE(count(db, "SELECT count(*) FROM domain_results"), 2);  // the seeded results
  EXPECT_NE(runState(db, run), "complete");

  ServeProcess next(MH_CLI_PATH, args, dir.path / "next.log");
  ASSERT_TRUE(waitUntil([&] { return runState(db, run) == "complete"; })) << next.log();
  EXPECT_EQ(next.terminate(), 0) << next.log();
  EXPECT_EQ(everyDomainOnce(db, run), "") << next.log();
}

TEST(StoreFault, AStoreLockedByAnotherWriterHaltsTheRunClearlyAndItResumesOnceReleased) {
  TempDir dir;
  const auto db = dbPath(dir);
  const auto run = seedRun(db, 2, RunState::Interrupted);
  const auto port = freeTcpPort();
  mh::testing::SqliteWriteLock lock(db);
  ServeProcess serve(MH_CLI_PATH, serveArgs(dir, port, db, "[store]\nbusy_timeout_ms = 300\n"),
                     dir.path / "serve.log");
  // Resumed at start, the run's first write waits out the busy timeout and halts it.
  std::string failure;
  ASSERT_TRUE(waitUntil([&] { return !(failure = failureOf(port, run)).empty(); })) << serve.log();
  EXPECT_NE(failure.find("database is locked"), std::string::npos) << failure;
  EXPECT_EQ(call(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(call(port, "GET", "/api/v1/domains/good.lab.test/history", "",
                 {{"Authorization", "Bearer " + kToken}})
                .status,
            200);
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results"), 2);

  lock.release();
  auto resumed = postRun(port);
  ASSERT_EQ(resumed.status, 202) << resumed.body;
  EXPECT_NE(resumed.body.find("\"resumed\":true"), std::string::npos) << resumed.body;
  ASSERT_TRUE(waitUntil([&] { return runState(db, run) == "complete"; })) << serve.log();
  EXPECT_EQ(failureOf(port, run), "");
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
  EXPECT_EQ(integrity(db), "ok");
  EXPECT_EQ(everyDomainOnce(db, run), "") << serve.log();
}

TEST(StoreFault, AReadOnlyStoreIsServedAndRunsAndSelfChecksAreRefusedClearly) {
  TempDir dir;
  const auto db = dbPath(dir);
  const auto run = seedRun(db, kDomains.size(), RunState::Complete);
  const auto port = freeTcpPort();
  // SQLite's own read-only open: chmod does not stop root, which CI runs as.
  ServeProcess serve(MH_CLI_PATH, serveArgs(dir, port, "file:" + db + "?mode=ro"),
                     dir.path / "serve.log");
  ASSERT_TRUE(waitUntil([&] { return call(port, "GET", "/healthz").status == 200; }))
      << serve.log();
  auto health = getJson(port, "/healthz");
  EXPECT_FALSE(health->getValue<bool>("store_writable"));
  EXPECT_NE(serve.log().find("store is read-only"), std::string::npos) << serve.log();
  auto runs = getJson(port, "/api/v1/runs")->getArray("runs");
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->getObject(0)->getValue<std::string>("state"), "complete");
  EXPECT_EQ(call(port, "GET", "/api/v1/domains/good.lab.test/history", "",
                 {{"Authorization", "Bearer " + kToken}})
                .status,
            200);

  auto refused = postRun(port);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("store_unavailable"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("readonly"), std::string::npos) << refused.body;
  auto selfCheck = call(port, "POST", "/api/v1/self-check", R"({"domain":"good.lab.test"})",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(selfCheck.status, 503) << selfCheck.body;
  EXPECT_NE(selfCheck.body.find("store_read_only"), std::string::npos) << selfCheck.body;
  EXPECT_EQ(call(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(everyDomainOnce(db, run), "");
}

TEST(StoreFault, Kill9OfServeDuringAScheduledRunIsResumedAtTheNextStartWithEveryDomainOnce) {
  TempDir dir;
  const auto db = dbPath(dir);
  BlackHole silent;  // asked first: each domain takes a second or two
  const pid_t scheduled = forkScheduledServe(
      db, scannerArgs({"127.0.0.1:" + std::to_string(silent.port()), knotResolver()}, "0.03"),
      dir.path / "scheduled.log");
  const bool started =
      waitUntil([&] { return count(db, "SELECT count(*) FROM domain_results") >= 2; });
  kill9(scheduled);
  ASSERT_TRUE(started) << "no results from the scheduled run";
  const auto stored = count(db, "SELECT count(*) FROM domain_results");
  ASSERT_LT(stored, static_cast<std::int64_t>(kDomains.size())) << "finished before the kill";
  ASSERT_EQ(runState(db, 1), "running");

  const auto port = freeTcpPort();
  ServeProcess next(MH_CLI_PATH, serveArgs(dir, port, db), dir.path / "next.log");
  ASSERT_TRUE(waitUntil([&] { return runState(db, 1) == "complete"; })) << next.log();
  EXPECT_EQ(next.terminate(), 0) << next.log();
  EXPECT_NE(next.log().find("unfinished run resumed at start run=1"), std::string::npos)
      << next.log();
  EXPECT_EQ(everyDomainOnce(db, 1), "") << next.log();
}

}  // namespace
}  // namespace mh::lab::national
