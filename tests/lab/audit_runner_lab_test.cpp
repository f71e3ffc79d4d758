// Lab tests of service/audit/audit_runner.cpp: a pool of workers audits every lab domain once.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "checks/dmarc/public_suffix.hpp"
#include "service/audit/audit_runner.hpp"
#include "tests/lab/knot_lab.hpp"

namespace mh::lab {
namespace {

// What every run here starts from: the lab PSL, DNS only, the lab's knotd, `threads` workers.
struct LabRun {
  explicit LabRun(unsigned threads) {
    base.psl = psl.get();
    options.threads = threads;
    options.resolver = sharedLab().resolverOptions();
  }
  std::unique_ptr<dmarc::PublicSuffixList> psl =
      dmarc::PublicSuffixList::load(std::string(MH_LAB_DIR) + "/public_suffix_list.dat");
  audit::AuditOptions base;
  service::AuditRunOptions options;
};

std::vector<service::AuditTask> labTasks() {
  std::vector<service::AuditTask> tasks;
  for (const auto& zone : zonesIn(zoneDir())) {
    const auto& n = zone.name;
    if (n.size() > 9 && n.ends_with(".lab.test") && !zone.broken && n != "resolver.lab.test" &&
        n != "provider.lab.test" && n.find("notauth") == std::string::npos)
      tasks.push_back({n, {"mail"}});
  }
  return tasks;
}

TEST(AuditRunnerLab, EveryDomainIsAuditedExactlyOnceByThePool) {
  LabRun run(4);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;

  auto tasks = labTasks();
  ASSERT_GE(tasks.size(), 25u);
  std::mutex mutex;
  std::map<std::string, int> seen;
  std::size_t queries = 0;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    ++seen[r.domain];
    queries += r.dns_queries;
    EXPECT_EQ(attempt, 1) << r.domain;  // the lab answers everything: nothing to retry
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, tasks.size());
  EXPECT_EQ(progress.with_errors, 0u);
  ASSERT_EQ(seen.size(), tasks.size());
  for (const auto& [domain, count] : seen) EXPECT_EQ(count, 1) << domain;
  EXPECT_GT(queries, tasks.size() * 20);  // each domain really was audited
}

TEST(AuditRunnerLab, ExpectedSlowDomainsRunOnThreadsOfTheirOwnBesidesThePool) {
  LabRun run(1);  // the pool is one thread: anything else is a thread of the slow ones
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  auto tasks = labTasks();
  ASSERT_GE(tasks.size(), 4u);
  std::set<std::string> slow = {tasks[1].domain, tasks[3].domain};
  tasks[1].expect_slow = tasks[3].expect_slow = true;

  std::mutex mutex;
  std::map<std::string, int> seen;
  std::map<std::string, std::thread::id> threadOf;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    ++seen[r.domain];
    threadOf[r.domain] = std::this_thread::get_id();
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, tasks.size());
  ASSERT_EQ(seen.size(), tasks.size());
  for (const auto& [domain, count] : seen) EXPECT_EQ(count, 1) << domain;
  std::set<std::thread::id> poolThreads, slowThreads;
  for (const auto& [domain, id] : threadOf)
    (slow.count(domain) ? slowThreads : poolThreads).insert(id);
  EXPECT_EQ(poolThreads.size(), 1u);  // every other domain went through the one pool thread
  for (const auto& id : slowThreads) EXPECT_EQ(poolThreads.count(id), 0u);
}

TEST(AuditRunnerLab, DomainsWithErrorsAreRecheckedOnce) {
  BlackHole hole;
  LabRun run(2);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  options.resolver.nameservers = {hole.nameserver()};
  options.resolver.timeout = std::chrono::milliseconds(50);
  options.resolver.retries = 0;
  std::vector<service::AuditTask> tasks = {{"good.lab.test", {}}, {"null-mx.lab.test", {}}};
  std::mutex mutex;
  std::map<std::string, int> attempts;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    attempts[r.domain] = attempt;
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, 2u);
  EXPECT_EQ(progress.with_errors, 2u);
  EXPECT_EQ(attempts["good.lab.test"], 2);
  EXPECT_EQ(attempts["null-mx.lab.test"], 2);
}

// The re-check of a domain looked at early does not wait for the first looks of the others: the
// pool's last first look is held (up to 30 s) until that re-check has been reported.
TEST(AuditRunnerLab, ARecheckRunsAlongsideTheFirstLooksOfOthers) {
  LabRun run(1);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  options.recheck_after = std::chrono::milliseconds(0);
  options.recheck = [](const audit::DomainReport& r) { return r.domain == "dmarc-none.lab.test"; };
  std::vector<service::AuditTask> tasks = {
      {"dmarc-none.lab.test", {}, true}, {"good.lab.test", {}}, {"null-mx.lab.test", {}}};
  std::mutex mutex;
  std::condition_variable rechecked;
  bool recheckSeen = false, lastWaitedInVain = false;
  std::vector<std::pair<std::string, int>> order;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::unique_lock lock(mutex);
    if (r.domain == "null-mx.lab.test" &&
        !rechecked.wait_for(lock, std::chrono::seconds(30), [&] { return recheckSeen; }))
      lastWaitedInVain = true;
    order.emplace_back(r.domain, attempt);
    if (r.domain == "dmarc-none.lab.test" && attempt == 2) {
      recheckSeen = true;
      rechecked.notify_all();
    }
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, 3u);
  EXPECT_EQ(progress.rechecked, 1u);
  EXPECT_FALSE(lastWaitedInVain);
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order.back(), (std::pair<std::string, int>{"null-mx.lab.test", 1}));
}

// Until recheck_after has passed, a re-check waits, unless every first look is done.
TEST(AuditRunnerLab, ARecheckDueLaterStartsOnceTheFirstLooksAreDone) {
  LabRun run(1);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  options.recheck_after = std::chrono::hours(1);
  options.recheck = [](const audit::DomainReport& r) { return r.domain == "dmarc-none.lab.test"; };
  std::vector<service::AuditTask> tasks = {
      {"dmarc-none.lab.test", {}, true}, {"good.lab.test", {}}, {"null-mx.lab.test", {}}};
  std::mutex mutex;
  std::vector<std::pair<std::string, int>> order;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    order.emplace_back(r.domain, attempt);
  };
  auto progress = service::runAudit(tasks, base, options, sink);  // not an hour
  EXPECT_EQ(progress.done, 3u);
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order.back(), (std::pair<std::string, int>{"dmarc-none.lab.test", 2}));
}

// The look-ahead asks every domain's MX ahead of the one pool thread and, on silence, looks at
// the domain itself at once: first looks come from two threads, each domain's exactly once.
TEST(AuditRunnerLab, TheLookAheadTakesTheDomainsThatNeverAnswerOffThePool) {
  BlackHole hole;
  LabRun run(1);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  options.resolver.nameservers = {hole.nameserver()};
  options.resolver.timeout = std::chrono::milliseconds(100);
  options.resolver.retries = 0;
  options.recheck_after = std::chrono::milliseconds(0);
  std::vector<service::AuditTask> tasks;
  for (int i = 0; i < 40; ++i)  // more than 32 per thread: a national run, with a look-ahead
    tasks.push_back({"silent-" + std::to_string(i) + ".lab.test", {}});
  std::mutex mutex;
  std::map<std::string, std::vector<int>> attempts;
  std::set<std::thread::id> firstLookThreads;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    attempts[r.domain].push_back(attempt);
    if (attempt == 1) firstLookThreads.insert(std::this_thread::get_id());
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, 40u);
  EXPECT_EQ(progress.with_errors, 40u);
  ASSERT_EQ(attempts.size(), 40u);
  for (const auto& [domain, seen] : attempts) EXPECT_EQ(seen, (std::vector<int>{1, 2})) << domain;
  EXPECT_EQ(firstLookThreads.size(), 2u);  // the pool's one thread and the look-ahead
}

// A resumed run: a domain whose first look is stored gets its re-check only.
TEST(AuditRunnerLab, ADomainWhoseFirstLookIsDoneGetsOnlyItsRecheck) {
  LabRun run(2);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  std::vector<service::AuditTask> tasks = {{.domain = "good.lab.test", .first_look_done = true},
                                           {"null-mx.lab.test", {}}};
  std::mutex mutex;
  std::map<std::string, std::vector<int>> reported;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    reported[r.domain].push_back(attempt);
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, 2u);
  EXPECT_EQ(progress.rechecked, 1u);
  EXPECT_EQ(reported["good.lab.test"], std::vector<int>{2});
  EXPECT_EQ(reported["null-mx.lab.test"], std::vector<int>{1});
}

TEST(AuditRunnerLab, DomainsTheRecheckSelectsAreAuditedAgain) {
  LabRun run(2);
  ASSERT_TRUE(run.psl);
  const audit::AuditOptions& base = run.base;
  service::AuditRunOptions& options = run.options;
  std::mutex mutex;
  std::map<std::string, int> asked;  // how often the re-check predicate saw each domain
  options.recheck = [&](const audit::DomainReport& r) {
    std::lock_guard lock(mutex);
    ++asked[r.domain];
    return r.domain == "dmarc-none.lab.test";
  };
  std::vector<service::AuditTask> tasks = {
      {"good.lab.test", {}}, {"dmarc-none.lab.test", {}}, {"null-mx.lab.test", {}}};
  std::map<std::string, std::vector<int>> reported;
  service::AuditSink sink;
  sink.onReport = [&](const audit::DomainReport& r, int attempt) {
    std::lock_guard lock(mutex);
    reported[r.domain].push_back(attempt);
  };
  auto progress = service::runAudit(tasks, base, options, sink);
  EXPECT_EQ(progress.done, 3u);
  EXPECT_EQ(progress.rechecked, 1u);
  EXPECT_EQ(reported["dmarc-none.lab.test"], (std::vector<int>{1, 2}));
  EXPECT_EQ(reported["good.lab.test"], std::vector<int>{1});
  EXPECT_EQ(reported["null-mx.lab.test"], std::vector<int>{1});
  // The predicate judges first looks only: a re-check cannot trigger another re-check.
  for (const auto& [domain, count] : asked) EXPECT_EQ(count, 1) << domain;
}

}  // namespace
}  // namespace mh::lab
