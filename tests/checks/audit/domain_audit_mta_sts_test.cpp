// Tests of auditDomain's MTASTS-01 end to end on loopback: a policy fetched over HTTPS from an
// in-test server and the MX's STARTTLS probed on a scripted SMTP server (the lab PKI of
// tests/checks/tls/lab_smtp_server.hpp), so the policy is judged against the MX certificate.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/fixture_resolver.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/tls/tls_check.hpp"
#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::audit {
namespace {

using namespace std::chrono_literals;
using tls::testing::labPki;
using tls::testing::quickServer;
using tls::testing::ScriptedServer;
using tls::testing::ServerConn;
using tls::testing::ServerTls;

// example.test: one MX (mx1.example.test, the lab certificates' name) and the policy host
// mta-sts.example.test (the lab's *.example.test certificate), both on 127.0.0.1.
constexpr const char* kZone = R"(example.test MX 10 mx1.example.test
mx1.example.test A 127.0.0.1
mta-sts.example.test A 127.0.0.1
_mta-sts.example.test TXT "v=STSv1; id=20260301"
example.test TXT "v=spf1 mx -all")";

std::string policyBody(std::string_view mode) {
  return "version: STSv1\nmode: " + std::string(mode) +
         "\nmx: mx1.example.test\nmax_age: 1209600\n";
}

// Serves one policy file over TLS to every connection.
ScriptedServer::Script policyServer(std::string body) {
  return [body = std::move(body)](ServerConn& c) {
    if (!c.startTls()) return;
    while (auto line = c.readLine())
      if (line->empty()) break;
    c.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  };
}

void noStartTlsServer(ServerConn& c) {
  c.sendLines({"220 mx1.example.test ESMTP"}, 1ms);
  if (!c.readLine()) return;
  c.sendLines({"250-mx1.example.test", "250 8BITMIME"}, 1ms);
  if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
}

void busyServer(ServerConn& c) {
  c.send("421 4.3.2 too busy\r\n");
}

struct Audited {
  DomainReport report;
  const CheckResult* mtaSts() const { return report.find("MTASTS-01"); }
  const CheckResult* tls01() const { return report.find("TLS-01"); }
  const CheckResult* tls04() const { return report.find("TLS-04"); }
};

class MtaStsAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI";
    psl_ = dmarc::PublicSuffixList::load(MH_PSL_FILE);
    ASSERT_TRUE(psl_);
  }

  // Audits example.test with the policy `mode` served over HTTPS and `smtp` as its MX;
  // probe == false is --no-smtp for the MX (the policy is still fetched).
  Audited audit(std::string_view mode, const ScriptedServer::Script& smtp, const ServerTls& smtpTls,
                bool probe = true) {
    Audited run;
    ScriptedServer https(
        policyServer(policyBody(mode)),
        ServerTls{.cert_file = labPki().pem("wildcard"), .key_file = labPki().key("wildcard")});
    ScriptedServer mx(smtp, smtpTls);
    EXPECT_TRUE(https.ok() && mx.ok());

    mta_sts::PolicyFetchOptions fetch;
    fetch.timeout = 5s;
    fetch.ca_file = labPki().ca_file;
    fetch.use_system_store = false;
    fetch.allow_private_targets = true;
    fetch.https_port = https.port();

    tls::TlsAuditOptions tlsOptions;
    tlsOptions.smtp_port = mx.port();
    tlsOptions.allow_private_targets = true;
    tlsOptions.ca_file = labPki().ca_file;
    tlsOptions.enumerate = false;
    tlsOptions.timeouts.connect = 2s;
    tlsOptions.timeouts.greeting = 2s;
    tlsOptions.timeouts.reply = 2s;
    tlsOptions.timeouts.handshake = 2s;
    tlsOptions.timeouts.budget = 4s;
    tls::TlsAuditContext context(tlsOptions);

    AuditOptions options;
    options.psl = psl_.get();
    options.mta_sts_fetch = &fetch;
    options.tls = probe ? &context : nullptr;
    dns::FixtureResolver resolver;
    resolver.addZone(kZone);
    run.report = auditDomain(resolver, "example.test", options);
    return run;
  }

  // The cross-check's verdict of the MX's one address, from the MTASTS-01 evidence.
  static std::string verdict(const CheckResult& r) {
    const Json* cross = r.evidence.find("mx_starttls");
    if (cross == nullptr) return "(not judged)";
    const auto& hosts = cross->find("hosts")->asArray();
    if (hosts.size() != 1) return "(" + std::to_string(hosts.size()) + " hosts)";
    const auto& addresses = hosts[0].find("addresses")->asArray();
    if (addresses.size() != 1) return "(" + std::to_string(addresses.size()) + " addresses)";
    return addresses[0].find("verdict")->asString();
  }

  static std::string explain(const CheckResult& r) {
    std::string out = r.id + " " + std::string(toString(r.status)) + ":";
    for (const auto& f : r.findings) out += "\n  " + f.tag + " " + renderMessage(f);
    return out;
  }

  std::unique_ptr<dmarc::PublicSuffixList> psl_;
};

TEST_F(MtaStsAudit, EnforceWithATrustedMxCertificatePasses) {
  const Audited run = audit("enforce", quickServer, ServerTls{});
  ASSERT_NE(run.mtaSts(), nullptr);
  EXPECT_EQ(run.mtaSts()->status, Status::Pass) << explain(*run.mtaSts());
  EXPECT_TRUE(run.mtaSts()->hasTag("MTASTS_POLICY_ENFORCED"));
  EXPECT_EQ(verdict(*run.mtaSts()), "valid");
}

TEST_F(MtaStsAudit, EnforceWithASelfSignedMxCertificateFails) {
  const Audited run = audit(
      "enforce", quickServer,
      ServerTls{.cert_file = labPki().pem("selfsigned"), .key_file = labPki().key("selfsigned")});
  ASSERT_NE(run.mtaSts(), nullptr);
  ASSERT_NE(run.tls04(), nullptr);
  EXPECT_TRUE(run.tls04()->hasTag("TLS_CERT_SELF_SIGNED")) << explain(*run.tls04());
  EXPECT_EQ(run.mtaSts()->status, Status::Fail) << explain(*run.mtaSts());
  ASSERT_TRUE(run.mtaSts()->hasTag("MTASTS_ENFORCE_MX_CERT_INVALID"));
  EXPECT_FALSE(run.mtaSts()->hasTag("MTASTS_POLICY_ENFORCED"));
  for (const auto& f : run.mtaSts()->findings)
    if (f.tag == "MTASTS_ENFORCE_MX_CERT_INVALID") {
      EXPECT_EQ(f.argText("host"), "mx1.example.test");
      EXPECT_EQ(f.argText("address"), "127.0.0.1");
      EXPECT_EQ(f.argText("reason"), "self-signed");
    }
  EXPECT_NE(run.mtaSts()->remediation.vi.find("mode: testing"), std::string::npos);
  // The report carries both languages of the new finding.
  const Json json = toJson(run.report);
  EXPECT_NE(json.dump().find("MTASTS_ENFORCE_MX_CERT_INVALID"), std::string::npos);
}

TEST_F(MtaStsAudit, TestingWithAWrongNameMxCertificateWarns) {
  const Audited run = audit(
      "testing", quickServer,
      ServerTls{.cert_file = labPki().pem("wrongname"), .key_file = labPki().key("wrongname")});
  ASSERT_NE(run.mtaSts(), nullptr);
  EXPECT_EQ(run.mtaSts()->status, Status::Warn) << explain(*run.mtaSts());
  EXPECT_TRUE(run.mtaSts()->hasTag("MTASTS_TESTING_MX_CERT_INVALID"));
  EXPECT_TRUE(run.mtaSts()->hasTag("MTASTS_MODE_TESTING"));
}

TEST_F(MtaStsAudit, EnforceWithoutStartTlsFails) {
  const Audited run = audit("enforce", noStartTlsServer, ServerTls{});
  ASSERT_NE(run.mtaSts(), nullptr);
  ASSERT_NE(run.tls01(), nullptr);
  EXPECT_TRUE(run.tls01()->hasTag("TLS_STARTTLS_MISSING"));
  EXPECT_EQ(run.mtaSts()->status, Status::Fail) << explain(*run.mtaSts());
  EXPECT_TRUE(run.mtaSts()->hasTag("MTASTS_ENFORCE_MX_NO_STARTTLS"));
  EXPECT_EQ(verdict(*run.mtaSts()), "no_starttls");
}

TEST_F(MtaStsAudit, EnforceWithABusyMxDoesNotAccuse) {
  const Audited run = audit("enforce", busyServer, ServerTls{});
  ASSERT_NE(run.mtaSts(), nullptr);
  ASSERT_NE(run.tls01(), nullptr);
  EXPECT_EQ(run.tls01()->status, Status::Error) << explain(*run.tls01());
  EXPECT_EQ(run.mtaSts()->status, Status::Pass) << explain(*run.mtaSts());
  for (const auto& f : run.mtaSts()->findings) EXPECT_EQ(f.tag.find("_MX_"), std::string::npos);
  EXPECT_EQ(verdict(*run.mtaSts()), "not_tested");
}

TEST_F(MtaStsAudit, WithoutTheSmtpProbeNothingIsSaidAboutTheMx) {
  const Audited run = audit("enforce", noStartTlsServer, ServerTls{}, false);
  ASSERT_NE(run.mtaSts(), nullptr);
  EXPECT_EQ(run.tls01(), nullptr);
  EXPECT_EQ(run.mtaSts()->status, Status::Pass) << explain(*run.mtaSts());
  EXPECT_EQ(run.mtaSts()->evidence.find("mx_starttls"), nullptr);
}

}  // namespace
}  // namespace mh::audit
