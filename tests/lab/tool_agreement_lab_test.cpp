// Our protocol enumeration and certificate verdicts against `openssl s_client -starttls smtp` and
// `sslscan --starttls-smtp` run on the same lab servers: the real Postfix of the MTA lab (Debian's
// TLS defaults with TLS 1.0, a hardened one, a wrong name, a self-signed certificate) and the
// in-process good and TLS 1.0 servers of tests/checks/tls/lab_smtp_server.hpp.
//
// What each tool can tell, and so what is compared:
//   * TLS 1.0-1.3: ours, s_client (one pinned handshake per version, with DEFAULT@SECLEVEL=0 so
//     that Debian's OpenSSL 3 client may offer TLS 1.0/1.1) and sslscan (hand-built ClientHellos).
//   * SSLv3, SSLv2: ours and sslscan only; Debian's openssl has no -ssl3/-ssl2 option.
//   * Trust of the chain: ours and s_client (-CAfile lab CA -verify_hostname). sslscan 2.0.7 has
//     no CA option and does not verify chains, so it cannot tell trusted from untrusted.
//   * Name match and self-signedness: ours, s_client's verify code, and sslscan's printed
//     Altnames and Issuer/Subject.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "tests/lab/postfix_lab.hpp"
#include "tests/lab/run_program.hpp"
#include "tests/lab/transport_lab_support.hpp"

namespace mh::lab {
namespace {

using tls::ProtocolVersion;
using tls::Support;
using namespace tls::testing;

// What `openssl s_client` said for one pinned version.
struct SClientRun {
  bool handshake = false;
  std::string protocol;  // "TLSv1.2"
  long verify_code = -1;
  std::string raw;
};

const std::map<ProtocolVersion, std::string> kSClientFlag = {{ProtocolVersion::Tls13, "-tls1_3"},
                                                             {ProtocolVersion::Tls12, "-tls1_2"},
                                                             {ProtocolVersion::Tls11, "-tls1_1"},
                                                             {ProtocolVersion::Tls10, "-tls1"}};

const std::map<ProtocolVersion, std::string> kToolName = {
    {ProtocolVersion::SslV2, "SSLv2"},   {ProtocolVersion::SslV3, "SSLv3"},
    {ProtocolVersion::Tls10, "TLSv1.0"}, {ProtocolVersion::Tls11, "TLSv1.1"},
    {ProtocolVersion::Tls12, "TLSv1.2"}, {ProtocolVersion::Tls13, "TLSv1.3"}};

SClientRun sClient(std::uint16_t port, ProtocolVersion version, const std::string& host) {
  SClientRun r;
  const auto run =
      runProgram({"openssl", "s_client", "-starttls", "smtp", "-name", kLabEhloName, "-connect",
                  "127.0.0.1:" + std::to_string(port), kSClientFlag.at(version), "-cipher",
                  "DEFAULT@SECLEVEL=0", "-servername", host, "-CAfile", labPki().ca_file,
                  "-verify_hostname", host},
                 std::chrono::seconds(20));
  r.raw = run.out + run.err;
  std::smatch m;
  // "New, TLSv1.0, Cipher is ECDHE-ECDSA-AES256-SHA": the version there is the cipher's (a CBC
  // suite says TLSv1.0 even in a TLS 1.1 session); a failed handshake says "Cipher is (NONE)".
  // The session's protocol is in the SSL-Session block ("Protocol  : TLSv1.1"), which s_client
  // prints at once for TLS 1.2 and below; for TLS 1.3 the cipher's version is the protocol.
  if (std::regex_search(run.out, m, std::regex(R"(New, (\S+), Cipher is (\S+))")) &&
      m[2] != "(NONE)") {
    r.handshake = true;
    r.protocol = m[1];
    if (std::regex_search(run.out, m, std::regex(R"(Protocol\s*:\s*(TLSv1(\.[0-3])?))")))
      r.protocol = m[1];
  }
  if (std::regex_search(run.out, m, std::regex(R"(Verify return code: (\d+))")))
    r.verify_code = std::stol(m[1]);
  return r;
}

// What `sslscan --starttls-smtp` printed: protocol lines and the certificate summary.
struct SslscanRun {
  std::map<std::string, bool> enabled;  // "TLSv1.2" -> true
  std::string subject, altnames, issuer;
  std::string raw;
};

SslscanRun sslscan(std::uint16_t port, const std::string& host) {
  SslscanRun r;
  const auto run =
      runProgram({"sslscan", "--starttls-smtp", "--no-colour", "--sni-name=" + host,
                  "--no-ciphersuites", "--no-groups", "--no-heartbleed", "--no-renegotiation",
                  "--no-compression", "--no-fallback", "127.0.0.1:" + std::to_string(port)},
                 std::chrono::seconds(60));
  r.raw = run.out + run.err;
  std::istringstream in(run.out);
  const std::regex protocol(R"(^(SSLv2|SSLv3|TLSv1\.[0-3])\s+(enabled|disabled)\s*$)");
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, protocol)) r.enabled[m[1]] = m[2] == "enabled";
    for (auto [prefix, field] :
         {std::pair{"Subject:", &r.subject}, std::pair{"Altnames:", &r.altnames},
          std::pair{"Issuer:", &r.issuer}})
      if (line.starts_with(prefix)) {
        std::string value = line.substr(std::string_view(prefix).size());
        value.erase(0, value.find_first_not_of(' '));
        *field = value;
      }
  }
  return r;
}

std::string supportName(Support s) {
  return std::string(tls::toString(s));
}

// Runs ours, s_client and sslscan against one server and asserts agreement.
void expectToolsAgree(const std::string& label, std::uint16_t port, const std::string& host) {
  SCOPED_TRACE(label);
  tls::TlsAuditContext ctx(labTlsOptions(port));
  const auto v = auditTls(ctx, mxFor(host, {"127.0.0.1"}));
  const auto& a = v.first();
  ASSERT_TRUE(a.enumeration.has_value()) << explain(v);
  ASSERT_TRUE(a.certificate.has_value()) << explain(v);
  const auto scan = sslscan(port, host);
  ASSERT_EQ(scan.enabled.size(), 6u) << "sslscan printed no protocol table:\n" << scan.raw;

  std::string table;  // printed: what each tool said, for the log of the run
  for (const auto& [version, name] : kToolName) {
    const Support ours = a.enumeration->version(version)->support;
    ASSERT_NE(ours, Support::Unknown) << name << "\n" << explain(v.tls02);
    const bool oursAccepted = ours == Support::Accepted;
    EXPECT_EQ(scan.enabled.at(name), oursAccepted)
        << name << ": ours " << supportName(ours) << ", sslscan says "
        << (scan.enabled.at(name) ? "enabled" : "disabled");
    table += " " + name + " " + (oursAccepted ? "yes" : "no") + "/" +
             (scan.enabled.at(name) ? "yes" : "no");
    if (!kSClientFlag.contains(version)) {  // no -ssl3/-ssl2 in Debian's openssl
      table += "/-";
      continue;
    }
    const auto s = sClient(port, version, host);
    EXPECT_EQ(s.handshake, oursAccepted)
        << name << ": ours " << supportName(ours) << ", s_client:\n"
        << s.raw;
    if (s.handshake) EXPECT_EQ(s.protocol, version == ProtocolVersion::Tls10 ? "TLSv1" : name);
    table += std::string("/") + (s.handshake ? "yes" : "no");
  }

  // Certificate verdicts, from the handshake at the best version.
  const auto best = sClient(port, ProtocolVersion::Tls12, host);
  ASSERT_TRUE(best.handshake) << best.raw;
  const auto& cert = *a.certificate;
  long expectedCode = 0;  // X509_V_OK
  if (cert.trust == tls::CertTrust::SelfSigned)
    expectedCode = 18;  // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
  else if (cert.trust == tls::CertTrust::Trusted && !cert.name_matches)
    expectedCode = 62;  // X509_V_ERR_HOSTNAME_MISMATCH
  else
    ASSERT_EQ(cert.trust, tls::CertTrust::Trusted);
  EXPECT_EQ(best.verify_code, expectedCode)
      << "ours: " << tls::toString(cert.trust) << ", name "
      << (cert.name_matches ? "matches" : "does not match") << "\n"
      << best.raw;
  // sslscan cannot verify a chain; what it prints agrees on the name and on self-signedness.
  EXPECT_EQ(scan.altnames.find("DNS:" + host) != std::string::npos, cert.name_matches)
      << "sslscan Altnames: " << scan.altnames;
  EXPECT_EQ(!scan.issuer.empty() && scan.issuer == scan.subject, cert.self_signed)
      << "sslscan Subject: " << scan.subject << ", Issuer: " << scan.issuer;
  std::printf("[ agree ] %s (ours/sslscan/s_client):%s; certificate %s, s_client verify %ld\n",
              label.c_str(), table.c_str(), std::string(tls::toString(cert.trust)).c_str(),
              best.verify_code);
}

// Like quickServer, but each reply in one write, as Postfix sends them. sslscan 2.0.7 reads each
// SMTP reply with a single recv() and cannot follow a multi-line reply split over several writes
// (see SslscanCannotFollowRepliesSplitAcrossWrites).
void wholeReplyServer(ServerConn& c) {
  c.send(kGreeting[0] + "\r\n" + kGreeting[1] + "\r\n");
  if (!c.readLine()) return;  // EHLO
  std::string ehlo;
  for (const auto& line : kEhloWithStartTls) ehlo += line + "\r\n";
  c.send(ehlo);
  if (!c.readLine()) return;  // STARTTLS
  c.send("220 2.0.0 Ready to start TLS\r\n");
  if (!c.startTls()) return;
  if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 2.0.0 Bye\r\n");
}

const ServerTls kModern{.cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20"};
const ServerTls kTls10{.min_version = TLS1_VERSION, .cipher_list = "DEFAULT:@SECLEVEL=0"};

class ToolAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI";
    ASSERT_TRUE(programExists("openssl")) << "openssl is not installed (scripts/setup-deps.sh)";
    ASSERT_TRUE(programExists("sslscan")) << "sslscan is not installed (scripts/setup-deps.sh)";
  }
};

TEST_F(ToolAgreement, InProcessGoodServer) {
  ScriptedServer server(wholeReplyServer, kModern);
  ASSERT_TRUE(server.ok());
  expectToolsAgree("in-process good server", server.port(), kMxHost);
}

TEST_F(ToolAgreement, InProcessTls10Server) {
  ScriptedServer server(wholeReplyServer, kTls10);
  ASSERT_TRUE(server.ok());
  expectToolsAgree("in-process TLS 1.0 server", server.port(), kMxHost);
}

// Where sslscan cannot tell: the lab's line-by-line server (a multi-line greeting and EHLO reply
// written one line at a time, which RFC 5321 allows) leaves sslscan 2.0.7 reading the second
// greeting line as the EHLO reply, so it scans nothing; our prober and s_client read whole replies.
TEST_F(ToolAgreement, SslscanCannotFollowRepliesSplitAcrossWrites) {
  ScriptedServer server([](ServerConn& c) { goodServer(c, 0, std::chrono::milliseconds(100)); },
                        kModern);
  ASSERT_TRUE(server.ok());
  tls::TlsAuditContext ctx(labTlsOptions(server.port(), false));
  const auto v = auditTls(ctx, mxFor(kMxHost, {"127.0.0.1"}));
  EXPECT_EQ(v.tls01.status, Status::Pass) << explain(v.tls01);
  const auto scan = sslscan(server.port(), kMxHost);
  EXPECT_TRUE(scan.enabled.empty()) << scan.raw;
  EXPECT_NE(scan.raw.find("ERROR: The SMTP service"), std::string::npos) << scan.raw;
  const auto s = sClient(server.port(), ProtocolVersion::Tls13, kMxHost);
  EXPECT_TRUE(s.handshake) << s.raw;
  EXPECT_EQ(s.verify_code, 0) << s.raw;
}

class ToolAgreementPostfix : public ToolAgreement {
 protected:
  void SetUp() override {
    ToolAgreement::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "the Postfix lab needs root";
    try {
      postfix_ = &sharedPostfixLab();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }
  PostfixLab* postfix_ = nullptr;
};

TEST_F(ToolAgreementPostfix, DebianDefaultsWithTls10) {
  expectToolsAgree("postfix debian-defaults", postfix_->port("debian-defaults"), kPostfixMxHost);
}

TEST_F(ToolAgreementPostfix, Modern) {
  expectToolsAgree("postfix modern", postfix_->port("modern"), kPostfixMxHost);
}

TEST_F(ToolAgreementPostfix, WrongNameAndSelfSigned) {
  expectToolsAgree("postfix wrong-name", postfix_->port("wrong-name"), kPostfixMxHost);
  expectToolsAgree("postfix self-signed", postfix_->port("self-signed"), kPostfixMxHost);
}

}  // namespace
}  // namespace mh::lab
