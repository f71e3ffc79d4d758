// Tests for service/audit/run_order.cpp: domains that errored last run are expected slow.
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

TEST(ExpectSlow, MarksTheDomainsThatErredAndClearsTheOthers) {
  std::vector<AuditTask> tasks = {{"a", {"s1"}}, {"b", {}}, {"c", {}, true}, {"d", {}}};
  expectSlow(tasks, {"b", "d", "x"});  // "x" is not in this run's list
  EXPECT_EQ(names(tasks), (std::vector<std::string>{"a", "b", "c", "d"}));  // order kept
  EXPECT_FALSE(tasks[0].expect_slow);
  EXPECT_TRUE(tasks[1].expect_slow);
  EXPECT_FALSE(tasks[2].expect_slow);  // not slow last run: cleared
  EXPECT_TRUE(tasks[3].expect_slow);
  EXPECT_EQ(tasks[0].dkim_selectors, (std::vector<std::string>{"s1"}));
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
