// Lab tests of the scheduler of `mailhygiene serve` with a manual clock: two scheduled runs,
// a slot skipped while a run is in progress, the delayed re-check of a domain whose nameserver
// timed out, and an interrupted run resumed at start, against the knotd lab; then SIGTERM to a
// real `mailhygiene serve` during a re-check wait, and the next start finishing the run.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/rubric.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/admin_tokens.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/lab/serve_process.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/manual_clock.hpp"

namespace mh::lab {
namespace {

using JsonObject = Poco::JSON::Object::Ptr;
using service::http::Clock;
using service::http::ServeConfig;
using service::http::testing::ManualClock;
using service::http::testing::TempDir;
using service::http::testing::TestServer;
using service::http::testing::utc;
using service::store::RunState;
using service::store::SqliteStore;

constexpr const char* kToken = "lab-scheduler-token-of-at-least-32-characters";
constexpr const char* kFlaky = "dmarc-none.lab.test";
const std::vector<std::string> kDomains = {"good.lab.test", kFlaky, "spf-plus-all.lab.test",
                                           "null-mx.lab.test"};

// A UDP relay in front of the lab's knotd that drops every query for a name at or under one
// domain while told to: that domain's nameserver "times out" until the test lets it answer.
class FlakyRelay {
 public:
  FlakyRelay(std::uint16_t upstream_port, std::string domain) : domain_(std::move(domain)) {
    client_side_ = boundUdpSocket();
    upstream_ = boundUdpSocket();
    sockaddr_in knot{};
    knot.sin_family = AF_INET;
    knot.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    knot.sin_port = htons(upstream_port);
    if (connect(upstream_, reinterpret_cast<sockaddr*>(&knot), sizeof knot) != 0 ||
        pipe(stop_) != 0)
      throw std::runtime_error("relay setup failed");
    sockaddr_in local{};
    socklen_t len = sizeof local;
    getsockname(client_side_, reinterpret_cast<sockaddr*>(&local), &len);
    port_ = ntohs(local.sin_port);
    thread_ = std::thread(&FlakyRelay::serve, this);
  }
  ~FlakyRelay() {
    (void)!write(stop_[1], "x", 1);
    thread_.join();
    for (int fd : {client_side_, upstream_, stop_[0], stop_[1]}) close(fd);
  }
  FlakyRelay(const FlakyRelay&) = delete;
  FlakyRelay& operator=(const FlakyRelay&) = delete;

  void setDropping(bool dropping) { dropping_.store(dropping); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  static int boundUdpSocket() {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("cannot bind a loopback UDP socket");
    return fd;
  }

  // The question name of a query, lower case, without the final dot ("" when unreadable).
  static std::string questionName(const unsigned char* packet, std::size_t size) {
    std::string name;
    for (std::size_t i = 12; i < size;) {
      const std::size_t length = packet[i++];
      if (length == 0) return name;
      if (length > 63 || i + length > size) return "";
      if (!name.empty()) name += '.';
      for (std::size_t k = 0; k < length; ++k)
        name += static_cast<char>(std::tolower(packet[i + k]));
      i += length;
    }
    return "";
  }

  bool dropped(const std::string& name) const {
    return dropping_.load() &&
           (name == domain_ || (name.size() > domain_.size() && name.ends_with("." + domain_)));
  }

  void serve() {
    unsigned char query[4096], reply[4096];
    for (;;) {
      pollfd fds[2] = {{client_side_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      sockaddr_in client{};
      socklen_t clientLen = sizeof client;
      const ssize_t n = recvfrom(client_side_, query, sizeof query, 0,
                                 reinterpret_cast<sockaddr*>(&client), &clientLen);
      if (n < 12 || dropped(questionName(query, static_cast<std::size_t>(n)))) continue;
      if (send(upstream_, query, static_cast<std::size_t>(n), 0) != n) continue;
      // One query at a time: wait for the reply with the same ID (a late one may be stale).
      for (;;) {
        pollfd up = {upstream_, POLLIN, 0};
        if (poll(&up, 1, 2000) <= 0) break;
        const ssize_t m = recv(upstream_, reply, sizeof reply, 0);
        if (m >= 2 && reply[0] == query[0] && reply[1] == query[1]) {
          sendto(client_side_, reply, static_cast<std::size_t>(m), 0,
                 reinterpret_cast<sockaddr*>(&client), clientLen);
          break;
        }
      }
    }
  }

  std::string domain_;
  std::atomic<bool> dropping_{true};
  int client_side_ = -1;
  int upstream_ = -1;
  int stop_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::vector<std::string> labScanner(const std::string& resolver) {
  // DNS only (no SMTP, no DNSSEC: the lab root is not signed), and a short timeout.
  return {"--resolver", resolver,
          "--no-smtp",  "--no-dnssec",
          "--timeout",  "0.5",
          "--retries",  "0",
          "--psl",      std::string(MH_LAB_DIR) + "/public_suffix_list.dat"};
}

std::string knotResolver() {
  return "127.0.0.1:" + std::to_string(sharedLab().port());
}

JsonObject parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<JsonObject>();
}

JsonObject schedule(TestServer& server) {
  auto r = server.get("/api/v1/schedule");
  if (r.status != 200) throw std::runtime_error("GET /api/v1/schedule: " + r.body);
  return parse(r.body);
}

std::string text(const JsonObject& o, const std::string& key) {
  return o->isNull(key) ? "null" : o->getValue<std::string>(key);
}

// Polls GET /api/v1/schedule until `done` holds (real time, bounded): the service works in its
// own threads, the test only waits for what it must see.
JsonObject waitFor(TestServer& server, const std::function<bool(const JsonObject&)>& done,
                   const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  auto s = schedule(server);
  while (!done(s)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("timed out waiting for " + what);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s = schedule(server);
  }
  return s;
}

bool idle(const JsonObject& s) {
  return s->isNull("run_in_progress");
}

std::string phase(const JsonObject& s) {
  return idle(s) ? "idle" : s->getObject("run_in_progress")->getValue<std::string>("phase");
}

// Waits until the run in progress waits for its re-check round `round`; returns when it is due.
Clock::TimePoint waitForRecheckWait(TestServer& server, int round = 1) {
  auto s = waitFor(
      server,
      [&](const JsonObject& s) {
        return phase(s) == "waiting_recheck" &&
               s->getObject("run_in_progress")->getValue<int>("recheck_round") == round;
      },
      "re-check round " + std::to_string(round));
  return utc(s->getObject("run_in_progress")->getValue<std::string>("recheck_at"));
}

// The latest attempt of a domain in a run (0: no result). How many attempts the first pass
// records for a domain in error (its first look, the at-once retry) is runAudit's affair, so
// tests compare attempts with the one seen before the delayed re-check.
int attemptOf(const std::string& db_path, std::int64_t run, const std::string& domain) {
  SqliteStore db(db_path);
  auto r = db.domainResult(run, domain);
  return r ? r->attempt : 0;
}

bool hasErrorCheck(const service::store::StoredDomainResult& r) {
  for (const auto& c : r.row.checks)
    if (c.status == Status::Error) return true;
  return false;
}

std::int64_t postRun(TestServer& server) {
  auto r = server.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}});
  if (r.status != 202) throw std::runtime_error("POST /api/v1/runs: " + r.body);
  return parse(r.body)->getValue<std::int64_t>("run_id");
}

std::function<void(ServeConfig&)> withClock(std::shared_ptr<ManualClock> clock,
                                            std::function<void(ServeConfig&)> more = {}) {
  return [clock, more](ServeConfig& c) {
    c.clock = clock;
    c.admin_token_sha256 = {service::http::sha256Hex(kToken)};
    c.audit_threads = 2;
    if (more) more(c);
  };
}

TEST(SchedulerLab, TwoScheduledRunsCompleteAtTheirSlots) {
  // 01:30 in Vietnam; the schedule is daily at 02:00 local time (19:00 UTC).
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T18:30:00Z"));
  TestServer server(kDomains, labScanner(knotResolver()), withClock(clock, [](ServeConfig& c) {
                      std::string error;
                      c.schedule.schedule = *service::http::parseSchedule("daily 02:00", error);
                    }));
  auto s = schedule(server);
  EXPECT_EQ(text(s, "schedule"), "daily 02:00");
  EXPECT_EQ(text(s, "utc_offset"), "+07:00");
  EXPECT_EQ(text(s, "next_run_at"), "2026-03-01T19:00:00Z");
  EXPECT_TRUE(idle(s));
  EXPECT_EQ(text(s, "last_run"), "null");

  for (const char* slot : {"2026-03-01T19:00:00Z", "2026-03-02T19:00:00Z"}) {
    clock->set(utc(slot));
    s = waitFor(
        server,
        [&](const JsonObject& s) {
          return text(s, "last_slot_at") == slot && idle(s) &&
                 s->getObject("last_run")->getValue<std::string>("state") == "complete";
        },
        std::string("the run of ") + slot);
    EXPECT_EQ(s->getValue<std::int64_t>("last_slot_run_id"),
              s->getObject("last_run")->getValue<std::int64_t>("id"));
  }
  EXPECT_EQ(s->getValue<int>("runs_started"), 2);
  EXPECT_EQ(s->getValue<int>("slots_skipped"), 0);
  EXPECT_EQ(text(s, "next_run_at"), "2026-03-03T19:00:00Z");

  SqliteStore db((server.dir().path / "serve.db").string());
  auto runs = db.runSummaries();
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.run.state, RunState::Complete);
    EXPECT_EQ(r.domains, static_cast<std::int64_t>(kDomains.size()));
    EXPECT_NE(r.run.options_json.find("\"started_by\":\"schedule\""), std::string::npos)
        << r.run.options_json;
  }
  auto metrics = server.get("/metrics").body;
  EXPECT_NE(metrics.find("mailhygiene_schedule_runs_started_total 2\n"), std::string::npos)
      << metrics;
  // 2026-03-03T19:00:00Z
  EXPECT_NE(metrics.find("mailhygiene_schedule_next_run_timestamp_seconds 1772564400\n"),
            std::string::npos);
  EXPECT_EQ(metrics.find("mailhygiene_last_complete_run_timestamp_seconds 0\n"), std::string::npos);
}

TEST(SchedulerLab, ASlotDueWhileARunIsInProgressIsSkipped) {
  FlakyRelay relay(sharedLab().port(), kFlaky);  // kFlaky times out for the whole test
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T10:10:00Z"));
  TestServer server(kDomains, labScanner(relay.address()), withClock(clock, [](ServeConfig& c) {
                      std::string error;
                      c.schedule.schedule = *service::http::parseSchedule("every 1 hour", error);
                      c.schedule.retry_delay = std::chrono::minutes(90);
                      c.schedule.rechecks = 1;
                    }));
  const auto first = postRun(server);
  const auto recheckAt = waitForRecheckWait(server);  // 11:40: kFlaky is still in error
  EXPECT_EQ(service::http::formatUtc(recheckAt), "2026-03-01T11:40:00Z");
  const auto dbPath = (server.dir().path / "serve.db").string();
  const int beforeRecheck = attemptOf(dbPath, first, kFlaky);
  ASSERT_GE(beforeRecheck, 1);

  clock->set(utc("2026-03-01T11:00:00Z"));  // a slot while the run waits for its re-check
  auto s = waitFor(
      server, [](const JsonObject& s) { return s->getValue<int>("slots_skipped") == 1; },
      "the skipped slot");
  EXPECT_EQ(s->getValue<int>("runs_started"), 0);
  EXPECT_EQ(text(s, "next_run_at"), "2026-03-01T12:00:00Z");  // skipped, not queued
  EXPECT_EQ(s->getObject("run_in_progress")->getValue<std::int64_t>("id"), first);
  EXPECT_EQ(s->getObject("last_run")->getValue<std::int64_t>("id"), first);

  clock->set(recheckAt);  // the only re-check round; kFlaky still times out
  waitFor(server, idle, "the end of the first run");
  clock->set(utc("2026-03-01T12:00:00Z"));
  s = waitFor(
      server,
      [&](const JsonObject& s) {
        return s->getValue<int>("runs_started") == 1 && !idle(s) &&
               s->getObject("run_in_progress")->getValue<std::int64_t>("id") != first;
      },
      "the run of 12:00");
  EXPECT_EQ(s->getValue<int>("slots_skipped"), 1);

  SqliteStore db(dbPath);
  auto runs = db.runSummaries();
  ASSERT_EQ(runs.size(), 2u);  // the skipped slot made no run
  EXPECT_EQ(runs[0].run.id, first);
  EXPECT_EQ(runs[0].run.state, RunState::Complete);
  EXPECT_NE(runs[0].run.options_json.find("\"started_by\":\"api\""), std::string::npos);
  EXPECT_NE(runs[1].run.options_json.find("\"started_by\":\"schedule\""), std::string::npos);
  // Bounded: one delayed re-check (rechecks = 1), so one more attempt, still in error.
  auto flaky = db.domainResult(first, kFlaky);
  ASSERT_TRUE(flaky);
  EXPECT_EQ(flaky->attempt, beforeRecheck + 1);
  EXPECT_TRUE(hasErrorCheck(*flaky));
  EXPECT_EQ(db.domainResult(first, "good.lab.test")->attempt, 1);
}

TEST(SchedulerLab, ADomainInErrorIsRecheckedAfterTheDelayAsAFurtherAttempt) {
  FlakyRelay relay(sharedLab().port(), kFlaky);
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T03:00:00Z"));
  TestServer server(kDomains, labScanner(relay.address()), withClock(clock, [](ServeConfig& c) {
                      c.schedule.retry_delay = std::chrono::minutes(30);
                      c.schedule.rechecks = 2;
                    }));
  const auto run = postRun(server);
  const auto firstRecheck = waitForRecheckWait(server);
  EXPECT_EQ(service::http::formatUtc(firstRecheck), "2026-03-01T03:30:00Z");
  auto s = schedule(server);
  EXPECT_EQ(s->getObject("run_in_progress")->getValue<int>("recheck_domains"), 1);
  EXPECT_EQ(s->getObject("run_in_progress")->getValue<int>("recheck_round"), 1);
  EXPECT_EQ(s->getObject("last_run")->getValue<std::string>("state"), "running");
  // Another run cannot start meanwhile.
  EXPECT_EQ(
      server.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}}).status,
      409);

  SqliteStore db((server.dir().path / "serve.db").string());
  auto before = db.domainResult(run, kFlaky);
  ASSERT_TRUE(before);
  EXPECT_TRUE(hasErrorCheck(*before));  // timeouts are `error`, never `fail`
  for (const auto& c : before->row.checks) EXPECT_NE(c.status, Status::Fail) << c.id;

  clock->set(firstRecheck);  // round 1: still timing out
  const auto secondRecheck = waitForRecheckWait(server, 2);
  s = schedule(server);
  EXPECT_EQ(s->getObject("run_in_progress")->getValue<int>("recheck_round"), 2);
  EXPECT_EQ(service::http::formatUtc(secondRecheck), "2026-03-01T04:00:00Z");
  EXPECT_EQ(db.domainResult(run, kFlaky)->attempt, before->attempt + 1);

  relay.setDropping(false);  // the nameserver answers again
  clock->set(secondRecheck);
  s = waitFor(server, idle, "the end of the run");
  EXPECT_EQ(s->getObject("last_run")->getValue<std::string>("state"), "complete");

  auto after = db.domainResult(run, kFlaky);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->attempt, before->attempt + 2);
  EXPECT_FALSE(hasErrorCheck(*after));
  for (const auto& d : kDomains) {
    if (d == kFlaky) continue;
    EXPECT_EQ(db.domainResult(run, d)->attempt, 1) << d;
  }
  auto summary = db.runSummaries().back();
  EXPECT_EQ(summary.domains, static_cast<std::int64_t>(kDomains.size()));
  EXPECT_EQ(summary.retried, 1);
  // What the API serves is the latest attempt, scored.
  auto history = parse(server.get(std::string("/api/v1/domains/") + kFlaky + "/history").body);
  auto latest = history->getArray("history")->getObject(0);
  EXPECT_EQ(latest->getValue<int>("attempt"), before->attempt + 2);
  EXPECT_FALSE(latest->isNull("score"));
}

// An interrupted national run of `domains` with results for the first `audited` of them.
std::int64_t interruptedRun(const std::string& db_path, const std::vector<std::string>& domains,
                            std::size_t audited) {
  SqliteStore db(db_path);
  std::vector<service::DomainEntry> entries;
  for (const auto& d : domains) {
    service::DomainEntry entry;
    entry.domain = d;
    entries.push_back(entry);
  }
  db.upsertDomains(entries);
  const auto run = db.startRun(service::store::RunKind::National, kRubricVersion, "test",
                               R"({"started_by":"api"})");
  auto psl = dmarc::PublicSuffixList::load(std::string(MH_LAB_DIR) + "/public_suffix_list.dat");
  audit::AuditOptions options;
  options.psl = psl.get();
  auto resolver = sharedLab().makeResolver();
  for (std::size_t i = 0; i < audited; ++i) {
    auto written = db.recordDomainResult(
        run, service::rowWithScore(audit::auditDomain(*resolver, domains[i], options)));
    if (!written) throw std::runtime_error(written.error);
  }
  db.finishRun(run, RunState::Interrupted);
  return run;
}

TEST(SchedulerLab, AnInterruptedRunIsResumedAtStartWithEveryDomainOnce) {
  TempDir dir;
  const auto dbPath = (dir.path / "resume.db").string();
  const auto run = interruptedRun(dbPath, kDomains, 2);
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T03:00:00Z"));
  TestServer server(kDomains, labScanner(knotResolver()),
                    withClock(clock, [&](ServeConfig& c) { c.db = dbPath; }));
  auto s = waitFor(
      server,
      [](const JsonObject& s) {
        return idle(s) && s->getObject("last_run")->getValue<std::string>("state") == "complete";
      },
      "the resumed run");
  EXPECT_EQ(s->getObject("last_run")->getValue<std::int64_t>("id"), run);

  SqliteStore db(dbPath);
  auto runs = db.runSummaries();
  ASSERT_EQ(runs.size(), 1u);  // resumed, not a new run
  EXPECT_EQ(runs[0].domains, static_cast<std::int64_t>(kDomains.size()));
  EXPECT_EQ(runs[0].retried, 0);  // nobody audited twice
  for (const auto& d : kDomains) {
    auto r = db.domainResult(run, d);
    ASSERT_TRUE(r) << d;
    EXPECT_EQ(r->attempt, 1) << d;
  }
}

TEST(SchedulerLab, WithoutResumeOnStartTheInterruptedRunWaits) {
  TempDir dir;
  const auto dbPath = (dir.path / "resume.db").string();
  const auto run = interruptedRun(dbPath, kDomains, 1);
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T03:00:00Z"));
  TestServer server(kDomains, labScanner(knotResolver()), withClock(clock, [&](ServeConfig& c) {
                      c.db = dbPath;
                      c.schedule.resume_on_start = false;
                    }));
  auto s = schedule(server);
  EXPECT_FALSE(s->getValue<bool>("resume_on_start"));
  EXPECT_TRUE(idle(s));
  EXPECT_EQ(s->getObject("last_run")->getValue<std::int64_t>("id"), run);
  EXPECT_EQ(s->getObject("last_run")->getValue<std::string>("state"), "interrupted");
  // The next run started by an operator takes it up.
  auto resumed =
      server.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(resumed.status, 202) << resumed.body;
  EXPECT_TRUE(parse(resumed.body)->getValue<bool>("resumed"));
  waitFor(server, idle, "the resumed run");
}

TEST(SchedulerLab, AStopDuringTheRecheckWaitIsResumedAtTheNextStart) {
  TempDir dir;
  const auto dbPath = (dir.path / "stopped.db").string();
  FlakyRelay relay(sharedLab().port(), kFlaky);
  auto clock = std::make_shared<ManualClock>(utc("2026-03-01T03:00:00Z"));
  auto config = withClock(clock, [&](ServeConfig& c) { c.db = dbPath; });
  std::int64_t run = 0;
  {
    TestServer first(kDomains, labScanner(relay.address()), config);
    run = postRun(first);
    waitForRecheckWait(first);
  }  // SIGTERM's path: Server::stop() ends the wait at once; the run stays resumable
  const int beforeRecheck = attemptOf(dbPath, run, kFlaky);
  {
    SqliteStore db(dbPath);
    EXPECT_EQ(db.run(run)->state, RunState::Interrupted);
  }
  relay.setDropping(false);
  TestServer second(kDomains, labScanner(relay.address()), config);
  const auto recheckAt = waitForRecheckWait(second);  // every domain is done: only the re-check
  clock->set(recheckAt);
  auto s = waitFor(second, idle, "the end of the resumed run");
  EXPECT_EQ(s->getObject("last_run")->getValue<std::int64_t>("id"), run);
  EXPECT_EQ(s->getObject("last_run")->getValue<std::string>("state"), "complete");
  SqliteStore db(dbPath);
  ASSERT_EQ(db.runSummaries().size(), 1u);
  EXPECT_EQ(db.domainResult(run, kFlaky)->attempt, beforeRecheck + 1);
  EXPECT_FALSE(hasErrorCheck(*db.domainResult(run, kFlaky)));
  EXPECT_EQ(db.domainResult(run, "good.lab.test")->attempt, 1);
}

#ifdef MH_CLI_PATH

// Polls GET /api/v1/schedule of a child process (real time, bounded) with an auditor's `token`
// until `done` holds.
bool waitForChild(std::uint16_t port, const std::string& token,
                  const std::function<bool(const JsonObject&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto r = service::http::testing::call(port, "GET", "/api/v1/schedule", "",
                                            {{"Authorization", "Bearer " + token}});
      if (r.status == 200 && done(parse(r.body))) return true;
    } catch (const Poco::Exception&) {  // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Polls the store (real time, bounded) until `done` holds.
bool waitForStore(const std::string& db_path, const std::function<bool(SqliteStore&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      SqliteStore db(db_path);
      if (done(db)) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(SchedulerLab, SigtermDuringTheRecheckWaitExitsAndTheNextStartCompletesTheRun) {
  TempDir dir;
  const auto dbPath = (dir.path / "serve.db").string();
  {
    std::ofstream csv(dir.path / "domains.csv");
    csv << "domain,category,group\n";
    for (const auto& d : kDomains) csv << d << ",agency,lab\n";
  }
  // Interrupted after its first domain; the service resumes it at start.
  const auto run = interruptedRun(dbPath, kDomains, 1);
  const std::string token =
      createToken(MH_CLI_PATH, dbPath, {"--role", "auditor", "--name", "scheduler lab"});
  FlakyRelay relay(sharedLab().port(), kFlaky);
  const std::uint16_t port = freeTcpPort();
  auto args = labScanner(relay.address());
  args.insert(args.end(), {"--port", std::to_string(port), "--domains",
                           (dir.path / "domains.csv").string(), "--db", dbPath});
  {
    ServeProcess first(MH_CLI_PATH, args, dir.path / "first.log");  // re-check delay: 30 minutes
    // Every domain has a result (kFlaky's in error): the run waits for its re-check.
    ASSERT_TRUE(waitForChild(port, token, [](const JsonObject& s) {
      return phase(s) == "waiting_recheck";
    })) << first.log();
    EXPECT_EQ(first.terminate(), 0) << first.log();  // at once, not after 30 minutes
    EXPECT_NE(first.log().find("unfinished run resumed at start run=" + std::to_string(run)),
              std::string::npos)
        << first.log();
  }
  const int beforeRecheck = attemptOf(dbPath, run, kFlaky);
  {
    SqliteStore db(dbPath);
    EXPECT_EQ(db.run(run)->state, RunState::Interrupted);
    EXPECT_EQ(db.domainsDoneInRun(run).size(), kDomains.size());
    EXPECT_TRUE(hasErrorCheck(*db.domainResult(run, kFlaky)));
  }

  relay.setDropping(false);
  args.insert(args.end(), {"--retry-delay", "1 second"});
  ServeProcess second(MH_CLI_PATH, args, dir.path / "second.log");
  ASSERT_TRUE(waitForStore(dbPath, [&](SqliteStore& db) {
    return db.run(run)->state == RunState::Complete;
  })) << second.log();
  EXPECT_EQ(second.terminate(), 0) << second.log();
  SqliteStore db(dbPath);
  ASSERT_EQ(db.runSummaries().size(), 1u);
  auto flaky = db.domainResult(run, kFlaky);
  EXPECT_EQ(flaky->attempt, beforeRecheck + 1) << second.log();
  EXPECT_FALSE(hasErrorCheck(*flaky));
  for (const auto& d : kDomains) {
    if (d == kFlaky) continue;
    EXPECT_EQ(db.domainResult(run, d)->attempt, 1) << d;  // every other domain exactly once
  }
}

#endif  // MH_CLI_PATH

}  // namespace
}  // namespace mh::lab
