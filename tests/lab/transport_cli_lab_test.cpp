// The transport scenarios end to end through `mailhygiene check --format json`: knotd serves the
// tls-*.lab.test zones, whose MX hosts point at 127.0.0.2-10, and the test starts the SMTP server
// of the scenario there (scripted servers with real OpenSSL, or a real Postfix); TLS-01..04 tags
// and statuses are read from the CLI's JSON report.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/lab/knot_lab.hpp"
#include "tests/lab/lab_certificates.hpp"
#include "tests/lab/postfix_lab.hpp"
#include "tests/lab/run_program.hpp"
#include "tests/lab/transport_lab_support.hpp"

#ifdef MH_CLI_PATH

namespace mh::lab {
namespace {

using namespace std::chrono_literals;
using namespace tls::testing;

// The --smtp-timeout of every run: a tarpit must cost this and no more.
constexpr int kSmtpTimeoutSeconds = 3;

enum class ServerKind {
  Good,
  Legacy,
  NoStartTls,
  Expired,
  SelfSigned,
  WrongName,
  Busy,
  Tarpit,
  Postfix
};

struct TransportScenario {
  const char* domain;
  const char* address;  // the A record of mx.<domain>
  ServerKind server;
  std::map<std::string, std::string> statuses;  // check ID -> status in the JSON
  std::vector<std::string> mandatory;           // tags that must appear in TLS-01..04
  std::vector<std::string> forbidden;           // tags that must not
};

void PrintTo(const TransportScenario& s, std::ostream* os) {
  *os << s.domain;
}

// The server a scenario talks to, listening on its address.
struct ScenarioServer {
  std::unique_ptr<ScriptedServer> scripted;
  std::unique_ptr<PostfixLab> postfix;
  std::uint16_t port = 0;
  std::string why;  // why it could not start
};

void noStartTlsServer(ServerConn& c) {
  c.sendLines({"220 mx ESMTP"}, 1ms);
  if (!c.readLine()) return;
  c.sendLines({"250-mx", "250-PIPELINING", "250 8BITMIME"}, 1ms);
  if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 bye\r\n");
}

std::optional<LabCertificate> certificateFor(const std::string& mxHost, LabCertificateSpec spec,
                                             std::string& why) {
  spec.file_name = spec.file_name.empty() ? mxHost : spec.file_name;
  if (spec.host.empty()) spec.host = mxHost;
  return issueLabCertificate(spec, why);
}

ScenarioServer startServer(const TransportScenario& s) {
  ScenarioServer out;
  const std::string mxHost = std::string("mx.") + s.domain;
  std::optional<LabCertificate> cert;
  switch (s.server) {
    case ServerKind::Expired:
      cert =
          certificateFor(mxHost, {.not_before = -10 * 86400s, .not_after = -5 * 86400s}, out.why);
      break;
    case ServerKind::SelfSigned:
      cert = certificateFor(mxHost, {.self_signed = true}, out.why);
      break;
    case ServerKind::WrongName:
      cert = certificateFor(
          mxHost, {.file_name = "other-for-" + mxHost, .host = "other.example.test"}, out.why);
      break;
    default:
      cert = certificateFor(mxHost, {}, out.why);
  }
  if (!cert) return out;

  if (s.server == ServerKind::Postfix) {
    if (::geteuid() != 0) {
      out.why = "the Postfix lab needs root";
      return out;
    }
    PostfixLabOptions o;
    o.hostname = mxHost;
    o.cert_file = cert->cert_file;
    o.key_file = cert->key_file;
    o.listeners = {{.name = "cli", .address = s.address}};
    try {
      out.postfix = std::make_unique<PostfixLab>(o);
      out.port = out.postfix->port("cli");
    } catch (const std::exception& e) {
      out.why = e.what();
    }
    return out;
  }

  ServerTls tls{.cert_file = cert->cert_file,
                .key_file = cert->key_file,
                .cipher_list = "ECDHE+AESGCM:ECDHE+CHACHA20"};
  ScriptedServer::Script script = quickServer;
  switch (s.server) {
    case ServerKind::Legacy:
      tls.min_version = TLS1_VERSION;
      tls.cipher_list = "DEFAULT:@SECLEVEL=0";
      break;
    case ServerKind::NoStartTls:
      script = noStartTlsServer;
      break;
    case ServerKind::Busy:
      script = [](ServerConn& c) { c.send("421 4.3.2 mx too busy, try later\r\n"); };
      break;
    case ServerKind::Tarpit:
      script = [](ServerConn& c) { c.waitForClose(20s); };
      break;
    default:
      break;
  }
  out.scripted = std::make_unique<ScriptedServer>(script, tls, s.address);
  if (!out.scripted->ok()) {
    out.why = std::string("cannot listen on ") + s.address;
    return out;
  }
  out.port = out.scripted->port();
  return out;
}

struct Finding {
  std::string tag, status;
  Poco::JSON::Object::Ptr args;
  std::string arg(const std::string& name) const {
    return args && args->has(name) ? args->getValue<std::string>(name) : "";
  }
};

struct Check {
  std::string status;
  std::vector<Finding> findings;
  bool hasTag(const std::string& tag) const {
    for (const auto& f : findings)
      if (f.tag == tag) return true;
    return false;
  }
  const Finding* find(const std::string& tag) const {
    for (const auto& f : findings)
      if (f.tag == tag) return &f;
    return nullptr;
  }
};

struct CliReport {
  ProgramRun run;
  bool network_checked = false;
  std::map<std::string, Check> checks;  // TLS-01..04 only

  std::string describe() const {
    std::string out;
    for (const auto& [id, c] : checks) {
      out += id + "=" + c.status + " [";
      for (const auto& f : c.findings) out += f.tag + " ";
      out += "]\n";
    }
    return out + "stderr:\n" + run.err;
  }
};

CliReport checkDomain(const std::string& domain, std::uint16_t smtpPort) {
  CliReport r;
  r.run = runProgram({MH_CLI_PATH,
                      "check",
                      domain,
                      "--format",
                      "json",
                      "--resolver",
                      "127.0.0.1:" + std::to_string(sharedLab().port()),
                      "--timeout",
                      "1",
                      "--retries",
                      "1",
                      "--domains",
                      "/dev/null",
                      "--no-dnssec",
                      "--psl",
                      std::string(MH_LAB_DIR) + "/public_suffix_list.dat",
                      "--smtp-port",
                      std::to_string(smtpPort),
                      "--allow-private-targets",
                      "--ca-file",
                      labPki().ca_file,
                      "--ehlo-name",
                      kLabEhloName,
                      "--smtp-timeout",
                      std::to_string(kSmtpTimeoutSeconds)},
                     60s);
  if (r.run.exit_status != 0) return r;
  Poco::JSON::Parser parser;
  const auto root = parser.parse(r.run.out).extract<Poco::JSON::Object::Ptr>();
  r.network_checked = root->optValue<bool>("network_checked", false);
  const auto checks = root->getArray("checks");
  for (std::size_t i = 0; i < checks->size(); ++i) {
    const auto c = checks->getObject(static_cast<unsigned>(i));
    const std::string id = c->getValue<std::string>("id");
    if (!id.starts_with("TLS-")) continue;
    Check check;
    check.status = c->getValue<std::string>("status");
    const auto findings = c->getArray("findings");
    for (std::size_t j = 0; j < findings->size(); ++j) {
      const auto f = findings->getObject(static_cast<unsigned>(j));
      check.findings.push_back({f->getValue<std::string>("tag"), f->getValue<std::string>("status"),
                                f->getObject("args")});
    }
    r.checks[id] = std::move(check);
  }
  return r;
}

class TransportCliLab : public ::testing::TestWithParam<TransportScenario> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(labPki().ok) << "openssl CLI could not make the lab PKI";
    try {
      sharedLab();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }
};

TEST_P(TransportCliLab, ScenarioGivesItsTlsVerdicts) {
  const auto& s = GetParam();
  if (s.server == ServerKind::Postfix && ::geteuid() != 0)
    GTEST_SKIP() << "the Postfix lab needs root";
  const auto server = startServer(s);
  ASSERT_NE(server.port, 0) << server.why;
  const auto report = checkDomain(s.domain, server.port);
  ASSERT_EQ(report.run.exit_status, 0) << report.run.out << report.run.err;
  EXPECT_TRUE(report.network_checked);
  ASSERT_EQ(report.checks.size(), 4u) << report.describe();
  for (const auto& [id, status] : s.statuses)
    EXPECT_EQ(report.checks.at(id).status, status) << id << "\n" << report.describe();
  auto anyCheckHas = [&](const std::string& tag) {
    for (const auto& [id, c] : report.checks)
      if (c.hasTag(tag)) return true;
    return false;
  };
  for (const auto& tag : s.mandatory)
    EXPECT_TRUE(anyCheckHas(tag)) << "lacks " << tag << "\n" << report.describe();
  for (const auto& tag : s.forbidden)
    EXPECT_FALSE(anyCheckHas(tag)) << "has " << tag << "\n" << report.describe();
  // The MX host name went into SNI and the findings.
  const auto& tls01 = report.checks.at("TLS-01");
  ASSERT_FALSE(tls01.findings.empty());
  EXPECT_EQ(tls01.findings[0].arg("host"), std::string("mx.") + s.domain);
  EXPECT_EQ(tls01.findings[0].arg("address"), s.address);
  if (server.scripted && s.server != ServerKind::Busy && s.server != ServerKind::Tarpit &&
      s.server != ServerKind::NoStartTls)
    EXPECT_EQ(server.scripted->sni(), std::string("mx.") + s.domain);
}

const TransportScenario kScenarios[] = {
    {"tls-good.lab.test",
     "127.0.0.2",
     ServerKind::Good,
     {{"TLS-01", "pass"}, {"TLS-02", "pass"}, {"TLS-03", "pass"}, {"TLS-04", "pass"}},
     {"TLS_STARTTLS_OK", "TLS_VERSIONS_OK", "TLS_CIPHERS_OK", "TLS_CERT_OK"},
     {"TLS_NOT_TESTED", "TLS_LEGACY_VERSION_OFFERED"}},
    {"tls-legacy.lab.test",
     "127.0.0.3",
     ServerKind::Legacy,
     {{"TLS-01", "pass"}, {"TLS-02", "warn"}, {"TLS-03", "warn"}, {"TLS-04", "pass"}},
     {"TLS_LEGACY_VERSION_OFFERED", "TLS_CIPHER_PHASE_OUT"},
     {"TLS_SSL_OFFERED", "TLS_CIPHER_INSUFFICIENT"}},
    {"tls-no-starttls.lab.test",
     "127.0.0.4",
     ServerKind::NoStartTls,
     {{"TLS-01", "fail"}, {"TLS-02", "info"}, {"TLS-03", "info"}, {"TLS-04", "info"}},
     {"TLS_STARTTLS_MISSING"},
     {"TLS_NOT_TESTED", "TLS_STARTTLS_OK"}},
    {"tls-expired.lab.test",
     "127.0.0.5",
     ServerKind::Expired,
     {{"TLS-01", "pass"}, {"TLS-04", "fail"}},
     {"TLS_STARTTLS_OK", "TLS_CERT_EXPIRED"},
     {"TLS_CERT_OK", "TLS_CERT_NAME_MISMATCH", "TLS_CERT_SELF_SIGNED"}},
    {"tls-selfsigned.lab.test",
     "127.0.0.6",
     ServerKind::SelfSigned,
     {{"TLS-01", "pass"}, {"TLS-04", "warn"}},
     {"TLS_CERT_SELF_SIGNED"},
     {"TLS_CERT_OK", "TLS_CERT_NAME_MISMATCH", "TLS_CERT_EXPIRED"}},
    {"tls-wrongname.lab.test",
     "127.0.0.7",
     ServerKind::WrongName,
     {{"TLS-01", "pass"}, {"TLS-04", "warn"}},
     {"TLS_CERT_NAME_MISMATCH"},
     {"TLS_CERT_OK", "TLS_CERT_SELF_SIGNED", "TLS_CERT_UNTRUSTED"}},
    // Could not test: error everywhere, never fail (guidance: "could not tell" is error).
    {"tls-busy.lab.test",
     "127.0.0.8",
     ServerKind::Busy,
     {{"TLS-01", "error"}, {"TLS-02", "error"}, {"TLS-03", "error"}, {"TLS-04", "error"}},
     {"TLS_NOT_TESTED", "TLS_ADDRESS_NOT_TESTED"},
     {"TLS_STARTTLS_MISSING"}},
    {"tls-tarpit.lab.test",
     "127.0.0.9",
     ServerKind::Tarpit,
     {{"TLS-01", "error"}, {"TLS-02", "error"}, {"TLS-03", "error"}, {"TLS-04", "error"}},
     {"TLS_NOT_TESTED", "TLS_ADDRESS_NOT_TESTED"},
     {"TLS_STARTTLS_MISSING"}},
    // A real MTA with Debian's TLS defaults: TLS 1.0/1.1 still on, anonymous suites accepted.
    {"tls-postfix.lab.test",
     "127.0.0.10",
     ServerKind::Postfix,
     {{"TLS-01", "pass"}, {"TLS-02", "warn"}, {"TLS-03", "fail"}, {"TLS-04", "pass"}},
     {"TLS_STARTTLS_OK", "TLS_LEGACY_VERSION_OFFERED", "TLS_CIPHER_INSUFFICIENT", "TLS_CERT_OK"},
     {"TLS_NOT_TESTED"}},
};

INSTANTIATE_TEST_SUITE_P(Scenarios, TransportCliLab, ::testing::ValuesIn(kScenarios),
                         [](const auto& info) {
                           std::string name = info.param.domain;
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// The reported reasons of the two could-not-test scenarios: the 421 reply itself, and for the
// tarpit the --smtp-timeout budget that ended the probe. One connection each: no enumeration.
TEST_F(TransportCliLab, BusyAndTarpitReasonsAreReported) {
  const auto& busy = kScenarios[6];
  const auto& tarpit = kScenarios[7];
  ASSERT_EQ(busy.server, ServerKind::Busy);
  ASSERT_EQ(tarpit.server, ServerKind::Tarpit);
  {
    const auto server = startServer(busy);
    ASSERT_NE(server.port, 0) << server.why;
    const auto report = checkDomain(busy.domain, server.port);
    ASSERT_EQ(report.run.exit_status, 0) << report.run.err;
    const Finding* f = report.checks.at("TLS-01").find("TLS_NOT_TESTED");
    ASSERT_NE(f, nullptr) << report.describe();
    EXPECT_EQ(f->status, "error");
    EXPECT_EQ(f->arg("outcome"), "temporary-failure");
    EXPECT_EQ(f->arg("detail"), "greeting: 421 4.3.2 mx too busy, try later");
    EXPECT_EQ(server.scripted->accepted(), 1);
  }
  {
    const auto server = startServer(tarpit);
    ASSERT_NE(server.port, 0) << server.why;
    const auto report = checkDomain(tarpit.domain, server.port);
    ASSERT_EQ(report.run.exit_status, 0) << report.run.err;
    const Finding* f = report.checks.at("TLS-01").find("TLS_NOT_TESTED");
    ASSERT_NE(f, nullptr) << report.describe();
    EXPECT_EQ(f->status, "error");
    EXPECT_EQ(f->arg("outcome"), "timeout");
    const std::string budget =
        "(the per-address budget of " + std::to_string(kSmtpTimeoutSeconds * 1000) + " ms ran out)";
    EXPECT_EQ(f->arg("detail"), "greeting: no reply before the deadline " + budget);
    for (const char* id : {"TLS-02", "TLS-03", "TLS-04"}) {
      const Finding* notJudged = report.checks.at(id).find("TLS_ADDRESS_NOT_TESTED");
      ASSERT_NE(notJudged, nullptr) << id << "\n" << report.describe();
      EXPECT_NE(notJudged->arg("reason").find(budget), std::string::npos)
          << notJudged->arg("reason");
    }
    EXPECT_EQ(server.scripted->accepted(), 1);
  }
}

}  // namespace
}  // namespace mh::lab

#endif  // MH_CLI_PATH
