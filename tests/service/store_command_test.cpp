// Tests for service/cli/store_command.cpp: `mailhygiene store compact` prunes and reports.
#include "service/cli/store_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "service/store/sqlite_store.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::service {
namespace {

using http::testing::TempDir;

store::DomainReportRow rowSeeing(const std::string& spf) {
  store::DomainReportRow row;
  row.domain = "a.gov.vn";
  CheckResult c;
  c.id = "SPF-01";
  c.status = Status::Pass;
  c.evidence = Json::object({{"records", Json(Json::Array{Json(spf)})}});
  row.checks.push_back(c);
  return row;
}

TEST(StoreCommand, CompactPrunesEvidenceUnusedForTheGivenDays) {
  TempDir dir;
  const std::string db = (dir.path / "m.db").string();
  {
    store::SqliteStoreOptions options;
    options.clock = [] { return std::string("2020-01-01T00:00:00.000Z"); };
    store::SqliteStore store(db, options);
    const auto run = store.startRun(store::RunKind::National, "r", "v", "{}");
    ASSERT_TRUE(store.recordDomainResult(run, rowSeeing("v=spf1 -all")));
    ASSERT_TRUE(store.recordDomainResult(run, rowSeeing("v=spf1 ~all")));
  }
  std::ostringstream out, err;
  EXPECT_EQ(runStoreCommand({"compact", "--db", db, "--keep-evidence-days", "0"}, out, err), 0);
  EXPECT_NE(out.str().find("evidence kept"), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(runStoreCommand({"compact", "--db", db, "--vacuum"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("evidence pruned: 2 rows"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("database rewritten"), std::string::npos) << out.str();
  store::SqliteStore store(db);
  const auto run = store.latestRun(store::RunKind::National);
  EXPECT_FALSE(run);  // the run was never completed; its results are still there
  EXPECT_EQ(store.domainHistory("a.gov.vn", 10).at(0).statuses.at(0).second, Status::Pass);
}

TEST(StoreCommand, UsageErrorsExitTwo) {
  TempDir dir;
  std::ostringstream out, err;
  EXPECT_EQ(runStoreCommand({}, out, err), 2);
  EXPECT_EQ(runStoreCommand({"shrink"}, out, err), 2);
  EXPECT_EQ(runStoreCommand({"compact", "--db", (dir.path / "none.db").string()}, out, err), 2);
  EXPECT_EQ(runStoreCommand({"compact", "--db", "x", "--keep-evidence-days", "-3"}, out, err), 2);
  EXPECT_NE(err.str().find("--keep-evidence-days"), std::string::npos);
  EXPECT_EQ(runStoreCommand({"--help"}, out, err), 0);
  EXPECT_NE(out.str().find("store compact"), std::string::npos);
}

}  // namespace
}  // namespace mh::service
