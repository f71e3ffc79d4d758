// Loopback scenario tests for checks/tls/starttls_probe.cpp against a scripted SMTP server with a
// real TLS side (a throw-away CA and server certificate made with the openssl CLI at test time).
#include "checks/tls/starttls_probe.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kMxHost = "mx1.example.test";

// The lab CA and a server certificate for kMxHost, made once for the whole suite.
struct LabPki {
  fs::path dir;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool ok = false;

  ~LabPki() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

LabPki& labPki() {
  static LabPki pki = [] {
    LabPki p;
    char tmpl[] = "/tmp/mh-starttls-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return p;
    p.dir = tmpl;
    const std::string d = p.dir.string();
    p.ca_file = d + "/ca.pem";
    p.cert_file = d + "/server.pem";
    p.key_file = d + "/server.key";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string cmd =
        "cd " + d + " && printf 'subjectAltName=DNS:" + kMxHost +
        "\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf" +
        " && openssl req -x509" + ec +
        "-keyout ca.key -out ca.pem -days 2 -subj '/CN=mailhygiene test CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign" +
        " && openssl req" + ec + "-keyout server.key -out server.csr -subj '/CN=" + kMxHost + "'" +
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2 -extfile ext.cnf" +
        " >/dev/null 2>&1";
    p.ok = std::system(cmd.c_str()) == 0;
    return p;
  }();
  return pki;
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// One accepted connection of the scripted server: blocking I/O with a receive timeout so that a
// broken test cannot hang, plain or TLS.
class ServerConn {
 public:
  ServerConn(int fd, SSL_CTX* ctx, std::vector<std::string>& log, std::mutex& mu)
      : fd_(fd), ctx_(ctx), log_(log), mu_(mu) {
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~ServerConn() {
    ssl_.reset();
    ::close(fd_);
  }

  void send(std::string_view data) {
    if (ssl_)
      SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
    else
      ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  }
  // Each line in its own write, with a pause between them (as aiosmtpd does).
  void sendLines(const std::vector<std::string>& lines, std::chrono::milliseconds pause = 15ms) {
    for (const auto& l : lines) {
      send(l + "\r\n");
      std::this_thread::sleep_for(pause);
    }
  }
  // One command line without CRLF, recorded in the server's log; nullopt on close or timeout.
  std::optional<std::string> readLine() {
    std::string line;
    char c = 0;
    while (true) {
      const long n = ssl_ ? SSL_read(ssl_.get(), &c, 1) : ::recv(fd_, &c, 1, 0);
      if (n <= 0) return std::nullopt;
      if (c == '\n') break;
      if (c != '\r') line.push_back(c);
    }
    const std::lock_guard lock(mu_);
    log_.push_back(line);
    return line;
  }
  bool startTls(int min_version = 0) {
    ssl_.reset(SSL_new(ctx_));
    SSL_set_fd(ssl_.get(), fd_);
    if (min_version != 0) SSL_set_min_proto_version(ssl_.get(), min_version);
    if (SSL_accept(ssl_.get()) != 1) return false;
    if (const char* sni = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name)) sni_ = sni;
    return true;
  }
  // Holds the connection open until the client goes away (or `limit`).
  void waitForClose(std::chrono::milliseconds limit = 8s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    char c;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0 && ::recv(fd_, &c, 1, MSG_DONTWAIT) == 0) return;
    }
  }
  int fd() const { return fd_; }
  const std::string& sni() const { return sni_; }

 private:
  int fd_;
  SSL_CTX* ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  std::vector<std::string>& log_;
  std::mutex& mu_;
  std::string sni_;
};

// A scripted SMTP server on 127.0.0.1:0 (or ::1): every accepted connection runs `script`.
class ScriptedServer {
 public:
  using Script = std::function<void(ServerConn&)>;

  explicit ScriptedServer(Script script, const char* address = "127.0.0.1")
      : script_(std::move(script)) {
    const auto& pki = labPki();
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate_chain_file(ctx_.get(), pki.cert_file.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_.get(), pki.key_file.c_str(), SSL_FILETYPE_PEM);

    sockaddr_storage ss{};
    socklen_t len = 0;
    if (std::string_view(address).find(':') != std::string_view::npos) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address, &a->sin6_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      ::inet_pton(AF_INET, address, &a->sin_addr);
      len = sizeof *a;
    }
    listen_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_ < 0 || ::bind(listen_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        ::listen(listen_, 8) != 0)
      return;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_ >= 0) ::close(listen_);
  }

  bool ok() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  std::vector<std::string> commands() const {
    const std::lock_guard lock(mu_);
    return log_;
  }
  std::string sni() const {
    const std::lock_guard lock(mu_);
    return sni_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      ServerConn conn(fd, ctx_.get(), log_, mu_);
      script_(conn);
      const std::lock_guard lock(mu_);
      if (!conn.sni().empty()) sni_ = conn.sni();
    }
  }

  Script script_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  int listen_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mu_;
  std::vector<std::string> log_;
  std::string sni_;
};

const std::vector<std::string> kGreeting = {"220-mx1.example.test ESMTP",
                                            "220 welcome, a multi-line greeting"};
const std::vector<std::string> kEhloWithStartTls = {
    "250-mx1.example.test", "250-PIPELINING", "250-SIZE 10240000",
    "250-STARTTLS",         "250-AUTH",       "250 8BITMIME"};

// A well-behaved server: multi-line replies line by line, STARTTLS, TLS, 221 to QUIT.
void goodServer(ServerConn& c, int min_tls = 0) {
  c.sendLines(kGreeting);
  if (!c.readLine()) return;  // EHLO
  c.sendLines(kEhloWithStartTls);
  if (!c.readLine()) return;  // STARTTLS
  c.send("220 2.0.0 Ready to start TLS\r\n");
  if (!c.startTls(min_tls)) return;
  if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 2.0.0 Bye\r\n");
}

ProbeOptions labOptions(bool with_ca = true) {
  ProbeOptions o;
  o.ehlo_name = "probe.mailhygiene.test";
  o.allow_private_targets = true;
  if (with_ca) o.ca_file = labPki().ca_file;
  o.timeouts.connect = 2s;
  o.timeouts.greeting = 3s;
  o.timeouts.reply = 3s;
  o.timeouts.handshake = 3s;
  o.timeouts.budget = 6s;
  return o;
}

SmtpTarget target(const ScriptedServer& s, const char* address = "127.0.0.1") {
  return {kMxHost, address, s.port()};
}

void expectPolite(const ScriptedServer& s) {
  for (const auto& cmd : s.commands()) {
    for (const char* bad : {"MAIL", "RCPT", "DATA"})
      EXPECT_NE(cmd.rfind(bad, 0), 0u) << "sent " << cmd;
  }
}

class StartTlsProbe : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI"; }
};

TEST_F(StartTlsProbe, GoodServerCapturesTheSession) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  ASSERT_EQ(r.outcome, ProbeOutcome::Ok) << r.detail;
  EXPECT_FALSE(couldNotTest(r.outcome));
  EXPECT_EQ(r.greeting_code, 220);
  EXPECT_EQ(r.ehlo_code, 250);
  EXPECT_TRUE(r.starttls_advertised);
  EXPECT_EQ(r.starttls_code, 220);
  EXPECT_FALSE(r.bytes_after_starttls);
  EXPECT_EQ(r.quit_code, 221);
  EXPECT_EQ(r.address_class, AddressClass::Loopback);
  ASSERT_TRUE(r.tls.has_value());
  const auto& t = *r.tls;
  EXPECT_EQ(t.protocol, "TLSv1.3");
  EXPECT_EQ(t.protocol_version, TLS1_3_VERSION);
  EXPECT_EQ(t.cipher_iana.rfind("TLS_", 0), 0u) << t.cipher_iana;
  EXPECT_GE(t.cipher_id, 0x1301);
  EXPECT_LE(t.cipher_id, 0x1305);
  EXPECT_FALSE(t.group.empty());
  EXPECT_GT(t.peer_tmp_key_bits, 0);
  ASSERT_EQ(t.peer_chain.size(), 1u);
  EXPECT_NE(t.peer_chain[0].subject.find(kMxHost), std::string::npos) << t.peer_chain[0].subject;
  EXPECT_EQ(t.peer_chain[0].pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_GT(t.peer_chain[0].der.size(), 100u);
  EXPECT_EQ(t.verify_result, 0) << t.verify_error;
  EXPECT_TRUE(t.verified());
  ASSERT_EQ(t.verified_chain.size(), 2u);
  EXPECT_NE(t.verified_chain[1].subject.find("mailhygiene test CA"), std::string::npos);
  EXPECT_EQ(server.sni(), kMxHost);
  EXPECT_EQ(server.commands(),
            (std::vector<std::string>{"EHLO probe.mailhygiene.test", "STARTTLS", "QUIT"}));
  expectPolite(server);
}

TEST_F(StartTlsProbe, WithoutTheLabCaTheHandshakeCompletesButIsNotVerified) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions(false));
  ASSERT_EQ(r.outcome, ProbeOutcome::Ok) << r.detail;
  ASSERT_TRUE(r.tls.has_value());
  EXPECT_NE(r.tls->verify_result, 0);
  EXPECT_FALSE(r.tls->verified());
  EXPECT_FALSE(r.tls->verify_error.empty());
  EXPECT_EQ(r.tls->peer_chain.size(), 1u);
}

TEST_F(StartTlsProbe, VersionRangeCanBePinned) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.max_version = TLS1_2_VERSION;
  const auto r = probeStartTls(target(server), o);
  ASSERT_EQ(r.outcome, ProbeOutcome::Ok) << r.detail;
  EXPECT_EQ(r.tls->protocol, "TLSv1.2");
  EXPECT_EQ(r.tls->cipher_iana.rfind("TLS_ECDHE_", 0), 0u) << r.tls->cipher_iana;
  EXPECT_FALSE(r.tls->group.empty());
}

TEST_F(StartTlsProbe, ServerRequiringANewerVersionIsAHandshakeFailure) {
  ScriptedServer server([](ServerConn& c) { goodServer(c, TLS1_3_VERSION); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.max_version = TLS1_2_VERSION;
  const auto r = probeStartTls(target(server), o);
  EXPECT_EQ(r.outcome, ProbeOutcome::HandshakeFailed);
  EXPECT_FALSE(r.detail.empty());
  EXPECT_FALSE(r.tls.has_value());
}

TEST_F(StartTlsProbe, NoStartTlsAdvertised) {
  ScriptedServer server([](ServerConn& c) {
    c.sendLines({"220 mx1.example.test ESMTP"});
    if (!c.readLine()) return;
    c.sendLines({"250-mx1.example.test", "250-SIZE 1000", "250 8BITMIME"});
    if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::NoStartTls) << r.detail;
  EXPECT_FALSE(r.starttls_advertised);
  EXPECT_TRUE(hasKeyword(r.ehlo_keywords, "SIZE"));
  EXPECT_EQ(r.quit_code, 221);
  EXPECT_EQ(server.commands(), (std::vector<std::string>{"EHLO probe.mailhygiene.test", "QUIT"}));
}

TEST_F(StartTlsProbe, EhloRefusedFallsBackToHelo) {
  ScriptedServer server([](ServerConn& c) {
    c.send("220 old server\r\n");
    if (!c.readLine()) return;
    c.send("502 command not implemented\r\n");
    if (!c.readLine()) return;
    c.send("250 hello\r\n");
    if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::NoStartTls) << r.detail;
  EXPECT_EQ(r.ehlo_code, 502);
  EXPECT_EQ(r.helo_code, 250);
  EXPECT_EQ(server.commands(), (std::vector<std::string>{"EHLO probe.mailhygiene.test",
                                                         "HELO probe.mailhygiene.test", "QUIT"}));
}

TEST_F(StartTlsProbe, Busy421GreetingCouldNotTest) {
  ScriptedServer server([](ServerConn& c) {
    c.send("421 4.3.2 too busy, try later\r\n");  // and closes, as Postfix does
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::TemporaryFailure) << r.detail;
  EXPECT_TRUE(couldNotTest(r.outcome));
  EXPECT_EQ(r.greeting_code, 421);
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd, "QUIT");
}

TEST_F(StartTlsProbe, Refusing554Greeting) {
  ScriptedServer server([](ServerConn& c) {
    c.send("554 no SMTP service here\r\n");
    if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::Refused) << r.detail;
  EXPECT_TRUE(couldNotTest(r.outcome));
}

TEST_F(StartTlsProbe, GarbageGreetingIsAProtocolError) {
  ScriptedServer server([](ServerConn& c) {
    c.send("SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
    c.waitForClose(2s);  // the prober must hang up by itself
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::ProtocolError) << r.detail;
  EXPECT_TRUE(server.commands().empty());
}

TEST_F(StartTlsProbe, DroppedAfterEhlo) {
  ScriptedServer server([](ServerConn& c) {
    c.send("220 mx1.example.test ESMTP\r\n");
    c.readLine();
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::ConnectionDropped) << r.detail;
  EXPECT_TRUE(couldNotTest(r.outcome));
}

TEST_F(StartTlsProbe, StartTlsAnswered454) {
  ScriptedServer server([](ServerConn& c) {
    c.sendLines(kGreeting);
    if (!c.readLine()) return;
    c.sendLines(kEhloWithStartTls);
    if (!c.readLine()) return;
    c.send("454 4.7.0 TLS not available due to local problem\r\n");
    if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
  });
  ASSERT_TRUE(server.ok());
  const auto r = probeStartTls(target(server), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::StartTlsRejected) << r.detail;
  EXPECT_EQ(r.starttls_code, 454);
  EXPECT_FALSE(r.tls.has_value());
  EXPECT_EQ(r.quit_code, 221);
}

TEST_F(StartTlsProbe, SilentTarpitCostsNoMoreThanTheBudget) {
  ScriptedServer server([](ServerConn& c) { c.waitForClose(); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.timeouts.greeting = 10s;
  o.timeouts.budget = 1500ms;
  const auto r = probeStartTls(target(server), o);
  EXPECT_EQ(r.outcome, ProbeOutcome::Timeout) << r.detail;
  EXPECT_LT(r.elapsed, o.timeouts.budget + 2s);
}

TEST_F(StartTlsProbe, DribblingTarpitCostsNoMoreThanTheBudget) {
  ScriptedServer server([](ServerConn& c) {
    c.send("220-");
    for (int i = 0; i < 200; ++i) {
      c.send("x");
      std::this_thread::sleep_for(20ms);
      pollfd p{c.fd(), POLLIN, 0};
      char b;
      if (::poll(&p, 1, 0) > 0 && ::recv(c.fd(), &b, 1, MSG_DONTWAIT) == 0) return;
    }
  });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.timeouts.greeting = 10s;
  o.timeouts.budget = 1500ms;
  const auto start = std::chrono::steady_clock::now();
  const auto r = probeStartTls(target(server), o);
  EXPECT_EQ(r.outcome, ProbeOutcome::Timeout) << r.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, o.timeouts.budget + 2s);
}

TEST_F(StartTlsProbe, ClosedPortIsConnectFailed) {
  std::uint16_t port = 0;
  {
    ScriptedServer gone([](ServerConn&) {});
    ASSERT_TRUE(gone.ok());
    port = gone.port();
  }
  const auto r = probeStartTls({kMxHost, "127.0.0.1", port}, labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::ConnectFailed) << r.detail;
  EXPECT_TRUE(couldNotTest(r.outcome));
}

TEST_F(StartTlsProbe, PrivateTargetsAreRefusedWithoutAConnection) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.allow_private_targets = false;
  const auto r = probeStartTls(target(server), o);
  EXPECT_EQ(r.outcome, ProbeOutcome::NotAllowed);
  EXPECT_EQ(r.address_class, AddressClass::Loopback);
  const auto r10 = probeStartTls({kMxHost, "10.0.0.1", 25}, o);
  EXPECT_EQ(r10.outcome, ProbeOutcome::NotAllowed);
  EXPECT_EQ(r10.address_class, AddressClass::Private);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(StartTlsProbe, Ipv6Loopback) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); }, "::1");
  if (!server.ok()) GTEST_SKIP() << "no ::1 on this machine";
  const auto r = probeStartTls(target(server, "::1"), labOptions());
  EXPECT_EQ(r.outcome, ProbeOutcome::Ok) << r.detail;
  EXPECT_EQ(server.sni(), kMxHost);
}

TEST_F(StartTlsProbe, SocketAfterStartTls220ForHandBuiltHellos) {
  std::promise<std::string> first;
  auto got = first.get_future();
  ScriptedServer server([&first](ServerConn& c) {
    c.sendLines(kGreeting);
    if (!c.readLine()) return;
    c.sendLines(kEhloWithStartTls);
    if (!c.readLine()) return;
    c.send("220 2.0.0 Ready to start TLS\r\n");
    char buf[5] = {};
    const auto n = ::recv(c.fd(), buf, sizeof buf, MSG_WAITALL);
    first.set_value(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
  });
  ASSERT_TRUE(server.ok());
  auto s = openStartTlsSocket(target(server), labOptions());
  ASSERT_EQ(s.result.outcome, ProbeOutcome::Ok) << s.result.detail;
  ASSERT_TRUE(s.fd.valid());
  EXPECT_EQ(s.result.starttls_code, 220);
  const char hello[5] = {0x16, 0x03, 0x01, 0x00, 0x00};
  ASSERT_EQ(::send(s.fd.get(), hello, sizeof hello, MSG_NOSIGNAL), 5);
  ASSERT_EQ(got.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(got.get(), std::string(hello, 5));
}

TEST_F(StartTlsProbe, SocketIsNotHandedOutWithoutStartTls) {
  ScriptedServer server([](ServerConn& c) { c.send("421 busy\r\n"); });
  ASSERT_TRUE(server.ok());
  auto s = openStartTlsSocket(target(server), labOptions());
  EXPECT_EQ(s.result.outcome, ProbeOutcome::TemporaryFailure);
  EXPECT_FALSE(s.fd.valid());
}

TEST_F(StartTlsProbe, OneProberServesManyThreads) {
  ScriptedServer server([](ServerConn& c) { goodServer(c); });
  ASSERT_TRUE(server.ok());
  const StartTlsProber prober(labOptions());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] {
      if (prober.probe(target(server)).outcome == ProbeOutcome::Ok) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 3);
}

TEST(StartTlsProberConfig, MissingCaFileIsAConfigurationError) {
  ProbeOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(StartTlsProber{o}, std::runtime_error);
}

}  // namespace
}  // namespace mh::tls
