// Loopback tests for checks/tls/tls_enumeration.cpp: real OpenSSL servers behind a scripted
// STARTTLS dialogue, a crafted SSLv3/RC4 server, and a server that rate-limits the second visit.
#include "checks/tls/tls_enumeration.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>

#include "checks/tls/tls_check.hpp"
#include "tests/checks/tls/lab_smtp_server.hpp"
#include "tests/checks/tls/tls_bytes.hpp"

namespace mh::tls {
namespace {

using namespace std::chrono_literals;
using namespace mh::tls::testing;

ProbeOptions labOptions() {
  ProbeOptions o;
  o.ehlo_name = "probe.mailhygiene.test";
  o.allow_private_targets = true;
  o.ca_file = labPki().ca_file;
  o.timeouts.connect = 2s;
  o.timeouts.greeting = 2s;
  o.timeouts.reply = 2s;
  o.timeouts.handshake = 1500ms;
  o.timeouts.budget = 4s;
  return o;
}

struct Enumerated {
  ProbeResult first;
  TlsEnumeration e;
};

Enumerated enumerate(const ScriptedServer& server) {
  const auto o = labOptions();
  const SmtpTarget target{kMxHost, "127.0.0.1", server.port()};
  Enumerated out;
  out.first = StartTlsProber(o).probe(target);
  out.e = TlsEnumerator(o).enumerate(target, out.first);
  return out;
}

std::string table(const TlsEnumeration& e) {
  std::string out;
  for (const auto& v : e.versions)
    out += std::string(versionName(v.version)) + " " + std::string(toString(v.support)) + " (" +
           v.method + ": " + v.detail + ")\n";
  for (const auto& g : e.suites)
    out += std::string(toString(g.group)) + " " + std::string(toString(g.support)) + " (" +
           g.detail + ")\n";
  return out + "stopped: " + e.stopped;
}

class TlsEnumerationLab : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI"; }
};

TEST_F(TlsEnumerationLab, ModernServer) {
  ScriptedServer server(quickServer, ServerTls{.cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20"});
  ASSERT_TRUE(server.ok());
  const auto [first, e] = enumerate(server);
  ASSERT_EQ(first.outcome, ProbeOutcome::Ok);
  EXPECT_EQ(e.version(ProtocolVersion::Tls13)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls13)->method, "starttls");
  EXPECT_EQ(e.version(ProtocolVersion::Tls12)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls12)->method, "openssl");
  EXPECT_EQ(e.version(ProtocolVersion::Tls11)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls10)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::SslV3)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::SslV2)->support, Support::NotAccepted) << table(e);
  for (const auto& g : e.suites) EXPECT_EQ(g.support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.preferred_version, ProtocolVersion::Tls12);
  EXPECT_TRUE(e.preferredForwardSecret());
  EXPECT_TRUE(e.preferredAead());
  ASSERT_TRUE(e.server_order.has_value());
  EXPECT_FALSE(*e.server_order);  // OpenSSL follows the client's order by default
  EXPECT_TRUE(e.stopped.empty()) << e.stopped;
  // 2 pinned handshakes (1.1, 1.0), SSLv3, SSLv2, 2 suite families, the reversed order;
  // TLS 1.2 rides on ... its own pinned handshake: 8 in all.
  EXPECT_EQ(e.connections, 8u) << table(e);
  EXPECT_EQ(server.accepted(), 9);
  std::printf("[ measured ] modern server: %zu enumeration connections in %lld ms\n", e.connections,
              static_cast<long long>(e.elapsed.count()));
}

TEST_F(TlsEnumerationLab, ServerOrderIsSeen) {
  ScriptedServer server(quickServer, ServerTls{.cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20",
                                               .server_preference = true});
  ASSERT_TRUE(server.ok());
  const auto [first, e] = enumerate(server);
  ASSERT_TRUE(e.server_order.has_value()) << table(e);
  EXPECT_TRUE(*e.server_order);
}

TEST_F(TlsEnumerationLab, LegacyServerWithTls10AndCbc) {
  ScriptedServer server(
      quickServer, ServerTls{.min_version = TLS1_VERSION, .cipher_list = "DEFAULT:@SECLEVEL=0"});
  ASSERT_TRUE(server.ok());
  const auto [first, e] = enumerate(server);
  EXPECT_EQ(e.version(ProtocolVersion::Tls11)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls10)->support, Support::Accepted) << table(e);
  EXPECT_FALSE(e.version(ProtocolVersion::Tls10)->cipher.empty());
  EXPECT_EQ(e.group(SuiteGroup::CbcSha1)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.group(SuiteGroup::Rc4)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.group(SuiteGroup::TripleDes)->support, Support::NotAccepted) << table(e);
}

// After STARTTLS, every ClientHello gets the same crafted SSLv3 ServerHello choosing
// TLS_RSA_WITH_RC4_128_SHA: what a 2005 mail server would say. OpenSSL 3 cannot speak it.
void sslv3Rc4Server(ServerConn& c) {
  c.sendLines({"220 old.example.test ESMTP"});
  if (!c.readLine()) return;
  c.sendLines({"250-old.example.test", "250 STARTTLS"});
  if (!c.readLine()) return;
  c.send("220 go ahead\r\n");
  pollfd p{c.fd(), POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return;
  char buf[4096];
  if (::recv(c.fd(), buf, sizeof buf, 0) <= 0) return;
  const Bytes hello = serverHelloRecord(0x0300, 0x0005, {}, false);
  ::send(c.fd(), hello.data(), hello.size(), MSG_NOSIGNAL);
  c.waitForClose(2s);
}

TEST_F(TlsEnumerationLab, Sslv3AndRc4DetectedWithHandBuiltHellos) {
  ScriptedServer server(sslv3Rc4Server);
  ASSERT_TRUE(server.ok());
  const auto [first, e] = enumerate(server);
  EXPECT_EQ(first.outcome, ProbeOutcome::HandshakeFailed) << first.detail;
  EXPECT_EQ(e.version(ProtocolVersion::SslV3)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls12)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.version(ProtocolVersion::Tls12)->method, "hello");
  EXPECT_EQ(e.group(SuiteGroup::Rc4)->support, Support::Accepted) << table(e);
  EXPECT_EQ(e.group(SuiteGroup::Rc4)->suite, 0x0005);
  EXPECT_EQ(e.group(SuiteGroup::TripleDes)->support, Support::NotAccepted) << table(e);
  EXPECT_EQ(e.group(SuiteGroup::StaticRsa)->support, Support::Accepted) << table(e);

  // Through the checks: TLS-01 fails (STARTTLS cannot be completed by a current client),
  // TLS-02 fails (SSLv3, no TLS 1.2+), TLS-03 fails (RC4).
  TlsAddressEvidence a;
  a.host = kMxHost;
  a.address = "127.0.0.1";
  a.address_class = AddressClass::Loopback;
  a.probe = first;
  a.enumeration = e;
  TlsEvidence ev;
  ev.domain = "old.test";
  ev.hosts.push_back({kMxHost, 10, dns::DnsStatus::NoError, dns::DnsStatus::NoError, {a}});
  const DomainProfile r{true, true, {}};
  EXPECT_EQ(judgeTls01(ev, r).status, Status::Fail);
  EXPECT_TRUE(judgeTls01(ev, r).hasTag("TLS_STARTTLS_HANDSHAKE_FAILED"));
  const auto t2 = judgeTls02(ev, r);
  EXPECT_EQ(t2.status, Status::Fail);
  EXPECT_TRUE(t2.hasTag("TLS_SSL_OFFERED"));
  EXPECT_TRUE(t2.hasTag("TLS_NO_MODERN_VERSION"));
  const auto t3 = judgeTls03(ev, r);
  EXPECT_EQ(t3.status, Status::Fail);
  EXPECT_TRUE(t3.hasTag("TLS_CIPHER_INSUFFICIENT"));
}

TEST_F(TlsEnumerationLab, RateLimitedSecondVisitStopsAndStaysUnknown) {
  std::atomic<int> visits{0};
  ScriptedServer server([&visits](ServerConn& c) {
    if (visits++ == 0) return goodServer(c);
    c.send("421 4.7.0 too many connections from your address\r\n");
  });
  ASSERT_TRUE(server.ok());
  const auto [first, e] = enumerate(server);
  ASSERT_EQ(first.outcome, ProbeOutcome::Ok);
  EXPECT_FALSE(e.stopped.empty());
  EXPECT_EQ(e.connections, 1u) << table(e);  // no knocking after the 421
  EXPECT_EQ(e.version(ProtocolVersion::Tls13)->support, Support::Accepted);
  EXPECT_EQ(e.version(ProtocolVersion::Tls12)->support, Support::Unknown);
  EXPECT_EQ(e.version(ProtocolVersion::SslV3)->support, Support::Unknown);
  for (const auto& g : e.suites) EXPECT_EQ(g.support, Support::Unknown);

  TlsAddressEvidence a;
  a.host = kMxHost;
  a.address = "127.0.0.1";
  a.address_class = AddressClass::Loopback;
  a.probe = first;
  a.enumeration = e;
  TlsEvidence ev;
  ev.hosts.push_back({kMxHost, 10, dns::DnsStatus::NoError, dns::DnsStatus::NoError, {a}});
  const DomainProfile r{true, true, {}};
  EXPECT_EQ(judgeTls02(ev, r).status, Status::Error);  // could not test: never a verdict
  EXPECT_EQ(judgeTls03(ev, r).status, Status::Error);
  EXPECT_EQ(judgeTls01(ev, r).status, Status::Pass);
}

TEST_F(TlsEnumerationLab, NothingToEnumerateWithoutTls) {
  ProbeResult noTls;
  noTls.outcome = ProbeOutcome::NoStartTls;
  const auto e = TlsEnumerator(labOptions()).enumerate({kMxHost, "127.0.0.1", 1}, noTls);
  EXPECT_EQ(e.connections, 0u);
  EXPECT_FALSE(e.stopped.empty());
}

TEST(SuiteGroups, AreNonEmptyAndClassified) {
  for (auto g : kFailingGroups) {
    EXPECT_FALSE(suitesOf(g).empty()) << toString(g);
    for (auto code : suitesOf(g))
      EXPECT_EQ(findCipherSuite(code)->level, NcscLevel::Insufficient) << toString(g);
  }
  for (auto g : kPhaseOutGroups) EXPECT_FALSE(suitesOf(g).empty()) << toString(g);
  for (auto code : suitesOf(SuiteGroup::Des)) {
    EXPECT_EQ(findCipherSuite(code)->cipher, Cipher::Des);
    EXPECT_FALSE(findCipherSuite(code)->exportGrade);
  }
}

}  // namespace
}  // namespace mh::tls
