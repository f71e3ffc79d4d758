// Tests of the HTTP service without DNS: routing, hardening, errors, tokens, limits, metrics,
// OpenAPI, configuration (the lab tests in tests/lab/serve_lab_test.cpp audit real domains).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "service/http/admin_tokens.hpp"
#include "service/http/client_address.hpp"
#include "service/http/rate_limiter.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/manual_clock.hpp"

namespace mh::service::http {
namespace {

using testing::call;
using testing::HttpResult;
using testing::TempDir;
using testing::TestServer;

constexpr const char* kToken = "s3cret-admin-token-of-at-least-32-characters";

// A UDP port that never answers: every DNS query times out.
class SilentDns {
 public:
  SilentDns() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentDns() { close(fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

std::vector<std::string> scannerArgs(const SilentDns& dns) {
  return {"--resolver", dns.address(), "--no-smtp", "--timeout", "0.2",
          "--retries",  "0",           "--psl",     MH_PSL_FILE};
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string errorCode(const HttpResult& r) {
  auto o = parse(r.body);
  return o->getObject("error")->getValue<std::string>("code");
}

std::string selfCheckBody(const std::string& domain) {
  Poco::JSON::Object o;
  o.set("domain", domain);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

class HttpServerTest : public ::testing::Test {
 protected:
  SilentDns dns_;
  TestServer server_{{"agency.gov.vn,ministries", "other.gov.vn,provinces"},
                     scannerArgs(dns_),
                     [](ServeConfig& c) {
                       c.admin_token_sha256 = {sha256Hex(kToken)};
                       c.self_check.rate_per_client_per_minute = 1000;
                     }};
};

TEST_F(HttpServerTest, HealthzAnswersWithSecurityHeaders) {
  auto r = server_.get("/healthz");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body)->getValue<std::string>("status"), "ok");
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_NE(r.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(r.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST_F(HttpServerTest, ErrorsAreJsonWithSecurityHeaders) {
  auto r = server_.get("/no/such/thing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(errorCode(r), "not_found");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(server_.get("/api/v1/domains/").status, 404);
}

TEST_F(HttpServerTest, OpenApiDocumentParsesAndListsEveryRoute) {
  auto r = server_.get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = parse(r.body);
  EXPECT_EQ(doc->getValue<std::string>("openapi").substr(0, 2), "3.");
  auto paths = doc->getObject("paths");
  for (const char* p :
       {"/healthz", "/metrics", "/api/v1/domains", "/api/v1/domains/{domain}",
        "/api/v1/domains/{domain}/history", "/api/v1/self-check", "/api/v1/self-check/{id}",
        "/api/v1/runs", "/api/v1/runs/{id}", "/api/v1/openapi.json", "/api/v1/schedule"})
    EXPECT_TRUE(paths->has(p)) << p;
}

TEST_F(HttpServerTest, DomainsListsTheRegistryWithAGroupFilter) {
  auto r = server_.get("/api/v1/domains");
  ASSERT_EQ(r.status, 200);
  auto all = parse(r.body);
  EXPECT_EQ(all->getValue<int>("count"), 2);
  auto first = all->getArray("domains")->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("domain"), "agency.gov.vn");
  EXPECT_TRUE(first->isNull("score"));
  auto filtered = parse(server_.get("/api/v1/domains?group=Provinces").body);
  ASSERT_EQ(filtered->getValue<int>("count"), 1);
  EXPECT_EQ(filtered->getArray("domains")->getObject(0)->getValue<std::string>("domain"),
            "other.gov.vn");
}

TEST_F(HttpServerTest, UnknownAndUnauditedDomainsAre404) {
  auto unknown = server_.get("/api/v1/domains/unknown.example.org");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(errorCode(unknown), "unknown_domain");
  EXPECT_EQ(server_.get("/api/v1/domains/unknown.example.org/history").status, 404);
  auto never = server_.get("/api/v1/domains/agency.gov.vn");
  EXPECT_EQ(never.status, 404);
  EXPECT_EQ(errorCode(never), "not_audited");
  auto history = server_.get("/api/v1/domains/AGENCY.gov.vn/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(parse(history.body)->getArray("history")->size(), 0u);

  auto self = server_.post("/api/v1/self-check", selfCheckBody("www.example.com"));
  EXPECT_EQ(self.status, 404);
  EXPECT_EQ(errorCode(self), "unknown_domain");
  EXPECT_NE(self.body.find("not in the registry"), std::string::npos);
}

TEST_F(HttpServerTest, InvalidNamesAre400BeforeAnyLookup) {
  const std::string longName = std::string(300, 'a') + ".vn";
  for (const std::string& name : {std::string("../etc"), longName, std::string("a..b"),
                                  std::string("bad\x01name.gov.vn"), std::string("")}) {
    auto r = server_.post("/api/v1/self-check", selfCheckBody(name));
    EXPECT_EQ(r.status, 400) << name << " " << r.body;
    EXPECT_EQ(errorCode(r), "invalid_domain");
  }
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/domains/..%2Fetc", "/api/v1/domains/a..b", "/api/v1/domains/bad%01name.gov.vn",
           "/api/v1/domains/" + longName, "/api/v1/domains/../etc", "/api/v1/domains/%2e%2e",
           "/api/v1/domains/a..b/history", "/api/v1/domains/%zz"})
    EXPECT_EQ(server_.get(path).status, 400) << path;
}

TEST_F(HttpServerTest, MalformedSelfCheckRequests) {
  EXPECT_EQ(server_.post("/api/v1/self-check", "{not json").status, 400);
  EXPECT_EQ(server_.post("/api/v1/self-check", "[\"agency.gov.vn\"]").status, 400);
  EXPECT_EQ(server_.post("/api/v1/self-check", "{\"domain\": 42}").status, 400);
  auto form = call(server_.port(), "POST", "/api/v1/self-check", "domain=agency.gov.vn", {},
                   "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 415);
  auto big = server_.post("/api/v1/self-check", "{\"domain\": \"agency.gov.vn\", \"x\": \"" +
                                                    std::string(5000, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(errorCode(big), "body_too_large");
}

TEST_F(HttpServerTest, WrongMethodsAre405WithAllow) {
  auto r = call(server_.port(), "DELETE", "/api/v1/domains");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD");
  EXPECT_EQ(call(server_.port(), "GET", "/api/v1/self-check").status, 405);
  EXPECT_EQ(call(server_.port(), "PUT", "/api/v1/runs").header("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(call(server_.port(), "POST", "/healthz").status, 405);
}

TEST_F(HttpServerTest, RunsNeedTheAdminToken) {
  auto none = server_.post("/api/v1/runs", "", {{"Authorization", ""}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(parse(none.body)->getValue<std::string>("code"), "unauthenticated");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(server_.post("/api/v1/runs", "", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(
      server_.post("/api/v1/runs", "", {{"Authorization", std::string("Basic ") + kToken}}).status,
      401);
  EXPECT_EQ(parse(server_.get("/api/v1/runs").body)->getArray("runs")->size(), 0u);
  EXPECT_EQ(server_.get("/api/v1/runs/abc").status, 400);
  EXPECT_EQ(server_.get("/api/v1/runs/999").status, 404);
}

TEST_F(HttpServerTest, ARunStartsOnceAndShowsProgress) {
  // The resolver never answers, so the run lasts long enough to see it in progress.
  auto started =
      server_.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(started.status, 202) << started.body;
  const auto id = parse(started.body)->getValue<std::int64_t>("run_id");
  EXPECT_EQ(started.header("Location"), "/api/v1/runs/" + std::to_string(id));
  auto again =
      server_.post("/api/v1/runs", "", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_EQ(again.status, 409);
  auto run = parse(server_.get("/api/v1/runs/" + std::to_string(id)).body);
  EXPECT_EQ(run->getValue<std::string>("state"), "running");
  EXPECT_EQ(run->getObject("progress")->getValue<int>("total"), 2);
  EXPECT_NE(server_.get("/metrics").body.find("mailhygiene_run_in_progress 1"), std::string::npos);
  server_.server().stop();  // interrupts the run: it stays resumable
}

TEST_F(HttpServerTest, MetricsCountRequestsByStatus) {
  server_.get("/healthz");
  server_.get("/nope");
  auto r = server_.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("mailhygiene_http_requests_total{status=\"200\"} 1"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("mailhygiene_http_requests_total{status=\"404\"} 1"), std::string::npos);
  for (const char* name : {"mailhygiene_runs_started_total", "mailhygiene_dns_queries_total",
                           "mailhygiene_smtp_connections_total",
                           "mailhygiene_domain_audit_duration_seconds_bucket{le=\"+Inf\"}"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
}

TEST(HttpServerLimits, SelfCheckIsRateLimitedPerClient) {
  SilentDns dns;
  TestServer server({"agency.gov.vn"}, scannerArgs(dns),
                    [](ServeConfig& c) { c.self_check.rate_per_client_per_minute = 2; });
  EXPECT_EQ(server.post("/api/v1/self-check", selfCheckBody("x.example")).status, 404);
  EXPECT_EQ(server.post("/api/v1/self-check", selfCheckBody("../etc")).status, 400);
  auto limited = server.post("/api/v1/self-check", selfCheckBody("agency.gov.vn"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(errorCode(limited), "rate_limited");
  EXPECT_GE(std::stoi(limited.header("Retry-After")), 1);
}

TEST(RateLimiter, BucketRefillsOverTime) {
  RateLimiter limiter(2);
  const auto t0 = RateLimiter::Clock::now();
  EXPECT_EQ(limiter.take("a", t0), 0);
  EXPECT_EQ(limiter.take("a", t0), 0);
  EXPECT_EQ(limiter.take("a", t0), 30);  // 2 a minute: one token every 30 s
  EXPECT_EQ(limiter.take("b", t0), 0);   // buckets are per key
  EXPECT_EQ(limiter.take("a", t0 + std::chrono::seconds(20)), 10);
  EXPECT_EQ(limiter.take("a", t0 + std::chrono::seconds(30)), 0);
  EXPECT_EQ(RateLimiter(0).take("a", t0), 0);  // disabled
}

TEST(RateLimiter, AFloodOfNewKeysNeitherGrowsMemoryNorFreesTheLimitedClients) {
  RateLimiter limiter(2, 100);
  const auto t0 = RateLimiter::Clock::now();
  ASSERT_EQ(limiter.take("192.0.2.1", t0), 0);
  ASSERT_EQ(limiter.take("192.0.2.1", t0), 0);
  ASSERT_GT(limiter.take("192.0.2.1", t0), 0);  // the abusive client is limited
  int refused = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    refused += limiter.take(address, addressNetwork(address), t0) > 0;
  }
  EXPECT_LE(limiter.size(), 100u);
  EXPECT_GT(refused, 9000);                     // the flood shares /24 and overflow buckets
  EXPECT_GT(limiter.take("192.0.2.1", t0), 0);  // still limited: its bucket was not flushed
  // Once refilled, full buckets are forgotten first and new clients get their own again.
  EXPECT_EQ(limiter.take("198.51.100.7", t0 + std::chrono::minutes(2)), 0);
  EXPECT_EQ(limiter.wait("198.51.100.7", "", t0 + std::chrono::minutes(2)), 0);
}

TEST(AdminTokens, HashesAndComparesTokens) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string one(32, '1'), two(40, '2');
  AdminTokens tokens({sha256Hex(one), sha256Hex(two), sha256Hex("short")});
  EXPECT_TRUE(tokens.allows("Bearer " + one));
  EXPECT_TRUE(tokens.allows("Bearer " + two));
  EXPECT_FALSE(tokens.allows("Bearer " + std::string(32, '3')));
  EXPECT_FALSE(tokens.allows("Bearer short"));  // below kMinAdminTokenLength: never accepted
  EXPECT_FALSE(tokens.allows("Bearer "));
  EXPECT_FALSE(tokens.allows(one));
  EXPECT_FALSE(AdminTokens({}).allows("Bearer " + one));
}

TEST(AdminAttempts, FailedTokensAreThrottledPerClient) {
  AdminAttempts attempts(3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attempts.wait("192.0.2.1"), 0);
    attempts.failed("192.0.2.1");
  }
  EXPECT_GT(attempts.wait("192.0.2.1"), 0);
  EXPECT_EQ(attempts.wait("192.0.2.2"), 0);  // another client is not affected
}

TEST(ServeConfig, DefaultsFileThenCommandLine) {
  auto defaults = std::get<ServeConfig>(parseServeArguments({}));
  EXPECT_EQ(defaults.bind, "127.0.0.1");
  EXPECT_EQ(defaults.port, 8080);
  EXPECT_EQ(defaults.max_body_bytes, 4096u);

  TempDir dir;
  const auto ini = dir.path / "mh.ini";
  std::ofstream(ini) << "[serve]\nport = 9090\ndb = /tmp/x.db\n[selfcheck]\nmax_age_seconds = 60\n"
                        "rate_per_domain_per_minute = 5\n[admin]\ntoken_sha256 = "
                     << sha256Hex("t")
                     << "\n[scanner]\nno_smtp = true\nresolver = 192.0.2.1, "
                        "192.0.2.2:5353\ntimeout = 1.5\n";
  auto c = std::get<ServeConfig>(
      parseServeArguments({"--config", ini.string(), "--port", "9191", "--resolver", "192.0.2.9"}));
  EXPECT_EQ(c.port, 9191);
  EXPECT_EQ(c.db, "/tmp/x.db");
  EXPECT_EQ(c.self_check.max_age_seconds, 60);
  EXPECT_EQ(c.self_check.rate_per_domain_per_minute, 5);
  EXPECT_EQ(c.admin_token_sha256, std::vector<std::string>{sha256Hex("t")});
  EXPECT_TRUE(c.scanner.no_smtp);
  EXPECT_DOUBLE_EQ(c.scanner.timeout_seconds, 1.5);
  ASSERT_EQ(c.scanner.resolvers.size(), 1u);  // the command line replaces the file's list

  auto fromFile = std::get<ServeConfig>(parseServeArguments({"--config", ini.string()}));
  EXPECT_EQ(fromFile.port, 9090);
  EXPECT_EQ(fromFile.scanner.resolvers.size(), 2u);

  std::ofstream(dir.path / "bad.ini") << "[admin]\ntoken_sha256 = plaintext\n";
  EXPECT_TRUE(std::holds_alternative<ServeUsage>(
      parseServeArguments({"--config", (dir.path / "bad.ini").string()})));
  std::ofstream(dir.path / "bad2.ini") << "[scanner]\nbogus = 1\n";
  EXPECT_TRUE(std::holds_alternative<ServeUsage>(
      parseServeArguments({"--config", (dir.path / "bad2.ini").string()})));
  EXPECT_TRUE(std::holds_alternative<ServeUsage>(parseServeArguments({"--port", "70000"})));
  EXPECT_TRUE(
      std::holds_alternative<ServeUsage>(parseServeArguments({"--config", "/nonexistent"})));
}

TEST(HttpServerSchedule, TheScheduleIsServedAndExported) {
  SilentDns dns;
  auto clock = std::make_shared<testing::ManualClock>(testing::utc("2026-03-01T10:00:00Z"));
  TestServer server({"agency.gov.vn"}, scannerArgs(dns), [&](ServeConfig& c) {
    std::string error;
    c.schedule.schedule = *parseSchedule("daily 02:00", error);
    c.clock = clock;
  });
  auto r = server.get("/api/v1/schedule");
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = parse(r.body);
  EXPECT_EQ(s->getValue<std::string>("schedule"), "daily 02:00");
  EXPECT_EQ(s->getValue<std::string>("utc_offset"), "+07:00");
  EXPECT_EQ(s->getValue<std::string>("next_run_at"), "2026-03-01T19:00:00Z");  // 02:00 local
  EXPECT_EQ(s->getValue<int>("retry_delay_seconds"), 1800);
  EXPECT_EQ(s->getValue<int>("rechecks"), 2);
  EXPECT_TRUE(s->getValue<bool>("resume_on_start"));
  EXPECT_TRUE(s->isNull("run_in_progress"));
  EXPECT_TRUE(s->isNull("last_run"));
  auto metrics = server.get("/metrics").body;
  EXPECT_NE(metrics.find("mailhygiene_schedule_next_run_timestamp_seconds 1772391600\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mailhygiene_last_complete_run_timestamp_seconds 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("mailhygiene_run_waiting_recheck 0\n"), std::string::npos);
  EXPECT_EQ(server.post("/api/v1/schedule", "{}").status, 405);
}

}  // namespace
}  // namespace mh::service::http
