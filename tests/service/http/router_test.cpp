// Tests of the router's methods: HEAD answers every GET route as GET would but without the body
// (checked on the raw bytes the server sends), and 405 answers list HEAD wherever GET is allowed.
#include "service/http/router.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <sstream>

#include "service/store/sqlite_store.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::service::http {
namespace {

using testing::call;
using testing::HttpResult;
using testing::TestServer;

// Everything the server sends for the request text `request` until it closes the connection.
std::string exchangeRaw(std::uint16_t port, const std::string& request) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  socket.setReceiveTimeout(Poco::Timespan(60, 0));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string received;
  char buffer[4096];
  int n = 0;
  while ((n = socket.receiveBytes(buffer, sizeof buffer)) > 0) received.append(buffer, n);
  return received;
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string after_head;                      // every byte sent after the blank line
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "<none>" : it->second;
  }
};

// Splits the bytes of one response into status, header fields and what follows the head.
RawResponse parseRaw(const std::string& bytes) {
  RawResponse r;
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) {
    ADD_FAILURE() << "no complete response head in: " << bytes;
    return r;
  }
  r.after_head = bytes.substr(end + 4);
  std::istringstream head(bytes.substr(0, end + 2));
  std::string line;
  std::getline(head, line);
  if (line.starts_with("HTTP/1.1 ") && line.size() >= 12) r.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return r;
}

// As admin (the token of every TestServer).
const std::string kAdmin =
    "Authorization: Bearer " + std::string(testing::kTestAdminToken) + "\r\n";

RawResponse head(std::uint16_t port, const std::string& path) {
  return parseRaw(exchangeRaw(port, "HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                        kAdmin + "Connection: close\r\n\r\n"));
}

// One complete national run of agency.gov.vn in the store before the server starts, so the
// national CSV download has something to serve.
void storeACompleteRun(ServeConfig& config) {
  store::SqliteStore db(config.db);
  DomainEntry entry;
  entry.domain = "agency.gov.vn";
  entry.category = "agency";
  entry.group = "lab";
  db.upsertDomains({entry});
  store::DomainReportRow row;
  row.domain = "agency.gov.vn";
  row.score = 95;
  row.grade = "A";
  row.tier = "baseline";
  row.dmarc_phase = "enforce";
  row.started_at = "2026-11-20T08:00:01Z";
  CheckResult dmarc;
  dmarc.id = "DMARC-02";
  dmarc.status = Status::Pass;
  row.checks.push_back(dmarc);
  const auto run = db.startRun(store::RunKind::National, "test", "test", "{}");
  ASSERT_TRUE(db.recordDomainResult(run, row));
  db.finishRun(run, store::RunState::Complete);
}

// No DNS is needed: nothing here audits (the resolver is a closed port).
class RouterMethods : public ::testing::Test {
 protected:
  TestServer server_{{"agency.gov.vn", "other.gov.vn"},
                     {"--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "0.2", "--retries",
                      "0", "--psl", MH_PSL_FILE},
                     storeACompleteRun};
};

TEST_F(RouterMethods, HeadAnswersAsGetWithoutTheBody) {
  // A JSON route, a CSV download and a dashboard page.
  for (const std::string path : {"/api/v1/domains", "/reports/national.csv", "/"}) {
    const HttpResult get = server_.get(path);
    ASSERT_EQ(get.status, 200) << path << " " << get.body;
    ASSERT_FALSE(get.body.empty()) << path;
    const RawResponse r = head(server_.port(), path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("content-type"), get.header("Content-Type")) << path;
    EXPECT_EQ(r.header("content-length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(r.after_head, "") << path << ": HEAD must send no body";
  }
  EXPECT_EQ(head(server_.port(), "/api/v1/domains").header("content-type"),
            "application/json; charset=utf-8");
  EXPECT_EQ(head(server_.port(), "/reports/national.csv").header("content-type"),
            "text/csv; charset=utf-8");
  EXPECT_EQ(head(server_.port(), "/").header("content-type"), "text/html; charset=utf-8");
  const RawResponse csv = head(server_.port(), "/reports/national.csv");
  EXPECT_EQ(csv.header("content-disposition"),
            server_.get("/reports/national.csv").header("Content-Disposition"));
}

TEST_F(RouterMethods, HeadOnAnUnknownRouteIs404WithoutTheBody) {
  const HttpResult get = server_.get("/no/such/thing");
  ASSERT_EQ(get.status, 404);
  const RawResponse r = head(server_.port(), "/no/such/thing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(r.after_head, "");
  // A download with nothing to serve is the GET's 404 too.
  EXPECT_EQ(head(server_.port(), "/reports/runs/999/national.csv").status, 404);
}

TEST_F(RouterMethods, HeadLeavesAKeptAliveConnectionInStep) {
  // Pipelined on one connection: the GET's answer must start right after the HEAD's head.
  const std::string bytes =
      exchangeRaw(server_.port(),
                  "HEAD /api/v1/domains HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAdmin +
                      "\r\nGET /api/v1/domains HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                      kAdmin + "Connection: close\r\n\r\n");
  const RawResponse first = parseRaw(bytes);
  EXPECT_EQ(first.status, 200);
  ASSERT_TRUE(first.after_head.starts_with("HTTP/1.1 200")) << first.after_head.substr(0, 80);
  const RawResponse second = parseRaw(first.after_head);
  EXPECT_EQ(second.header("content-length"), first.header("content-length"));
  EXPECT_EQ(second.after_head, server_.get("/api/v1/domains").body);
}

TEST_F(RouterMethods, AllowListsHeadWhereGetIsAllowed) {
  // A POST-only route: HEAD is not allowed there, and the 405 sends no body either.
  const RawResponse postOnly = head(server_.port(), "/api/v1/self-check");
  EXPECT_EQ(postOnly.status, 405);
  EXPECT_EQ(postOnly.header("allow"), "POST");
  EXPECT_EQ(postOnly.after_head, "");
  EXPECT_EQ(call(server_.port(), "GET", "/api/v1/self-check").header("Allow"), "POST");
  EXPECT_EQ(call(server_.port(), "DELETE", "/api/v1/domains").header("Allow"), "GET, HEAD");
  EXPECT_EQ(call(server_.port(), "PUT", "/api/v1/runs").header("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(call(server_.port(), "POST", "/reports/national.csv").header("Allow"), "GET, HEAD");
}

}  // namespace
}  // namespace mh::service::http
