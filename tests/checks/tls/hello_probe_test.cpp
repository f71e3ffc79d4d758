// Tests for checks/tls/hello_probe.cpp on loopback: a scripted in-test server (crafted replies,
// alert, silence, close) and, when the openssl CLI is present, real `openssl s_server`s.
#include "checks/tls/hello_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/checks/tls/tls_bytes.hpp"

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
using namespace mh::tls::testing;

// A socket or pipe descriptor, closed on every exit path.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Fd connectLoopback(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return Fd();
  return fd;
}

// Reads exactly `n` bytes (or fails after 5 s / EOF).
bool readExactly(int fd, Bytes& out, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) < 0) return false;
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    std::uint8_t buf[4096];
    const ssize_t r = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (r <= 0) return false;
    out.insert(out.end(), buf, buf + r);
  }
  return true;
}

// One-connection server on 127.0.0.1:0: reads one ClientHello record, then runs `action`.
class ScriptedServer {
 public:
  enum class Action { Reply, Silent, Close };

  ScriptedServer(Action action, Bytes reply = {}) : action_(action), reply_(std::move(reply)) {
    listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_.get(), 1) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return port_; }
  const Bytes& received() const { return received_; }  // valid after the probe returned
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    Fd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) return;
    Bytes hello;
    if (!readExactly(conn.get(), hello, 2)) return;
    if (hello[0] & 0x80) {  // SSLv2 2-byte header
      readExactly(conn.get(), hello, 2 + ((hello[0] & 0x7Fu) << 8 | hello[1]));
    } else if (readExactly(conn.get(), hello, 5)) {
      readExactly(conn.get(), hello, 5 + (hello[3] << 8 | hello[4]));
    }
    received_ = hello;
    if (action_ == Action::Close) return;
    if (action_ == Action::Reply) ::send(conn.get(), reply_.data(), reply_.size(), MSG_NOSIGNAL);
    // Hold the connection until the client closes it (or the test ends).
    while (!stop_) {
      pollfd c{conn.get(), POLLIN, 0};
      if (::poll(&c, 1, 50) > 0) {
        std::uint8_t buf[512];
        if (::recv(conn.get(), buf, sizeof buf, 0) <= 0) return;
      }
    }
  }

  Action action_;
  Bytes reply_;
  Fd listener_;
  std::uint16_t port_ = 0;
  Bytes received_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

HelloProbeResult probeScripted(ScriptedServer& server,
                               const std::function<HelloProbeResult(int)>& probe) {
  Fd fd = connectLoopback(server.port());
  EXPECT_TRUE(fd.valid());
  auto r = probe(fd.get());
  fd.reset();
  server.join();
  return r;
}

TEST(HelloProbe, AcceptedTls12AesGcm) {
  ScriptedServer server(ScriptedServer::Action::Reply,
                        serverHelloRecord(0x0303, 0xC02F, {{kExtRenegotiationInfo, {0}}}));
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls12, "mx.lab.test", 2000ms);
  });
  EXPECT_EQ(r.status, ProbeStatus::Answered) << r.error;
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.hello.cipherSuite, 0xC02F);
  EXPECT_EQ(r.bytesSent, server.received().size());
  EXPECT_EQ(server.received().at(0), 22);
  EXPECT_EQ(server.received().at(9), 0x03);  // client_version 3.3
  EXPECT_EQ(server.received().at(10), 0x03);
}

TEST(HelloProbe, SuiteProbeRc4AndTripleDes) {
  const std::vector<std::uint16_t> rc4 = rc4Suites();
  ScriptedServer rc4Server(ScriptedServer::Action::Reply,
                           serverHelloRecord(0x0301, 0x0005, {}, false));
  auto r = probeScripted(rc4Server, [&](int fd) {
    return probeSuites(fd, ProtocolVersion::Tls10, rc4, "mx.lab.test", 2000ms);
  });
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(findCipherSuite(r.hello.cipherSuite)->cipher, Cipher::Rc4_128);

  // A server answering with a suite that was not offered is not "accepting" the group.
  ScriptedServer wrong(ScriptedServer::Action::Reply, serverHelloRecord(0x0301, 0xC013));
  r = probeScripted(wrong, [&](int fd) {
    return probeSuites(fd, ProtocolVersion::Tls10, tripleDesSuites(), "", 2000ms);
  });
  EXPECT_EQ(r.status, ProbeStatus::Answered);
  EXPECT_TRUE(r.hello.accepted());
  EXPECT_FALSE(r.accepted);
}

TEST(HelloProbe, Sslv3AcceptedAndDowngradeNotAccepted) {
  ScriptedServer ssl3(ScriptedServer::Action::Reply, serverHelloRecord(0x0300, 0x000A, {}, false));
  auto r = probeScripted(ssl3, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::SslV3, "mx.lab.test", 2000ms);
  });
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.hello.version, 0x0300);
  EXPECT_EQ(ssl3.received().at(1), 0x03);  // SSLv3 record version 3.0
  EXPECT_EQ(ssl3.received().at(2), 0x00);

  // Asked for TLS 1.2, answered TLS 1.0: TLS 1.2 is not accepted.
  ScriptedServer old(ScriptedServer::Action::Reply, serverHelloRecord(0x0301, 0x002F));
  r = probeScripted(
      old, [](int fd) { return probeProtocol(fd, ProtocolVersion::Tls12, "mx.lab.test", 2000ms); });
  EXPECT_EQ(r.status, ProbeStatus::Answered);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.hello.version, 0x0301);
}

TEST(HelloProbe, Sslv2) {
  ScriptedServer server(ScriptedServer::Action::Reply, sslv2ServerHello({0x0700C0}));
  const auto r = probeScripted(
      server, [](int fd) { return probeProtocol(fd, ProtocolVersion::SslV2, "", 2000ms); });
  EXPECT_TRUE(r.accepted);
  EXPECT_TRUE(r.hello.sslv2);
  EXPECT_EQ(server.received().at(2), 1);  // CLIENT-HELLO
}

TEST(HelloProbe, AlertIsRejected) {
  ScriptedServer server(ScriptedServer::Action::Reply,
                        alertRecord(0x0301, kAlertFatal, kAlertProtocolVersion));
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls10, "mx.lab.test", 2000ms);
  });
  EXPECT_EQ(r.status, ProbeStatus::Answered);
  EXPECT_EQ(r.hello.outcome, HelloOutcome::Rejected);
  EXPECT_EQ(r.hello.alertDescription, kAlertProtocolVersion);
  EXPECT_FALSE(r.accepted);
}

TEST(HelloProbe, SilenceTimesOutWithinBudget) {
  ScriptedServer server(ScriptedServer::Action::Silent);
  const auto start = std::chrono::steady_clock::now();
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls12, "mx.lab.test", 300ms);
  });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, ProbeStatus::Timeout);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.hello.outcome, HelloOutcome::Incomplete);
  EXPECT_GE(r.elapsed, 290ms);
  EXPECT_LT(took, 1500ms);
}

TEST(HelloProbe, PartialReplyThenSilenceTimesOut) {
  Bytes half = serverHelloRecord(0x0303, 0xC02F);
  half.resize(20);
  ScriptedServer server(ScriptedServer::Action::Reply, half);
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls12, "mx.lab.test", 300ms);
  });
  EXPECT_EQ(r.status, ProbeStatus::Timeout);
  EXPECT_EQ(r.bytesReceived, 20u);
  EXPECT_EQ(r.hello.outcome, HelloOutcome::Incomplete);
}

TEST(HelloProbe, CloseIsClosed) {
  ScriptedServer server(ScriptedServer::Action::Close);
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls11, "mx.lab.test", 2000ms);
  });
  EXPECT_TRUE(r.status == ProbeStatus::Closed || r.status == ProbeStatus::Reset)
      << toString(r.status);
  EXPECT_FALSE(r.accepted);
}

TEST(HelloProbe, SmtpTextIsNotTls) {
  const std::string text = "454 4.7.0 TLS not available due to local problem\r\n";
  ScriptedServer server(ScriptedServer::Action::Reply, Bytes(text.begin(), text.end()));
  const auto r = probeScripted(server, [](int fd) {
    return probeProtocol(fd, ProtocolVersion::Tls12, "mx.lab.test", 2000ms);
  });
  EXPECT_EQ(r.status, ProbeStatus::Answered);
  EXPECT_EQ(r.hello.outcome, HelloOutcome::NotTls);
}

TEST(HelloProbe, BadDescriptorIsNetworkErrorNotException) {
  const auto r = probeProtocol(-1, ProtocolVersion::Tls12, "", 100ms);
  EXPECT_EQ(r.status, ProbeStatus::NetworkError);
  EXPECT_FALSE(r.error.empty());
  const auto e = probeSuites(-1, ProtocolVersion::Tls12, {}, "", 100ms);
  EXPECT_FALSE(e.accepted);
}

// --- real OpenSSL peers -------------------------------------------------------------------

std::string findOpenssl() {
  for (const char* p : {"/usr/bin/openssl", "/usr/local/bin/openssl"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// Runs a command with stdout+stderr to a pipe; kills and reaps it on destruction.
class Child {
 public:
  explicit Child(std::vector<std::string> argv) {
    // stdin is a pipe kept open: s_server ends its session on EOF from stdin.
    int p[2], q[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return;
    out_ = Fd(p[0]);
    Fd write(p[1]);
    if (::pipe2(q, O_CLOEXEC) != 0) return;
    Fd read(q[0]);
    in_ = Fd(q[1]);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(read.get(), 0);
      ::dup2(write.get(), 1);
      ::dup2(write.get(), 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads output until a line starting with `prefix` (or 5 s); returns the rest of that line.
  std::optional<std::string> waitForLine(const std::string& prefix) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
      }
      pollfd p{out_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[1024];
      const ssize_t n = ::read(out_.get(), buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
    return std::nullopt;
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  Fd out_;
  Fd in_;
  std::string buffer_;
};

class OpensslServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    openssl_ = findOpenssl();
    if (openssl_.empty()) return;
    dir_ = std::filesystem::temp_directory_path() / ("mh-tlshello-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string cmd = openssl_ + " req -x509 -newkey rsa:2048 -nodes -subj /CN=mx.lab.test" +
                            " -days 2 -keyout " + (dir_ / "key.pem").string() + " -out " +
                            (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) openssl_.clear();
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    if (openssl_.empty()) GTEST_SKIP() << "openssl CLI not available";
  }

  // Starts `openssl s_server` with `flags` on 127.0.0.1 and an ephemeral port.
  std::unique_ptr<Child> startServer(std::vector<std::string> flags, std::uint16_t& port) {
    std::vector<std::string> argv = {openssl_,  "s_server",
                                     "-accept", "127.0.0.1:0",
                                     "-cert",   (dir_ / "cert.pem").string(),
                                     "-key",    (dir_ / "key.pem").string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto child = std::make_unique<Child>(argv);
    const auto rest = child->waitForLine("ACCEPT ");
    port = 0;
    if (rest) {
      const auto colon = rest->rfind(':');
      if (colon != std::string::npos)
        port = static_cast<std::uint16_t>(std::stoi(rest->substr(colon + 1)));
    }
    return child;
  }

  static inline std::string openssl_;
  static inline std::filesystem::path dir_;
};

TEST_F(OpensslServerTest, Tls12OnlyServer) {
  std::uint16_t port = 0;
  auto server = startServer({"-no_tls1", "-no_tls1_1", "-no_tls1_3"}, port);
  ASSERT_NE(port, 0) << "s_server did not start";

  {  // TLS 1.2: accepted, with a suite we offered and know.
    Fd fd = connectLoopback(port);
    ASSERT_TRUE(fd.valid());
    const auto r = probeProtocol(fd.get(), ProtocolVersion::Tls12, "mx.lab.test", 3000ms);
    EXPECT_EQ(r.status, ProbeStatus::Answered) << r.error;
    EXPECT_TRUE(r.accepted) << toString(r.hello.outcome) << " " << r.hello.error << " "
                            << alertName(r.hello.alertDescription);
    EXPECT_EQ(r.hello.version, 0x0303);
    const CipherSuite* s = findCipherSuite(r.hello.cipherSuite);
    ASSERT_NE(s, nullptr) << std::hex << r.hello.cipherSuite;
    EXPECT_TRUE(s->forwardSecrecy) << s->name;
  }
  {  // TLS 1.0: refused with an alert (or a close).
    Fd fd = connectLoopback(port);
    ASSERT_TRUE(fd.valid());
    const auto r = probeProtocol(fd.get(), ProtocolVersion::Tls10, "mx.lab.test", 3000ms);
    EXPECT_FALSE(r.accepted);
    if (r.status == ProbeStatus::Answered) {
      EXPECT_EQ(r.hello.outcome, HelloOutcome::Rejected);
      EXPECT_EQ(r.hello.alertDescription, kAlertProtocolVersion)
          << alertName(r.hello.alertDescription);
    }
  }
  {  // RC4 with TLS 1.2: OpenSSL 3 has no RC4, so no suite in common.
    Fd fd = connectLoopback(port);
    ASSERT_TRUE(fd.valid());
    const auto rc4 = rc4Suites();
    const auto r = probeSuites(fd.get(), ProtocolVersion::Tls12, rc4, "mx.lab.test", 3000ms);
    EXPECT_FALSE(r.accepted);
    EXPECT_EQ(r.hello.outcome, HelloOutcome::Rejected);
    EXPECT_EQ(r.hello.alertDescription, kAlertHandshakeFailure);
  }
  {  // TLS 1.3 hello to a TLS 1.2-only server: it negotiates 1.2 or refuses; never 1.3.
    Fd fd = connectLoopback(port);
    ASSERT_TRUE(fd.valid());
    const auto r = probeProtocol(fd.get(), ProtocolVersion::Tls13, "mx.lab.test", 3000ms);
    EXPECT_FALSE(r.accepted);
  }
}

TEST_F(OpensslServerTest, Tls13Server) {
  std::uint16_t port = 0;
  auto server = startServer({"-tls1_3"}, port);
  ASSERT_NE(port, 0) << "s_server did not start";
  Fd fd = connectLoopback(port);
  ASSERT_TRUE(fd.valid());
  const auto r = probeProtocol(fd.get(), ProtocolVersion::Tls13, "mx.lab.test", 3000ms);
  EXPECT_EQ(r.status, ProbeStatus::Answered) << r.error;
  EXPECT_TRUE(r.accepted) << toString(r.hello.outcome) << " " << r.hello.error << " "
                          << alertName(r.hello.alertDescription);
  EXPECT_EQ(r.hello.version, 0x0304);
  EXPECT_EQ(r.hello.selectedVersion, 0x0304);
  EXPECT_FALSE(r.hello.helloRetryRequest);
  EXPECT_EQ(r.hello.keyShareGroup, kGroupX25519);
}

}  // namespace
}  // namespace mh::tls
