// Lab tests against a real MTA: a private Postfix (Debian 12: 3.7) with STARTTLS and lab CA
// certificates, probed by the STARTTLS prober, the protocol enumeration and TLS-01..04; Postfix's
// own log shows that the scanner said only EHLO, STARTTLS and QUIT.
#include "tests/lab/postfix_lab.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "tests/lab/transport_lab_support.hpp"

namespace mh::lab {
namespace {

using tls::ProtocolVersion;
using tls::Support;

constexpr const char* kMx = kPostfixMxHost;

class PostfixMta : public ::testing::Test {
 protected:
  void SetUp() override {
    // Postfix's master must start as root (CI runs as root); anywhere else there is nothing to run.
    if (::geteuid() != 0) GTEST_SKIP() << "the Postfix lab needs root";
    ASSERT_TRUE(tls::testing::labPki().ok) << "openssl CLI could not make the lab PKI";
    try {
      postfix_ = &sharedPostfixLab();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }
  PostfixLab& postfix() { return *postfix_; }

  TlsVerdicts probe(const std::string& listener, tls::TlsAuditContext*& ctxOut) {
    contexts_.push_back(
        std::make_unique<tls::TlsAuditContext>(labTlsOptions(postfix().port(listener))));
    ctxOut = contexts_.back().get();
    return auditTls(*ctxOut, mxFor(kMx, {"127.0.0.1"}));
  }
  TlsVerdicts probe(const std::string& listener) {
    tls::TlsAuditContext* ignored = nullptr;
    return probe(listener, ignored);
  }

  PostfixLab* postfix_ = nullptr;
  std::vector<std::unique_ptr<tls::TlsAuditContext>> contexts_;
};

Support versionSupport(const TlsVerdicts& v, ProtocolVersion version) {
  const auto& en = v.first().enumeration;
  if (!en || !en->version(version)) return Support::Unknown;
  return en->version(version)->support;
}

TEST_F(PostfixMta, DebianDefaultsOfferStartTlsAndStillAcceptTls10And11) {
  const auto v = probe("debian-defaults");
  EXPECT_EQ(v.tls01.status, Status::Pass) << explain(v);
  ASSERT_TRUE(v.tls01.hasTag("TLS_STARTTLS_OK")) << explain(v);
  EXPECT_EQ(v.tls01.findings[0].argText("protocol"), "TLSv1.3");
  const auto& probeResult = v.first().probe;
  EXPECT_EQ(probeResult.greeting_code, 220);
  EXPECT_TRUE(probeResult.starttls_advertised);
  EXPECT_EQ(probeResult.quit_code, 221);

  // OpenSSL 3.0 at its default security level 1 still lets Postfix (the server) complete
  // TLS 1.0 and 1.1 handshakes with an EC P-256 certificate: Debian's Postfix accepts them.
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls13), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls12), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls11), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls10), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::SslV3), Support::NotAccepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::SslV2), Support::NotAccepted);
  EXPECT_EQ(v.tls02.status, Status::Warn) << explain(v.tls02);
  EXPECT_EQ(tagsOf(v.tls02), (std::multiset<std::string>{"TLS_LEGACY_VERSION_OFFERED",
                                                         "TLS_LEGACY_VERSION_OFFERED"}))
      << explain(v.tls02);

  // The certificate: the lab CA is trusted (--ca-file), the name is the MX host, 90 days left.
  ASSERT_TRUE(v.first().certificate.has_value());
  EXPECT_EQ(v.first().certificate->trust, tls::CertTrust::Trusted);
  EXPECT_TRUE(v.first().certificate->name_matches);
  EXPECT_EQ(v.tls04.status, Status::Pass) << explain(v.tls04);
  EXPECT_EQ(tagsOf(v.tls04), std::multiset<std::string>{"TLS_CERT_OK"}) << explain(v.tls04);
}

TEST_F(PostfixMta, DebianDefaultsAcceptAnonymousSuitesWhichTls03Fails) {
  // Postfix's "medium" grade is "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH" with aNULL enabled on
  // purpose for opportunistic TLS; the rubric (NCSC-NL) counts anon suites as insufficient.
  const auto v = probe("debian-defaults");
  const auto& en = v.first().enumeration;
  ASSERT_TRUE(en.has_value());
  EXPECT_EQ(en->group(tls::SuiteGroup::Anon)->support, Support::Accepted);
  for (auto g : {tls::SuiteGroup::Rc4, tls::SuiteGroup::TripleDes, tls::SuiteGroup::Des,
                 tls::SuiteGroup::Null, tls::SuiteGroup::Export})
    EXPECT_EQ(en->group(g)->support, Support::NotAccepted) << toString(g);
  EXPECT_EQ(en->group(tls::SuiteGroup::CbcSha1)->support, Support::Accepted);
  EXPECT_TRUE(en->preferredForwardSecret());
  EXPECT_TRUE(en->preferredAead());
  EXPECT_EQ(v.tls03.status, Status::Fail) << explain(v.tls03);
  bool anonNamed = false;
  for (const auto& f : v.tls03.findings)
    if (f.tag == "TLS_CIPHER_INSUFFICIENT" && f.argText("kind") == "anon") anonNamed = true;
  EXPECT_TRUE(anonNamed) << explain(v.tls03);
  EXPECT_TRUE(v.tls03.hasTag("TLS_CIPHER_PHASE_OUT")) << explain(v.tls03);
}

TEST_F(PostfixMta, HardenedPostfixPassesTls01To04) {
  const auto v = probe("modern");
  EXPECT_EQ(v.tls01.status, Status::Pass) << explain(v);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls13), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls12), Support::Accepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls11), Support::NotAccepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::Tls10), Support::NotAccepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::SslV3), Support::NotAccepted);
  EXPECT_EQ(versionSupport(v, ProtocolVersion::SslV2), Support::NotAccepted);
  EXPECT_EQ(v.tls02.status, Status::Pass) << explain(v.tls02);
  EXPECT_EQ(v.tls03.status, Status::Pass) << explain(v.tls03);
  EXPECT_EQ(v.tls04.status, Status::Pass) << explain(v.tls04);
}

TEST_F(PostfixMta, CertificateVerdicts) {
  const auto wrong = probe("wrong-name");
  EXPECT_EQ(wrong.tls01.status, Status::Pass) << explain(wrong.tls01);
  ASSERT_TRUE(wrong.first().certificate.has_value());
  EXPECT_EQ(wrong.first().certificate->trust, tls::CertTrust::Trusted);
  EXPECT_FALSE(wrong.first().certificate->name_matches);
  EXPECT_EQ(wrong.tls04.status, Status::Warn) << explain(wrong.tls04);
  EXPECT_EQ(tagsOf(wrong.tls04), std::multiset<std::string>{"TLS_CERT_NAME_MISMATCH"})
      << explain(wrong.tls04);

  const auto self = probe("self-signed");
  EXPECT_EQ(self.tls01.status, Status::Pass) << explain(self.tls01);
  ASSERT_TRUE(self.first().certificate.has_value());
  EXPECT_EQ(self.first().certificate->trust, tls::CertTrust::SelfSigned);
  EXPECT_TRUE(self.first().certificate->name_matches);
  EXPECT_EQ(self.tls04.status, Status::Warn) << explain(self.tls04);
  EXPECT_EQ(tagsOf(self.tls04), std::multiset<std::string>{"TLS_CERT_SELF_SIGNED"})
      << explain(self.tls04);
}

TEST_F(PostfixMta, WithoutTlsStartTlsIsMissing) {
  tls::TlsAuditContext* ctx = nullptr;
  const auto v = probe("no-tls", ctx);
  EXPECT_EQ(v.tls01.status, Status::Fail) << explain(v.tls01);
  EXPECT_EQ(tagsOf(v.tls01), std::multiset<std::string>{"TLS_STARTTLS_MISSING"});
  EXPECT_FALSE(v.first().probe.starttls_advertised);
  EXPECT_EQ(v.first().probe.quit_code, 221);
  EXPECT_EQ(ctx->connections(), 1u);  // nothing to enumerate without TLS
  const auto sessions = postfix().waitForSessions("no-tls", 1);
  ASSERT_EQ(sessions.size(), 1u) << postfix().log();
  EXPECT_EQ(sessions[0].client_commands,
            (std::vector<std::string>{std::string("EHLO ") + kLabEhloName, "QUIT"}));
}

// Postfix logs every command a loopback client sends (debug_peer_list) and a per-session summary
// ("disconnect from ... ehlo=1 starttls=1 quit=1 commands=3"): the probe and the whole
// enumeration said EHLO, STARTTLS and QUIT, never MAIL, RCPT, DATA or anything else.
TEST_F(PostfixMta, PostfixSawOnlyEhloStartTlsAndQuit) {
  // The Postfix lab may be shared by the tests of this binary: count only this test's sessions.
  const std::size_t earlier = postfix().waitForSessions("debian-defaults", 0).size();
  tls::TlsAuditContext* ctx = nullptr;
  const auto v = probe("debian-defaults", ctx);
  ASSERT_EQ(v.tls01.status, Status::Pass) << explain(v.tls01);
  const std::size_t connections = ctx->connections();
  EXPECT_GE(connections, 8u);  // the probe and the enumeration
  auto sessions = postfix().waitForSessions("debian-defaults", earlier + connections);
  ASSERT_EQ(sessions.size(), earlier + connections) << postfix().log();
  sessions.erase(sessions.begin(), sessions.begin() + static_cast<std::ptrdiff_t>(earlier));

  // The STARTTLS probe: QUIT went inside TLS and Postfix counted it.
  EXPECT_EQ(sessions[0].client_commands,
            (std::vector<std::string>{std::string("EHLO ") + kLabEhloName, "STARTTLS", "QUIT"}))
      << sessions[0].disconnect_line;
  EXPECT_EQ(sessions[0].counters,
            (std::map<std::string, std::string>{
                {"ehlo", "1"}, {"starttls", "1"}, {"quit", "1"}, {"commands", "3"}}))
      << sessions[0].disconnect_line;

  const std::set<std::string> allowedCounters = {"ehlo", "starttls", "quit", "commands"};
  for (const auto& s : sessions) {
    for (const auto& command : s.client_commands) {
      const std::string verb = command.substr(0, command.find(' '));
      EXPECT_TRUE(verb == "EHLO" || verb == "STARTTLS" || verb == "QUIT") << command;
      if (verb == "EHLO") EXPECT_EQ(command, std::string("EHLO ") + kLabEhloName);
    }
    for (const auto& [name, count] : s.counters)
      EXPECT_TRUE(allowedCounters.contains(name)) << s.disconnect_line;
    EXPECT_FALSE(s.disconnect_line.empty());
  }
}

TEST(PostfixLogParser, SessionsFromCommandAndDisconnectLines) {
  const std::string log =
      "Nov 21 13:45:41 mx1 postfix/master[1]: daemon started -- version 3.7.11\n"
      "Nov 21 13:45:41 mx1 postfix-a/smtpd[7]: connect from unknown[127.0.0.1]\n"
      "Nov 21 13:45:41 mx1 postfix-b/smtpd[8]: connect from unknown[127.0.0.1]\n"
      "Nov 21 13:45:41 mx1 postfix-a/smtpd[7]: < unknown[127.0.0.1]: EHLO probe.test\n"
      "Nov 21 13:45:41 mx1 postfix-a/smtpd[7]: > unknown[127.0.0.1]: 250-mx1.example.test\n"
      "Nov 21 13:45:41 mx1 postfix-b/smtpd[8]: < unknown[127.0.0.1]: MAIL FROM:<a@b>\n"
      "Nov 21 13:45:41 mx1 postfix-a/smtpd[7]: < unknown[127.0.0.1]: STARTTLS\n"
      "Nov 21 13:45:41 mx1 postfix-a/smtpd[7]: disconnect from unknown[127.0.0.1] ehlo=1 "
      "starttls=0/1 commands=1/2\n"
      "Nov 21 13:45:42 mx1 postfix-b/smtpd[8]: disconnect from unknown[127.0.0.1] mail=1 "
      "commands=1\n"
      "Nov 21 13:45:42 mx1 postfix-a/smtpd[7]: connect from unknown[127.0.0.1]\n";
  const auto sessions = parseSmtpdSessions(log);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].listener, "a");
  EXPECT_EQ(sessions[0].client_commands, (std::vector<std::string>{"EHLO probe.test", "STARTTLS"}));
  EXPECT_EQ(sessions[0].counters.at("starttls"), "0/1");
  EXPECT_EQ(sessions[0].counters.at("commands"), "1/2");
  EXPECT_EQ(sessions[1].listener, "b");
  EXPECT_EQ(sessions[1].client_commands, std::vector<std::string>{"MAIL FROM:<a@b>"});
  EXPECT_EQ(sessions[1].counters.at("mail"), "1");
}

}  // namespace
}  // namespace mh::lab
