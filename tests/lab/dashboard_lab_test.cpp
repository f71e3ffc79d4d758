// Lab tests of the dashboard's JSON (/api/v1/trend, /api/v1/domains/{d}/changes) over two
// national runs of the knotd lab, the second with good.lab.test's DMARC weakened to p=none.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/lab/dashboard_lab_data.hpp"

namespace mh::lab {
namespace {

using service::http::testing::TestServer;

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

class DashboardLab : public ::testing::Test {
 protected:
  // The runs are made once per process; a failure fails every test (never a silent skip).
  static void SetUpTestSuite() {
    try {
      data_ = new DashboardLabData();
    } catch (const std::exception& e) {
      setup_error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(data_, nullptr) << "lab runs failed: " << (setup_error_ ? *setup_error_ : "");
  }

  // A server over the two runs' database.
  TestServer server() {
    return TestServer(kDashboardDomains, dashboardScanner(sharedLab().port()),
                      [](service::http::ServeConfig& c) { c.db = data_->db(); });
  }

  static DashboardLabData* data_;
  static std::string* setup_error_;
};
DashboardLabData* DashboardLab::data_ = nullptr;
std::string* DashboardLab::setup_error_ = nullptr;

std::int64_t metricCount(const Poco::JSON::Object::Ptr& run, const std::string& name,
                         const char* member) {
  return run->getObject("mail")->getObject("metrics")->getObject(name)->getValue<std::int64_t>(
      member);
}

TEST_F(DashboardLab, TrendGivesTheNationalMetricsOfEveryCompleteRun) {
  auto s = server();
  auto r = s.get("/api/v1/trend");
  ASSERT_EQ(r.status, 200) << r.body;
  auto trend = parse(r.body);
  EXPECT_EQ(trend->getValue<std::string>("population"), "mail");
  auto metrics = trend->getArray("metrics");
  ASSERT_GT(metrics->size(), 10u);
  EXPECT_EQ(metrics->getObject(0)->getValue<std::string>("name"), "valid_spf");

  auto runs = trend->getArray("runs");
  ASSERT_EQ(runs->size(), 2u) << r.body;
  auto first = runs->getObject(0), second = runs->getObject(1);
  EXPECT_LT(first->getValue<std::int64_t>("id"), second->getValue<std::int64_t>("id"));
  for (const auto& run : {first, second}) {
    auto all = run->getObject("all");
    EXPECT_EQ(all->getValue<int>("domains"), static_cast<int>(kDashboardDomains.size()));
    int tiers = 0;
    auto tierCounts = all->getObject("tiers");
    for (const auto& name : tierCounts->getNames()) tiers += tierCounts->getValue<int>(name);
    EXPECT_EQ(tiers, static_cast<int>(kDashboardDomains.size()));
    EXPECT_FALSE(all->isNull("mean_score"));
    // null-mx.lab.test receives and sends no mail: it is not in the mail population.
    EXPECT_EQ(run->getObject("mail")->getValue<int>("domains"),
              static_cast<int>(kDashboardDomains.size()) - 1);
    for (std::size_t i = 0; i < metrics->size(); ++i) {
      const auto name = metrics->getObject(static_cast<unsigned>(i))->getValue<std::string>("name");
      EXPECT_LE(metricCount(run, name, "count"), metricCount(run, name, "of")) << name;
    }
  }
  // good.lab.test went from p=reject to p=none.
  EXPECT_EQ(metricCount(second, "dmarc_reject", "count"),
            metricCount(first, "dmarc_reject", "count") - 1);
  EXPECT_EQ(metricCount(second, "dmarc_reject", "of"), metricCount(first, "dmarc_reject", "of"));
  EXPECT_LT(second->getObject("all")->getValue<double>("mean_score"),
            first->getObject("all")->getValue<double>("mean_score"));

  // The same answer from the cache of complete runs.
  EXPECT_EQ(s.get("/api/v1/trend").body, r.body);
}

TEST_F(DashboardLab, ChangesShowTheRegressionAndTheRecordThatExplainsIt) {
  auto s = server();
  auto r = s.get("/api/v1/domains/good.lab.test/changes");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body);
  EXPECT_EQ(body->getValue<std::string>("domain"), "good.lab.test");
  auto audits = body->getArray("audits");
  ASSERT_EQ(audits->size(), 2u) << r.body;
  auto latest = audits->getObject(0), oldest = audits->getObject(1);  // newest first
  EXPECT_TRUE(oldest->isNull("previous_run"));
  EXPECT_EQ(oldest->getArray("status_changes")->size(), 0u);
  EXPECT_EQ(latest->getValue<std::int64_t>("previous_run"),
            oldest->getObject("run")->getValue<std::int64_t>("id"));
  EXPECT_LT(latest->getValue<double>("score"), latest->getValue<double>("previous_score"));

  bool dmarcRegressed = false;
  auto statusChanges = latest->getArray("status_changes");
  for (std::size_t i = 0; i < statusChanges->size(); ++i) {
    auto c = statusChanges->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("check") != "DMARC-02") continue;
    EXPECT_EQ(c->getValue<std::string>("before"), "pass");
    EXPECT_EQ(c->getValue<std::string>("after"), "fail");
    dmarcRegressed = c->getValue<bool>("regression");
  }
  EXPECT_TRUE(dmarcRegressed) << r.body;

  auto records = latest->getArray("record_changes");
  ASSERT_GE(records->size(), 1u) << r.body;
  auto record = records->getObject(0);
  EXPECT_EQ(record->getValue<std::string>("name"), "_dmarc.good.lab.test");
  EXPECT_EQ(record->getValue<std::string>("type"), "TXT");
  EXPECT_NE(record->getArray("before")->getElement<std::string>(0).find("p=reject"),
            std::string::npos);
  EXPECT_NE(record->getArray("after")->getElement<std::string>(0).find("p=none"),
            std::string::npos);

  auto regressions = latest->getArray("regressions");
  ASSERT_GE(regressions->size(), 1u) << r.body;
  auto regression = regressions->getObject(0);
  EXPECT_EQ(regression->getValue<std::string>("check"), "DMARC-02");
  // Confirmed or not depends on a re-check; either way it says by what.
  EXPECT_EQ(regression->getValue<bool>("confirmed"),
            !regression->getValue<std::string>("confirmed_by").empty());
  EXPECT_GE(regression->getArray("record_changes")->size(), 1u);

  // A domain whose zone did not change: two audits, no status or record change.
  auto parked = parse(s.get("/api/v1/domains/null-mx.lab.test/changes").body);
  auto parkedLatest = parked->getArray("audits")->getObject(0);
  EXPECT_EQ(parkedLatest->getArray("status_changes")->size(), 0u);
  EXPECT_EQ(parkedLatest->getArray("record_changes")->size(), 0u);
  EXPECT_EQ(parkedLatest->getArray("regressions")->size(), 0u);
}

}  // namespace
}  // namespace mh::lab
