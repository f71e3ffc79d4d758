// Lab tests of `mailhygiene serve`: self-checks of lab domains (fresh, then from the store, then
// rate-limited) and a national run started over HTTP, against the knotd lab.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "service/http/admin_tokens.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::lab {
namespace {

using service::http::ServeConfig;
using service::http::testing::TestServer;

constexpr const char* kToken = "lab-admin-token-of-at-least-32-characters";
const std::vector<std::string> kDomains = {"good.lab.test", "dmarc-none.lab.test,lab-b",
                                           "spf-plus-all.lab.test,lab-b", "null-mx.lab.test"};

std::vector<std::string> labScanner() {
  // No DNSSEC: the lab root is not signed, so validation from the real root anchor would leave
  // every domain in `error` and a national run waiting for its delayed re-check.
  return {"--resolver", "127.0.0.1:" + std::to_string(sharedLab().port()),
          "--no-smtp",  "--no-dnssec",
          "--psl",      std::string(MH_LAB_DIR) + "/public_suffix_list.dat"};
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

TEST(ServeLab, SelfCheckAuditsThenServesFromTheStore) {
  TestServer server(kDomains, labScanner());
  auto started = server.post("/api/v1/self-check", R"({"domain": "GOOD.lab.test."})");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.header("Location").rfind("/api/v1/self-check/", 0), 0u);
  auto first = server.pollJob(started.header("Location"));
  ASSERT_EQ(first.status, 200) << first.body;
  auto job = parse(first.body);
  EXPECT_EQ(job->getValue<std::string>("state"), "done");
  auto result = job->getObject("result");
  EXPECT_EQ(result->getValue<std::string>("domain"), "good.lab.test");
  EXPECT_FALSE(result->getValue<bool>("cached"));
  EXPECT_FALSE(result->getValue<bool>("network_checked"));
  EXPECT_EQ(result->getObject("run")->getValue<std::string>("kind"), "self_check");
  auto checks = result->getArray("checks");
  ASSERT_GT(checks->size(), 5u);
  bool withFindings = false, withRemediation = false;
  for (std::size_t i = 0; i < checks->size(); ++i) {
    auto c = checks->getObject(static_cast<unsigned>(i));
    withFindings = withFindings || c->getArray("findings")->size() > 0;
    withRemediation = withRemediation || c->has("remediation");
  }
  EXPECT_TRUE(withFindings);
  EXPECT_TRUE(withRemediation);
  EXPECT_EQ(result->getObject("scoring")->getValue<std::string>("grade"), "A");

  auto second = server.post("/api/v1/self-check", R"({"domain": "good.lab.test"})");
  ASSERT_EQ(second.status, 200) << second.body;
  auto cached = parse(second.body);
  EXPECT_TRUE(cached->getValue<bool>("cached"));
  EXPECT_EQ(cached->getArray("checks")->size(), checks->size());
  EXPECT_EQ(cached->getObject("scoring")->getValue<double>("score"),
            result->getObject("scoring")->getValue<double>("score"));

  auto detail = server.get("/api/v1/domains/good.lab.test");
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(parse(detail.body)->getArray("checks")->size(), checks->size());
  auto history = parse(server.get("/api/v1/domains/good.lab.test/history").body);
  ASSERT_EQ(history->getArray("history")->size(), 1u);
  auto list = parse(server.get("/api/v1/domains").body);
  auto good = list->getArray("domains")->getObject(0);  // sorted as the registry
  EXPECT_EQ(good->getValue<std::string>("grade"), "A");
  EXPECT_TRUE(list->getArray("domains")->getObject(1)->isNull("score"));

  auto metrics = server.get("/metrics").body;
  EXPECT_NE(metrics.find("mailhygiene_domains_audited_total{kind=\"self_check\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mailhygiene_self_checks_total{outcome=\"cached\"} 1"), std::string::npos);
  EXPECT_EQ(metrics.find("mailhygiene_dns_queries_total 0\n"), std::string::npos);
}

TEST(ServeLab, AnAnonymousSelfCheckIsNeverStoredAndShowsNoEvidence) {
  TestServer server(kDomains, labScanner());
  const std::vector<std::pair<std::string, std::string>> anonymous = {{"Authorization", ""}};
  auto started = server.post("/api/v1/self-check", R"({"domain": "good.lab.test"})", anonymous);
  ASSERT_EQ(started.status, 202) << started.body;
  service::http::testing::HttpResult polled;
  for (int i = 0; i < 2400; ++i) {  // at most 120 s
    polled = server.anonymousGet(started.header("Location"));
    if (polled.body.find("\"state\":\"running\"") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(polled.status, 200) << polled.body;
  auto result = parse(polled.body)->getObject("result");
  ASSERT_TRUE(result) << polled.body;
  EXPECT_FALSE(result->getValue<bool>("stored"));
  EXPECT_TRUE(result->getObject("run")->isNull("id"));
  auto checks = result->getArray("checks");
  ASSERT_GT(checks->size(), 5u);
  for (std::size_t i = 0; i < checks->size(); ++i) {
    auto c = checks->getObject(static_cast<unsigned>(i));
    EXPECT_FALSE(c->has("evidence")) << c->getValue<std::string>("id");
    EXPECT_TRUE(c->has("findings"));
    EXPECT_TRUE(c->has("remediation"));
  }
  // The same job polled by an admin shows the evidence.
  auto asAdmin = parse(server.get(started.header("Location")).body)->getObject("result");
  EXPECT_TRUE(asAdmin->getArray("checks")->getObject(0)->has("evidence"));

  // Not the domain's latest result: nothing stored, no run.
  EXPECT_EQ(server.get("/api/v1/domains/good.lab.test").status, 404);
  EXPECT_EQ(parse(server.get("/api/v1/runs").body)->getArray("runs")->size(), 0u);
  EXPECT_TRUE(parse(server.get("/api/v1/domains").body)
                  ->getArray("domains")
                  ->getObject(0)
                  ->isNull("score"));
  // The newest anonymous result is served again from memory (no second audit).
  auto again = server.post("/api/v1/self-check", R"({"domain": "good.lab.test"})", anonymous);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(parse(again.body)->getValue<bool>("cached"));
  EXPECT_EQ(again.body.find("\"evidence\""), std::string::npos);
  // A signed-in self-check is stored as before.
  ASSERT_EQ(server.selfCheck(R"({"domain": "good.lab.test"})").status, 200);
  EXPECT_EQ(server.get("/api/v1/domains/good.lab.test").status, 200);
}

TEST(ServeLab, FreshAuditsAreRateLimitedPerDomain) {
  TestServer server(kDomains, labScanner(), [](ServeConfig& c) {
    c.self_check.max_age_seconds = 0;  // never from the store
    c.self_check.rate_per_domain_per_minute = 1;
  });
  ASSERT_EQ(server.selfCheck(R"({"domain": "null-mx.lab.test"})").status, 200);
  auto limited = server.post("/api/v1/self-check", R"({"domain": "null-mx.lab.test"})");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_GE(std::stoi(limited.header("Retry-After")), 1);
  auto other = server.selfCheck(R"({"domain": "dmarc-none.lab.test"})");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(parse(other.body)->getValue<std::string>("state"), "done");
}

TEST(ServeLab, ANationalRunStartedOverHttpCompletes) {
  TestServer server(kDomains, labScanner(), [](ServeConfig& c) {
    c.admin_token_sha256 = {service::http::sha256Hex(kToken)};
  });
  EXPECT_EQ(server.post("/api/v1/runs", "", {{"Authorization", ""}}).status, 401);
  EXPECT_EQ(server.post("/api/v1/runs", "", {{"Authorization", "Bearer nope"}}).status, 401);
  auto started =
      server.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(started.status, 202) << started.body;
  const auto id = parse(started.body)->getValue<std::int64_t>("run_id");

  std::string state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
  Poco::JSON::Object::Ptr run;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = server.get("/api/v1/runs/" + std::to_string(id));
    ASSERT_EQ(r.status, 200) << r.body;
    run = parse(r.body);
    state = run->getValue<std::string>("state");
    if (state != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(state, "complete");
  EXPECT_EQ(run->getValue<int>("domains"), static_cast<int>(kDomains.size()));
  EXPECT_FALSE(run->has("progress"));

  auto runs = parse(server.get("/api/v1/runs").body)->getArray("runs");
  ASSERT_EQ(runs->size(), 1u);
  auto group = parse(server.get("/api/v1/domains?group=lab-b").body);
  ASSERT_EQ(group->getValue<int>("count"), 2);
  for (unsigned i = 0; i < 2; ++i) {
    auto d = group->getArray("domains")->getObject(i);
    EXPECT_FALSE(d->isNull("score"));
    EXPECT_EQ(d->getObject("run")->getValue<std::int64_t>("id"), id);
  }
  auto metrics = server.get("/metrics").body;
  EXPECT_NE(metrics.find("mailhygiene_domains_audited_total{kind=\"national\"} 4"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mailhygiene_runs_started_total 1"), std::string::npos);
}

}  // namespace
}  // namespace mh::lab
