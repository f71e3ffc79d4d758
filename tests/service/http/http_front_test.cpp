// Tests of the HTTP front (http_front.cpp) in process: request framing, bodies consumed on
// keep-alive, the request deadline, connections per address, the bounded queue, the Host
// allow-list and X-Forwarded-For. The same attacks against the `mailhygiene serve` binary are
// in tests/abuse (label "abuse").
#include "service/http/http_front.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/raw_client.hpp"

namespace mh::service::http {
namespace {

using namespace std::chrono_literals;
using testing::countResponses;
using testing::firstStatus;
using testing::healthz;
using testing::RawClient;
using testing::TestServer;

std::vector<std::string> noNetwork() {
  return {"--resolver", "127.0.0.1:9", "--no-smtp", "--psl", MH_PSL_FILE};
}

std::string post(const std::string& path, const std::string& type, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A complete request hidden as the body of another: it must never be answered.
const std::string kSmuggled = "GET /smuggled-request HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

TEST(HttpFront, AnUnreadBodyIsNeverParsedAsTheNextRequest) {
  TestServer server({"agency.gov.vn"}, noNetwork());
  // Routes that do not read JSON, a 415, a 401 and a 405: each keeps the connection alive.
  for (const std::string& request :
       {post("/api/v1/self-check", "text/plain", kSmuggled),
        post("/api/v1/runs", "application/json", kSmuggled),
        post("/healthz", "application/json", kSmuggled),
        post("/no/such/route", "application/json", kSmuggled),
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
            std::to_string(kSmuggled.size()) + "\r\n\r\n" + kSmuggled}) {
    RawClient c(server.port());
    ASSERT_TRUE(c.send(request));
    c.read(2s, "\r\n\r\n");
    ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    ASSERT_TRUE(c.closedWithin(5s));
    EXPECT_EQ(countResponses(c.received()), 2) << c.received();
    EXPECT_NE(c.received().find("\"status\":\"ok\""), std::string::npos) << c.received();
  }
  EXPECT_EQ(server.get("/metrics").body.find("status=\"404\"} 2"), std::string::npos);
}

TEST(HttpFront, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  TestServer server({"agency.gov.vn"}, noNetwork());
  const std::string head =
      "POST /api/v1/self-check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n";
  for (const std::string& framing :
       {std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Content-Length: 5\r\nContent-Length: 50\r\n"),
        std::string("Transfer-Encoding: gzip\r\n"), std::string("Content-Length: -1\r\n"),
        std::string("Content-Length: 5x\r\n")}) {
    RawClient c(server.port());
    c.send(head + framing + "\r\n0\r\n\r\n" + kSmuggled);
    EXPECT_TRUE(c.closedWithin(5s)) << framing;
    EXPECT_EQ(firstStatus(c.received()), 400) << framing << c.received();
    EXPECT_EQ(countResponses(c.received()), 1) << c.received();
  }
  // A chunked body is read in full, then the next request is served.
  RawClient chunked(server.port());
  chunked.send(head + "Transfer-Encoding: chunked\r\n\r\n" +
               "17\r\n{\"domain\": \"x.example\"}\r\n0\r\n\r\n");
  EXPECT_EQ(firstStatus(chunked.read(5s, "\r\n\r\n")), 404) << chunked.received();
}

TEST(HttpFront, ABodyOverTheLimitIs413WithoutBeingRead) {
  TestServer server({"agency.gov.vn"}, noNetwork());
  RawClient c(server.port());
  c.send(
      "POST /api/v1/self-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/json\r\nContent-Length: 100000000\r\n\r\n{");
  EXPECT_TRUE(c.closedWithin(5s));
  EXPECT_EQ(firstStatus(c.received()), 413) << c.received();
}

TEST(HttpFront, ConnectionsSendingTheirHeadHoldNoThread) {
  TestServer server({"agency.gov.vn"}, noNetwork(), [](ServeConfig& c) {
    c.max_threads = 2;
    c.max_connections_per_client = 50;
  });
  std::vector<std::unique_ptr<RawClient>> drippers;
  for (int i = 0; i < 40; ++i) {
    drippers.push_back(std::make_unique<RawClient>(server.port(), "127.0.0.2"));
    drippers.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  for (int round = 0; round < 5; ++round) {
    for (auto& d : drippers) d->send("X-Drip: 1\r\n");
    EXPECT_EQ(healthz(server.port(), 2s), 200);  // 40 slow clients, 2 threads: still served
  }
}

TEST(HttpFront, ADrippingRequestHeadIsCutAtTheDeadline) {
  TestServer server({"agency.gov.vn"}, noNetwork(),
                    [](ServeConfig& c) { c.request_deadline_seconds = 1; });
  RawClient c(server.port());
  const auto start = std::chrono::steady_clock::now();
  c.send("GET /healthz HTTP/1.1\r\n");
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {  // one header line every 100 ms, for up to 4 s
    c.send("X-Drip-" + std::to_string(i) + ": 1\r\n");
    closed = c.closedWithin(100ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(elapsed, 3500ms);  // the deadline (1 s) plus the watchdog's grace, far below 4 s
  EXPECT_EQ(firstStatus(c.received()), 408) << c.received();
  // The same for a body that never completes, and for a connection that says nothing.
  RawClient body(server.port());
  body.send(post("/api/v1/self-check", "application/json", "{\"domain\": \"agency.gov.vn\"}")
                .substr(0, 120));
  EXPECT_TRUE(body.closedWithin(3500ms));
  RawClient silent(server.port());
  EXPECT_TRUE(silent.closedWithin(3500ms));
  EXPECT_NE(server.get("/metrics")
                .body.find("mailhygiene_http_deadline_cutoffs_total{phase=\"request\"} 3"),
            std::string::npos);
}

TEST(HttpFront, ConnectionsPerAddressAreCapped) {
  TestServer server({"agency.gov.vn"}, noNetwork(),
                    [](ServeConfig& c) { c.max_connections_per_client = 2; });
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<RawClient>(server.port(), "127.0.0.2"));
    held.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // never finished
  }
  std::this_thread::sleep_for(200ms);
  RawClient third(server.port(), "127.0.0.2");
  EXPECT_TRUE(third.closedWithin(2s));
  EXPECT_EQ(firstStatus(third.received()), 429) << third.received();
  EXPECT_NE(third.received().find("Retry-After: "), std::string::npos);
  EXPECT_EQ(healthz(server.port(), 2s, "127.0.0.3"), 200);  // another address is served
  held.clear();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(healthz(server.port(), 2s, "127.0.0.2"), 200);  // and the address again once closed
}

TEST(HttpFront, AFullQueueIsAnswered503WithRetryAfter) {
  TestServer server({"agency.gov.vn"}, noNetwork(),
                    [](ServeConfig& c) { c.max_waiting_connections = 3; });
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(server.port(), "127.0.0." + std::to_string(2 + i)));
    std::this_thread::sleep_for(50ms);
  }
  RawClient refused(server.port(), "127.0.0.9");
  EXPECT_TRUE(refused.closedWithin(2s));
  EXPECT_EQ(firstStatus(refused.received()), 503) << refused.received();
  EXPECT_NE(refused.received().find("Retry-After: 2"), std::string::npos);
  held.clear();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(healthz(server.port(), 2s), 200);
}

TEST(HttpFront, OnlyTheAllowedHostNamesAreAnswered) {
  TestServer server({"agency.gov.vn"}, noNetwork());
  auto ask = [&](const std::string& request) {
    RawClient c(server.port());
    c.send(request);
    return firstStatus(c.read(2s, "\r\n\r\n"));
  };
  EXPECT_EQ(ask("GET /healthz HTTP/1.1\r\nHost: rebound.example\r\n\r\n"), 421);
  EXPECT_EQ(ask("GET /healthz HTTP/1.1\r\nHost: rebound.example:8080\r\n\r\n"), 421);
  EXPECT_EQ(ask("GET /healthz HTTP/1.0\r\n\r\n"), 400);
  EXPECT_EQ(ask("GET /healthz HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"), 200);
  EXPECT_EQ(ask("GET /healthz HTTP/1.1\r\nHost: [::1]\r\n\r\n"), 200);
}

TEST(HttpFront, ForwardedForCountsOnlyFromTrustedProxies) {
  auto selfChecks = [](TestServer& server, const std::string& forwarded) {
    RawClient c(server.port());
    const std::string body = "{\"domain\": \"unknown.example\"}";
    c.send(
        "POST /api/v1/self-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/json\r\nX-Forwarded-For: " +
        forwarded + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return firstStatus(c.read(2s, "\r\n\r\n"));
  };
  {
    TestServer direct({"agency.gov.vn"}, noNetwork(),
                      [](ServeConfig& c) { c.self_check.rate_per_client_per_minute = 1; });
    EXPECT_EQ(selfChecks(direct, "198.51.100.1"), 404);  // admitted, then not in the registry
    EXPECT_EQ(selfChecks(direct, "198.51.100.2"), 429);  // a spoofed header changes nothing
  }
  TestServer proxied({"agency.gov.vn"}, noNetwork(), [](ServeConfig& c) {
    c.self_check.rate_per_client_per_minute = 1;
    c.trusted_proxies = {"127.0.0.1/32"};
  });
  EXPECT_EQ(selfChecks(proxied, "198.51.100.1"), 404);
  EXPECT_EQ(selfChecks(proxied, "198.51.100.2"), 404);  // another client behind the proxy
  EXPECT_EQ(selfChecks(proxied, "203.0.113.9, 198.51.100.1"), 429);  // the proxy saw .1 again
}

}  // namespace
}  // namespace mh::service::http
