// What the tests of the national run's lifecycle across processes share: a domain list of lab
// domains, a store seeded with part of a run, waits on a child `serve` and on the store, and the
// "every domain exactly once" judgement.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/rubric.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/admin_tokens.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/manual_clock.hpp"

namespace mh::lab::national {

namespace fs = std::filesystem;
using JsonObject = Poco::JSON::Object::Ptr;
using service::store::RunState;
using service::store::SqliteStore;

inline const std::string kToken = "national-run-admin-token-of-at-least-32-characters";

// Lab domains that answer at once (no SMTP, no DNSSEC in these runs).
inline const std::vector<std::string> kDomains = {
    "good.lab.test",           "dmarc-none.lab.test",       "spf-plus-all.lab.test",
    "null-mx.lab.test",        "dmarc-quarantine.lab.test", "spf-softfail-no-dmarc.lab.test",
    "tlsrpt-missing.lab.test", "mx-cname.lab.test"};

inline std::string psl() {
  return std::string(MH_LAB_DIR) + "/public_suffix_list.dat";
}

inline std::string knotResolver() {
  return "127.0.0.1:" + std::to_string(sharedLab().port());
}

// The scanner options of a DNS-only run against `resolvers` (each a --resolver), short timeout.
inline std::vector<std::string> scannerArgs(const std::vector<std::string>& resolvers,
                                            const std::string& timeout = "0.5") {
  std::vector<std::string> args = {"--no-smtp", "--no-dnssec", "--timeout", timeout,
                                   "--retries", "0",           "--psl",     psl()};
  for (const auto& r : resolvers) args.insert(args.end(), {"--resolver", r});
  return args;
}

inline void writeDomainList(const fs::path& file) {
  std::ofstream csv(file);
  csv << "domain,category,group\n";
  for (const auto& d : kDomains) csv << d << ",agency,lab\n";
}

// A serve config with the admin token and `more` lines; returns its path.
inline fs::path writeServeConfig(const fs::path& dir, const std::string& more = "") {
  const auto path = dir / "serve.ini";
  std::ofstream ini(path);
  ini << "[admin]\ntoken_sha256 = " << service::http::sha256Hex(kToken) << "\n" << more;
  return path;
}

// A national run of kDomains with results for the first `audited` (audited against the lab),
// left `running` as a kill -9 leaves it, or interrupted. Returns its id.
inline std::int64_t seedRun(const std::string& db_path, std::size_t audited,
                            RunState state = RunState::Running) {
  SqliteStore db(db_path);
  std::vector<service::DomainEntry> entries;
  for (const auto& d : kDomains) {
    service::DomainEntry e;
    e.domain = d;
    e.category = "agency";
    e.group = "lab";
    entries.push_back(e);
  }
  db.upsertDomains(entries);
  const auto run = db.startRun(service::store::RunKind::National, kRubricVersion, "test",
                               R"({"started_by":"test"})");
  auto list = dmarc::PublicSuffixList::load(psl());
  audit::AuditOptions options;
  options.psl = list.get();
  auto resolver = sharedLab().makeResolver();
  for (std::size_t i = 0; i < audited; ++i) {
    auto written = db.recordDomainResult(
        run, service::rowWithScore(audit::auditDomain(*resolver, kDomains[i], options)));
    if (!written) throw std::runtime_error(written.error);
  }
  if (state != RunState::Running) db.finishRun(run, state);
  return run;
}

// Polls `done` (real time) until it holds or `limit` passes.
inline bool waitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(25)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (done()) return true;
    } catch (const std::exception&) {  // not listening yet, store being created
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  return false;
}

// Counts with plain SQL on a read-only connection (works while a child process writes).
inline std::int64_t count(const std::string& db_path, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(handle, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  return n;
}

inline std::string runState(const std::string& db_path, std::int64_t run) {
  SqliteStore db(db_path);
  auto info = db.run(run);
  return info ? std::string(service::store::toString(info->state)) : "none";
}

inline JsonObject getJson(std::uint16_t port, const std::string& path) {
  // Reads need an account: the configuration's admin token (writeServeConfig).
  auto r =
      service::http::testing::call(port, "GET", path, "", {{"Authorization", "Bearer " + kToken}});
  if (r.status != 200) throw std::runtime_error("GET " + path + ": " + r.body);
  return Poco::JSON::Parser().parse(r.body).extract<JsonObject>();
}

// The attempts of each domain in a run, oldest first: whether each had a check in error.
inline std::map<std::string, std::vector<bool>> attemptsByDomain(const std::string& db_path,
                                                                 std::int64_t run) {
  std::map<std::string, std::vector<bool>> out;
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    const std::string sql =
        "SELECT d.name, c.has_error FROM domain_results dr JOIN domains d ON d.id = dr.domain_id "
        "JOIN check_sets c ON c.id = dr.check_set_id WHERE dr.run_id = " +
        std::to_string(run) + " ORDER BY d.name, dr.attempt";
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK)
      while (sqlite3_step(stmt) == SQLITE_ROW)
        out[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))].push_back(
            sqlite3_column_int(stmt, 1) != 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  return out;
}

// The store holds one national run, `run`, complete, with its rollup, in which every domain of
// kDomains had exactly one first look, and a further attempt only as the re-check of an attempt
// in error (a loaded machine can make the lab's 30 ms timeouts expire); "" or what is wrong.
inline std::string everyDomainOnce(const std::string& db_path, std::int64_t run) {
  SqliteStore db(db_path);
  const auto runs = db.runSummaries();
  if (runs.size() != 1) return std::to_string(runs.size()) + " runs";
  if (runs[0].run.id != run) return "run " + std::to_string(runs[0].run.id) + " instead";
  if (runs[0].run.state != RunState::Complete)
    return std::string("run ") + std::string(service::store::toString(runs[0].run.state));
  if (!db.runRollup(run)) return "no rollup";
  const auto attempts = attemptsByDomain(db_path, run);
  if (attempts.size() != kDomains.size())
    return std::to_string(attempts.size()) + " domains in the run";
  for (const auto& d : kDomains) {
    auto it = attempts.find(d);
    if (it == attempts.end()) return d + " missing";
    const auto& looks = it->second;
    for (std::size_t i = 0; i + 1 < looks.size(); ++i)
      if (!looks[i])
        return d + " looked at again after attempt " + std::to_string(i + 1) +
               " had no error: audited twice";
    if (auto r = db.domainResult(run, d); !r || r->attempt != static_cast<int>(looks.size()))
      return d + ": attempts not numbered 1.." + std::to_string(looks.size());
  }
  return "";
}

inline std::string integrity(const std::string& db_path) {
  sqlite3* handle = nullptr;
  std::string out = "cannot open";
  if (sqlite3_open_v2(db_path.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  return out;
}

// A child process running the service in process (a real Server, its store on `db_path`) on
// a clock the child moves by hand to the scheduled slot, so the scheduler starts a national run
// at once: the test can kill -9 a scheduled run without waiting for a real slot. Call it before
// the test starts any thread. Its log goes to `log`.
inline pid_t forkScheduledServe(const std::string& db_path, const std::vector<std::string>& scanner,
                                const fs::path& log) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  dup2(fd, 2);
  try {
    using service::http::testing::utc;
    auto clock = std::make_shared<service::http::testing::ManualClock>(
        utc("2026-03-01T19:59:59Z"));  // 02:59:59 in Vietnam
    service::http::testing::TestServer server(
        kDomains, scanner, [&](service::http::ServeConfig& c) {
          std::string error;
          c.schedule.schedule = *service::http::parseSchedule("daily 03:00", error);
          c.clock = clock;
          c.db = db_path;
          c.audit_threads = 1;
        });
    clock->set(utc("2026-03-01T20:00:00Z"));
    for (;;) pause();
  } catch (const std::exception& e) {
    fprintf(stderr, "scheduled serve failed: %s\n", e.what());
  }
  _exit(3);
}

// Kills a child with SIGKILL and reaps it.
inline void kill9(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace mh::lab::national
