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

#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
using namespace mh::tls::testing;

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
  // The reason says which limit ended the probe: the budget, not the 10 s greeting timeout.
  EXPECT_EQ(r.detail,
            "greeting: no reply before the deadline (the per-address budget of 1500 ms ran out)");
}

TEST_F(StartTlsProbe, APhaseTimeoutShorterThanTheBudgetIsNotCalledTheBudget) {
  ScriptedServer server([](ServerConn& c) { c.waitForClose(); });
  ASSERT_TRUE(server.ok());
  auto o = labOptions();
  o.timeouts.greeting = 300ms;
  o.timeouts.budget = 10s;
  const auto r = probeStartTls(target(server), o);
  EXPECT_EQ(r.outcome, ProbeOutcome::Timeout) << r.detail;
  EXPECT_EQ(r.detail, "greeting: no reply before the deadline");
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
