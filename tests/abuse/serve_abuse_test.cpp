// Attacks on the `mailhygiene serve` binary (label "abuse"): slow-header clients, many connections
// from one address, a smuggled keep-alive body, a self-check flood from several addresses,
// X-Forwarded-For spoofing, a bad Host, invalid UTF-8 in stored data and token guessing. Each is
// bounded in count and time; while it runs, GET /healthz from another address must answer within
// 2 s (a liveness bound far above its normal time), then the specific defence is asserted.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "service/http/admin_tokens.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/lab/serve_process.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/service/http/raw_client.hpp"

namespace mh::lab {
namespace {

using namespace std::chrono_literals;
using service::http::testing::countResponses;
using service::http::testing::firstStatus;
using service::http::testing::RawClient;
using service::http::testing::TempDir;

constexpr auto kLiveness = 2000ms;
const std::string kToken = "abuse-admin-token-0123456789abcdef0123456789";

// The binary with a registry, a config and a fresh database in a temp dir, on an ephemeral port.
class Serve {
 public:
  Serve(const std::string& csv_rows, const std::string& ini,
        const std::vector<std::string>& scanner) {
    std::ofstream(dir_.path / "domains.csv") << "domain,agency_vi,agency_en,category,group\n"
                                             << csv_rows;
    std::ofstream(dir_.path / "mh.ini") << ini;
    std::vector<std::string> args = {"--config",  (dir_.path / "mh.ini").string(),
                                     "--port",    "0",
                                     "--domains", (dir_.path / "domains.csv").string(),
                                     "--db",      (dir_.path / "serve.db").string()};
    args.insert(args.end(), scanner.begin(), scanner.end());
    process_ = std::make_unique<ServeProcess>(MH_CLI_PATH, args, dir_.path / "serve.log");
    port_ = process_->listeningPort();
    if (port_ == 0) throw std::runtime_error("serve did not start: " + process_->log());
  }
  ~Serve() { process_->terminate(); }
  std::uint16_t port() const { return port_; }
  // "Authorization: Bearer <token>\r\n" of a new auditor account (`mailhygiene token create`).
  std::string auditor() const {
    return "Authorization: Bearer " +
           createToken(MH_CLI_PATH, (dir_.path / "serve.db").string(),
                       {"--role", "auditor", "--name", "abuse test"}) +
           "\r\n";
  }
  std::string log() const { return process_->log(); }

 private:
  TempDir dir_;
  std::unique_ptr<ServeProcess> process_;
  std::uint16_t port_ = 0;
};

// GET /healthz from 127.0.0.1 every 100 ms on a thread of its own, until stopped: how many were
// asked, how many were not answered 200 within the liveness bound.
class Liveness {
 public:
  explicit Liveness(std::uint16_t port)
      : thread_([this, port] {
          while (!stop_.load()) {
            const auto start = std::chrono::steady_clock::now();
            const int status = service::http::testing::healthz(port, kLiveness);
            asked_++;
            if (status != 200 || std::chrono::steady_clock::now() - start > kLiveness) missed_++;
            std::this_thread::sleep_for(100ms);
          }
        }) {}
  ~Liveness() { stop(); }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int asked() const { return asked_.load(); }
  int missed() const { return missed_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> asked_{0};
  std::atomic<int> missed_{0};
  std::thread thread_;
};

std::vector<std::string> silentScanner(const BlackHole& dns) {
  return {"--resolver",
          "127.0.0.1:" + std::to_string(dns.port()),
          "--no-smtp",
          "--timeout",
          "1",
          "--retries",
          "0",
          "--psl",
          std::string(MH_LAB_DIR) + "/public_suffix_list.dat"};
}

std::string request(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& extra_headers = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
         (body.empty() && method == "GET" ? ""
                                          : "Content-Type: application/json\r\nContent-Length: " +
                                                std::to_string(body.size()) + "\r\n") +
         "\r\n" + body;
}

// One request on a fresh connection from `source`; the whole answer (read until closed).
std::string ask(std::uint16_t port, const std::string& source, const std::string& raw) {
  RawClient c(port, source);
  c.send(raw);
  c.closedWithin(5s);
  return c.received();
}

std::string bodyOf(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

bool validUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80                 ? 1
                            : c >= 0xC2 && c <= 0xDF ? 2
                            : c >= 0xE0 && c <= 0xEF ? 3
                            : c >= 0xF0 && c <= 0xF4 ? 4
                                                     : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

const std::string kOneDomain = "agency.lab.test,Cơ quan,Agency,agency,lab\n";

TEST(ServeAbuse, SlowHeaderClientsAreCutAndHoldNoThread) {
  BlackHole dns;
  Serve serve(kOneDomain, "[serve]\nmax_threads = 4\nrequest_deadline_seconds = 3\n",
              silentScanner(dns));
  Liveness live(serve.port());
  // 32 clients from 4 addresses (8 each, the per-address cap), each sending one header line a
  // second: eight times the threads.
  std::vector<std::unique_ptr<RawClient>> drippers;
  for (int i = 0; i < 32; ++i) {
    drippers.push_back(
        std::make_unique<RawClient>(serve.port(), "127.0.0." + std::to_string(2 + i % 4)));
    drippers.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  const auto start = std::chrono::steady_clock::now();
  std::set<int> open;
  for (int i = 0; i < 32; ++i) open.insert(i);
  while (!open.empty() && std::chrono::steady_clock::now() - start < 8s) {
    for (int i : open) drippers[i]->send("X-Drip: 1\r\n");
    std::this_thread::sleep_for(1s);
    for (auto it = open.begin(); it != open.end();)
      it = drippers[*it]->closedWithin(5ms) ? open.erase(it) : std::next(it);
  }
  live.stop();
  EXPECT_TRUE(open.empty()) << open.size() << " drippers still connected after 8 s";
  for (auto& d : drippers) EXPECT_EQ(firstStatus(d->received()), 408) << d->received();
  EXPECT_GT(live.asked(), 10);
  EXPECT_EQ(live.missed(), 0) << serve.log();
}

TEST(ServeAbuse, ManyConnectionsFromOneAddressAreCapped) {
  BlackHole dns;
  Serve serve(kOneDomain, "[serve]\nmax_connections_per_client = 8\n", silentScanner(dns));
  Liveness live(serve.port());
  std::vector<std::unique_ptr<RawClient>> conns;
  for (int i = 0; i < 200; ++i)
    conns.push_back(std::make_unique<RawClient>(serve.port(), "127.0.0.2"));
  int refused = 0, held = 0;
  for (auto& c : conns) {
    if (c->closedWithin(100ms)) {
      refused += firstStatus(c->received()) == 429 &&
                 c->received().find("Retry-After: 1") != std::string::npos;
    } else {
      ++held;
    }
  }
  live.stop();
  EXPECT_EQ(held, 8);
  EXPECT_EQ(refused, 192);
  EXPECT_EQ(live.missed(), 0) << serve.log();
}

TEST(ServeAbuse, ASmuggledKeepAliveBodyIsNeverExecuted) {
  BlackHole dns;
  Serve serve(kOneDomain, "[admin]\ntoken_sha256 = " + service::http::sha256Hex(kToken) + "\n",
              silentScanner(dns));
  // If it were parsed as a request, this would start a national run.
  const std::string smuggled =
      "POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
      "Bearer " +
      kToken + "\r\nContent-Length: 0\r\n\r\n";
  const std::string auditor = serve.auditor();
  for (const std::string& first :
       {"POST /api/v1/self-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        "Content-Length: " +
            std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,  // 415
        request("POST", "/api/v1/runs", smuggled),                    // 401 (anonymous)
        request("POST", "/api/v1/domains", smuggled),                 // 405
        request("POST", "/nowhere", smuggled),                        // 404
        request("GET", "/healthz", "",
                "Content-Length: " + std::to_string(smuggled.size()) + "\r\n") +
            smuggled}) {  // 200
    RawClient c(serve.port());
    c.send(first);
    c.read(2s, "\r\n\r\n");
    c.send("GET /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auditor +
           "Connection: close\r\n\r\n");
    ASSERT_TRUE(c.closedWithin(5s));
    EXPECT_EQ(countResponses(c.received()), 2) << c.received();
    EXPECT_NE(c.received().find("{\"runs\":[]}"), std::string::npos) << c.received();
  }
  EXPECT_EQ(serve.log().find("run started"), std::string::npos) << serve.log();
}

TEST(ServeAbuse, ASelfCheckFloodHoldsNoThreadAndIsBounded) {
  BlackHole dns;  // every audit waits out its DNS timeouts: the slowest self-check there is
  std::string rows = kOneDomain;
  for (int i = 0; i < 6; ++i)
    rows += "other" + std::to_string(i) + ".lab.test,Cơ quan,Agency,agency,lab\n";
  Serve serve(rows,
              "[serve]\nmax_threads = 4\n[selfcheck]\nrate_per_client_per_minute = 1000\n"
              "max_concurrent = 2\nmax_jobs_per_client = 2\n",
              silentScanner(dns));
  Liveness live(serve.port());
  std::atomic<int> accepted{0}, limited{0}, busy{0}, other{0};
  std::set<std::string> jobs;
  std::mutex jobsMutex;
  std::vector<std::thread> clients;
  for (int a = 0; a < 3; ++a) {
    clients.emplace_back([&, a] {
      const std::string source = "127.0.0." + std::to_string(2 + a);
      for (int i = 0; i < 8; ++i) {
        const std::string domain =
            i < 6 ? "agency.lab.test" : "other" + std::to_string(a) + ".lab.test";
        const auto start = std::chrono::steady_clock::now();
        const std::string r =
            ask(serve.port(), source,
                request("POST", "/api/v1/self-check", "{\"domain\": \"" + domain + "\"}",
                        "Connection: close\r\n"));
        if (std::chrono::steady_clock::now() - start > kLiveness) other++;  // held: a failure
        switch (firstStatus(r)) {
          case 202: {
            accepted++;
            const auto at = r.find("Location: /api/v1/self-check/");
            std::lock_guard lock(jobsMutex);
            if (at != std::string::npos) jobs.insert(r.substr(at + 30, 32));
            break;
          }
          case 429:
            limited++;
            break;
          case 503:
            busy++;
            break;
          default:
            other++;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  live.stop();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted + limited + busy, 24);
  // Every request for agency.lab.test joined one job; at most max_concurrent audits started.
  EXPECT_LE(jobs.size(), 2u);
  EXPECT_GT(limited + busy, 0);
  EXPECT_EQ(live.missed(), 0) << serve.log();
}

TEST(ServeAbuse, ACachedSelfCheckIsAnsweredAtOnceDuringAFlood) {
  Serve serve("good.lab.test,Cơ quan,Agency,agency,lab\n", "[selfcheck]\nmax_concurrent = 1\n",
              {"--resolver", "127.0.0.1:" + std::to_string(sharedLab().port()), "--no-smtp",
               "--no-dnssec", "--psl", std::string(MH_LAB_DIR) + "/public_suffix_list.dat"});
  const std::string body = "{\"domain\": \"good.lab.test\"}";
  const std::string first =
      ask(serve.port(), "127.0.0.2",
          request("POST", "/api/v1/self-check", body, "Connection: close\r\n"));
  ASSERT_EQ(firstStatus(first), 202) << first;
  const auto at = first.find("Location: ");
  const std::string location = first.substr(at + 10, first.find('\r', at) - at - 10);
  std::string job;
  for (int i = 0; i < 200; ++i) {  // the lab audit takes well under a second
    job = ask(serve.port(), "127.0.0.2", request("GET", location, "", "Connection: close\r\n"));
    if (job.find("\"state\":\"done\"") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(job.find("\"state\":\"done\""), std::string::npos) << job;
  Liveness live(serve.port());
  for (int i = 0; i < 12; ++i) {
    const std::string r = ask(serve.port(), "127.0.0." + std::to_string(3 + i % 3),
                              request("POST", "/api/v1/self-check", body, "Connection: close\r\n"));
    EXPECT_EQ(firstStatus(r), 200) << r;
    EXPECT_NE(r.find("\"cached\":true"), std::string::npos);
  }
  live.stop();
  EXPECT_EQ(live.missed(), 0);
}

TEST(ServeAbuse, ForwardedForFromAnUntrustedPeerIsIgnored) {
  BlackHole dns;
  Serve serve(kOneDomain, "[selfcheck]\nrate_per_client_per_minute = 2\n", silentScanner(dns));
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    const std::string r = ask(
        serve.port(), "127.0.0.2",
        request("POST", "/api/v1/self-check", "{\"domain\": \"unknown.example\"}",
                "Connection: close\r\nX-Forwarded-For: 198.51.100." + std::to_string(i) + "\r\n"));
    limited += firstStatus(r) == 429;
  }
  EXPECT_EQ(limited, 4);  // two admitted, then the peer's bucket is empty, whatever the header
  EXPECT_NE(serve.log().find("client=127.0.0.2 peer=127.0.0.2"), std::string::npos);
}

TEST(ServeAbuse, AHostNotConfiguredIsMisdirected) {
  BlackHole dns;
  Serve serve(kOneDomain, "", silentScanner(dns));
  const std::string rebound = ask(serve.port(), "127.0.0.1",
                                  "GET /api/v1/domains HTTP/1.1\r\nHost: rebind.attacker.example"
                                  "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(firstStatus(rebound), 421) << rebound;
  EXPECT_EQ(rebound.find("agency.lab.test"), std::string::npos);
  EXPECT_EQ(firstStatus(ask(serve.port(), "127.0.0.1", "GET /api/v1/domains HTTP/1.0\r\n\r\n")),
            400);
  EXPECT_EQ(service::http::testing::healthz(serve.port(), kLiveness), 200);
}

TEST(ServeAbuse, InvalidUtf8InStoredDataIsServedAsValidJson) {
  BlackHole dns;
  Serve serve("agency.lab.test,C\xC3\x28 quan \xFF\xFE,Agency \xED\xA0\x80,agency,lab\n", "",
              silentScanner(dns));
  const std::string r = ask(serve.port(), "127.0.0.1",
                            request("GET", "/api/v1/domains", "",
                                    "Connection: close\r\n" + serve.auditor()));
  ASSERT_EQ(firstStatus(r), 200) << r;
  const std::string body = bodyOf(r);
  EXPECT_TRUE(validUtf8(body)) << body;
  EXPECT_NE(body.find("\xEF\xBF\xBD"), std::string::npos) << body;  // U+FFFD
  EXPECT_NO_THROW(Poco::JSON::Parser().parse(body));
  // A request echoing invalid bytes back gets valid JSON too.
  const std::string echoed =
      ask(serve.port(), "127.0.0.1",
          request("POST", "/api/v1/self-check", "{\"domain\": \"a\xC3\x28\xFF.gov.vn\"}",
                  "Connection: close\r\n"));
  EXPECT_EQ(firstStatus(echoed), 400) << echoed;
  EXPECT_TRUE(validUtf8(bodyOf(echoed))) << echoed;
}

TEST(ServeAbuse, AdminTokenGuessingIsThrottledPerClient) {
  BlackHole dns;
  Serve serve(kOneDomain,
              "[admin]\ntoken_sha256 = " + service::http::sha256Hex(kToken) +
                  "\nattempts_per_minute = 10\n",
              silentScanner(dns));
  Liveness live(serve.port());
  auto tryToken = [&](const std::string& source, const std::string& token) {
    return ask(serve.port(), source,
               request("POST", "/api/v1/runs", "",
                       "Connection: close\r\nAuthorization: Bearer " + token + "\r\n"));
  };
  int unauthorized = 0, throttled = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string r =
        tryToken("127.0.0.2", "guess-" + std::to_string(i) + "-0123456789abcdef0123456789abcdef");
    unauthorized += firstStatus(r) == 401;
    throttled += firstStatus(r) == 429 && r.find("Retry-After: ") != std::string::npos;
  }
  EXPECT_EQ(unauthorized, 10);
  EXPECT_EQ(throttled, 30);
  // Throttled before the token is looked at: even the right one waits.
  EXPECT_EQ(firstStatus(tryToken("127.0.0.2", kToken)), 429);
  // Another client is not affected.
  EXPECT_EQ(firstStatus(tryToken("127.0.0.3", kToken)), 202);
  live.stop();
  EXPECT_EQ(live.missed(), 0);
}

}  // namespace
}  // namespace mh::lab
