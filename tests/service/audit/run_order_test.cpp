// Tests for service/audit/run_order.cpp: domains that errored last run are audited first.
#include "service/audit/run_order.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "checks/core/rubric.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service {
namespace {

std::vector<std::string> names(const std::vector<AuditTask>& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks) out.push_back(t.domain);
  return out;
}

TEST(PutFirst, MovesTheSlowDomainsToTheFrontAndKeepsBothOrders) {
  struct Case {
    std::vector<std::string> list;
    std::set<std::string, std::less<>> slow;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"a", "b", "c", "d", "e"}, {"d", "b"}, {"b", "d", "a", "c", "e"}},
      {{"a", "b", "c"}, {}, {"a", "b", "c"}},
      {{"a", "b", "c"}, {"x"}, {"a", "b", "c"}},  // not in this run's list
      {{"a", "b"}, {"a", "b"}, {"a", "b"}},
      {{}, {"a"}, {}},
  };
  for (const auto& c : cases) {
    std::vector<AuditTask> tasks;
    for (const auto& d : c.list) tasks.push_back({d, {"sel-" + d}});
    putFirst(tasks, c.slow);
    EXPECT_EQ(names(tasks), c.expected);
    for (const auto& t : tasks) EXPECT_EQ(t.dkim_selectors.at(0), "sel-" + t.domain);
  }
}

store::DomainReportRow rowWith(const std::string& domain, Status dmarc) {
  store::DomainReportRow row;
  row.domain = domain;
  CheckResult c;
  c.id = "DMARC-01";
  c.status = dmarc;
  row.checks.push_back(c);
  CheckResult mx;
  mx.id = "MX-01";
  mx.status = Status::Pass;
  row.checks.push_back(mx);
  return row;
}

TEST(DomainsWithErrorsLastRun, ComesFromTheLatestCompleteNationalRunOnly) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("mh_run_order_test_" + std::to_string(::getpid()) + ".db"))
                        .string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    store::SqliteStore db(path);
    const auto first = db.startRun(store::RunKind::National, kRubricVersion, "test", "{}");
    EXPECT_TRUE(domainsWithErrorsLastRun(db, first).empty()) << "no earlier run";
    ASSERT_TRUE(db.recordDomainResult(first, rowWith("dead.gov.vn", Status::Error)));
    ASSERT_TRUE(db.recordDomainResult(first, rowWith("ok.gov.vn", Status::Pass)));
    ASSERT_TRUE(db.recordDomainResult(first, rowWith("bad.gov.vn", Status::Fail)));
    db.finishRun(first, store::RunState::Complete);

    const auto second = db.startRun(store::RunKind::National, kRubricVersion, "test", "{}");
    EXPECT_EQ(domainsWithErrorsLastRun(db, second),
              (std::set<std::string, std::less<>>{"dead.gov.vn"}));
    // The run in progress is never its own baseline.
    ASSERT_TRUE(db.recordDomainResult(second, rowWith("ok.gov.vn", Status::Error)));
    EXPECT_EQ(domainsWithErrorsLastRun(db, second).count("ok.gov.vn"), 0u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace mh::service
