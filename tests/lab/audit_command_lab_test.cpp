// Lab tests of `mailhygiene audit`: a national run into SQLite, and kill -9 in the middle resumed
// to a complete run with every domain exactly once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "service/store/sqlite_store.hpp"
#include "tests/lab/knot_lab.hpp"

extern char** environ;

namespace mh::lab {
namespace {

#ifdef MH_CLI_PATH

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mh-audit-test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Writes a domain list of every audit scenario of the lab; returns how many.
std::size_t writeLabDomainList(const fs::path& file) {
  std::ofstream out(file);
  out << "domain,category,group\n";
  std::size_t n = 0;
  for (const auto& zone : zonesIn(zoneDir())) {
    const auto& name = zone.name;
    if (!name.ends_with(".lab.test") || zone.broken || name == "resolver.lab.test" ||
        name == "provider.lab.test" || name.find("notauth") != std::string::npos)
      continue;
    out << name << ",agency,lab\n";
    ++n;
  }
  return n;
}

pid_t spawnCli(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv = {MH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  posix_spawn(&pid, MH_CLI_PATH, &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Counts rows with plain SQL (read-only), so the test does not depend on the store's API.
std::int64_t count(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return -1;
  }
  sqlite3_busy_timeout(handle, 2000);
  sqlite3_stmt* stmt = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return n;
}

std::vector<std::string> commonArgs(const TempDir& dir) {
  return {"audit",
          "--domains",
          (dir.path / "domains.csv").string(),
          "--db",
          (dir.path / "audit.db").string(),
          "--no-smtp",
          "--no-dnssec",
          "--psl",
          std::string(MH_LAB_DIR) + "/public_suffix_list.dat"};
}

// Starts `mailhygiene args`, kills it with SIGKILL once `db` holds two domain results (or after
// 60 s), and returns how many it holds then.
std::int64_t killAfterTwoResults(const std::vector<std::string>& args, const fs::path& log,
                                 const fs::path& db) {
  const pid_t pid = spawnCli(args, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count(db, "SELECT count(*) FROM domain_results") < 2 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  waitExit(pid);
  return count(db, "SELECT count(*) FROM domain_results");
}

TEST(AuditCommandLab, ANationalRunStoresEveryDomainWithItsScore) {
  TempDir dir;
  const auto n = writeLabDomainList(dir.path / "domains.csv");
  auto args = commonArgs(dir);
  args.insert(args.end(),
              {"--threads", "4", "--resolver", "127.0.0.1:" + std::to_string(sharedLab().port())});
  const pid_t pid = spawnCli(args, dir.path / "log");
  ASSERT_EQ(waitExit(pid), 0) << readFile(dir.path / "log");
  const auto db = dir.path / "audit.db";
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE state = 'complete'"), 1);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT domain_id) FROM domain_results"),
            static_cast<std::int64_t>(n));
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results WHERE score IS NULL"), 0);
  EXPECT_EQ(count(db,
                  "SELECT count(*) FROM domain_results r JOIN domains d ON d.id = r.domain_id "
                  "WHERE d.name = 'good.lab.test' AND r.grade = 'A'"),
            1);
}

TEST(AuditCommandLab, KilledInTheMiddleAndRunAgainCompletesWithEveryDomainOnce) {
  TempDir dir;
  const auto n = writeLabDomainList(dir.path / "domains.csv");
  const auto db = dir.path / "audit.db";
  BlackHole slow;  // asked first for every query: each domain takes a second or two
  auto args = commonArgs(dir);
  args.insert(args.end(), {"--threads", "1", "--timeout", "0.03", "--retries", "0", "--resolver",
                           "127.0.0.1:" + std::to_string(slow.port()), "--resolver",
                           "127.0.0.1:" + std::to_string(sharedLab().port())});
  const auto before = killAfterTwoResults(args, dir.path / "log1", db);
  ASSERT_GE(before, 2) << readFile(dir.path / "log1");
  ASSERT_LT(before, static_cast<std::int64_t>(n)) << "the run finished before it could be killed";
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE state = 'running'"), 1);

  auto again = commonArgs(dir);
  again.insert(again.end(),
               {"--threads", "4", "--resolver", "127.0.0.1:" + std::to_string(sharedLab().port())});
  const pid_t second = spawnCli(again, dir.path / "log2");
  ASSERT_EQ(waitExit(second), 0) << readFile(dir.path / "log2");
  EXPECT_NE(readFile(dir.path / "log2").find("resuming run 1"), std::string::npos);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE state = 'complete'"), 1);
  // Every domain exactly once: as many results as domains, none twice.
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results"), static_cast<std::int64_t>(n));
  EXPECT_EQ(count(db, "SELECT count(DISTINCT domain_id) FROM domain_results"),
            static_cast<std::int64_t>(n));
}

// Killed after first looks that ended in error (a resolver that never answers) but before their
// re-checks: the resumed run re-checks those (attempt 2) and gives the others their first look.
TEST(AuditCommandLab, AResumedRunRechecksTheFirstLooksInErrorTheKillLeftUnchecked) {
  TempDir dir;
  const auto n = writeLabDomainList(dir.path / "domains.csv");
  const auto db = dir.path / "audit.db";
  BlackHole silent;
  auto args = commonArgs(dir);
  args.insert(args.end(),
              {"--threads", "1", "--timeout", "0.05", "--retries", "0", "--recheck-after", "3600",
               "--resolver", "127.0.0.1:" + std::to_string(silent.port())});
  const auto erred = killAfterTwoResults(args, dir.path / "log1", db);
  ASSERT_GE(erred, 2) << readFile(dir.path / "log1");
  ASSERT_LT(erred, static_cast<std::int64_t>(n)) << "the run finished before it could be killed";
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results WHERE attempt > 1"), 0);

  auto again = commonArgs(dir);
  again.insert(again.end(),
               {"--threads", "4", "--resolver", "127.0.0.1:" + std::to_string(sharedLab().port())});
  const pid_t second = spawnCli(again, dir.path / "log2");
  ASSERT_EQ(waitExit(second), 0) << readFile(dir.path / "log2");
  EXPECT_NE(readFile(dir.path / "log2").find("resuming run 1"), std::string::npos);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE state = 'complete'"), 1);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT domain_id) FROM domain_results"),
            static_cast<std::int64_t>(n));
  // The domains in error before the kill have their re-check, and only those have two looks.
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results WHERE attempt = 2"), erred);
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results WHERE attempt > 2"), 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM domain_results"), static_cast<std::int64_t>(n) + erred);
  EXPECT_EQ(count(db,
                  "SELECT count(*) FROM latest_domain_results dr JOIN check_sets c "
                  "ON c.id = dr.check_set_id WHERE c.has_error = 1"),
            0);
  EXPECT_NE(readFile(dir.path / "log2").find("run 1 complete: " + std::to_string(n) + " domains"),
            std::string::npos)
      << readFile(dir.path / "log2");
}

#endif

}  // namespace
}  // namespace mh::lab
