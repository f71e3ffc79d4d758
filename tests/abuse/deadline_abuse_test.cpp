// Abuse tests (label "abuse") of the audit's deadlines, budgets and caps against hostile servers on
// loopback: TLS handshakes dripped one byte a second (MTA-STS HTTPS host, SMTP STARTTLS), an SMTP
// tarpit that never greets, an MX host with 300 addresses, and a national run over all of them.
// Each asserts that the work ends within its documented bound (a liveness bound far above the
// budget, never a timing) and that what could not be told is `error`, never `fail`.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"
#include "checks/mta_sts/policy_fetch.hpp"
#include "checks/tls/starttls_probe.hpp"
#include "tests/abuse/hostile_servers.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/lab/run_program.hpp"

namespace mh::abuse {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tls::testing::labPki;
using tls::testing::ScriptedServer;
using tls::testing::ServerTls;

// The drip of every hostile TLS server: one byte a second, so a handshake of a few kilobytes
// would take an hour.
constexpr auto kDrip = 1000ms;
// Slack above a budget for the liveness bounds: a busy CI machine, process start, knotd.
constexpr auto kSlack = 8s;

Clock::duration since(Clock::time_point start) {
  return Clock::now() - start;
}

TEST(DeadlineAbuse, MTASTS01_DrippedPolicyHandshakeEndsAtTheFetchDeadline) {
  ASSERT_TRUE(labPki().ok);
  ScriptedServer drip(httpsDrip(kDrip));
  ASSERT_TRUE(drip.ok());
  dns::FixtureResolver f;
  f.addRecord("mta-sts.drip.test. 300 IN A 127.0.0.1");
  mta_sts::PolicyFetchOptions o;
  o.timeout = 2s;
  o.ca_file = labPki().ca_file;
  o.use_system_store = false;
  o.allow_private_targets = true;
  o.https_port = drip.port();
  const auto start = Clock::now();
  const mta_sts::PolicyFetch r = mta_sts::fetchMtaStsPolicy(f, "drip.test", o);
  EXPECT_LT(since(start), o.timeout + kSlack);
  EXPECT_EQ(toString(r.outcome), "timeout") << r.detail;
  EXPECT_TRUE(mta_sts::couldNotTell(r.outcome));
  EXPECT_EQ(drip.accepted(), 1);
}

TEST(DeadlineAbuse, TLS01_DrippedStartTlsHandshakeEndsAtTheAddressBudget) {
  ASSERT_TRUE(labPki().ok);
  ScriptedServer drip(smtpDrip(kDrip));
  ASSERT_TRUE(drip.ok());
  tls::ProbeOptions o;
  o.allow_private_targets = true;
  o.use_system_store = false;
  o.ca_file = labPki().ca_file;
  o.timeouts.budget = 2s;
  const auto start = Clock::now();
  const tls::ProbeResult r = tls::probeStartTls({"mx.drip.test", "127.0.0.1", drip.port()}, o);
  EXPECT_LT(since(start), o.timeouts.budget + kSlack);
  EXPECT_EQ(toString(r.outcome), "timeout") << r.detail;
  EXPECT_TRUE(tls::couldNotTest(r.outcome));
}

// The abuse lab: knotd serving zones of hostile domains, written at run time.
//   drip-mtasts.abuse.test  MX to a closed address; mta-sts.<domain> (127.0.3.1) drips its TLS
//   drip-smtp.abuse.test    MX 127.0.3.2 offers STARTTLS and drips its TLS handshake
//   tarpit.abuse.test       MX 127.0.3.3 accepts and never greets
//   many.abuse.test         one MX host with 300 A records 127.0.4.1 ... 127.0.5.44, tarpits on
//                           the first ten
constexpr const char* kHttpsDripAddress = "127.0.3.1";
constexpr const char* kSmtpDripAddress = "127.0.3.2";
constexpr const char* kTarpitAddress = "127.0.3.3";
constexpr const char* kClosedAddress = "127.0.3.250";
constexpr int kManyAddresses = 300;
constexpr int kManyTarpits = 10;

std::string manyAddress(int i) {
  return "127.0.4." + std::to_string(i + 1);  // i < 254
}

std::string zoneHead(const std::string& domain) {
  return "$TTL 300\n@ SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n"
         "@ NS ns.lab.test.\n@ TXT \"v=spf1 mx -all\"\n"
         "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@" +
         domain + "\"\n";
}

struct AbuseLab {
  fs::path dir;
  std::unique_ptr<lab::KnotLab> knot;
  std::vector<std::string> domains = {"drip-mtasts.abuse.test", "drip-smtp.abuse.test",
                                      "tarpit.abuse.test", "many.abuse.test"};

  AbuseLab() {
    char tmpl[] = "/tmp/mh-abuse.XXXXXX";
    dir = ::mkdtemp(tmpl);
    fs::create_directories(dir / "zones");
    fs::copy_file(lab::zoneDir() / "root.zone", dir / "zones" / "root.zone");
    const auto write = [&](const std::string& domain, const std::string& body) {
      std::ofstream(dir / "zones" / (domain + ".zone")) << zoneHead(domain) << body;
    };
    write("drip-mtasts.abuse.test", std::string("@ MX 10 mx\nmx A ") + kClosedAddress +
                                        "\nmta-sts A " + kHttpsDripAddress +
                                        "\n_mta-sts TXT \"v=STSv1; id=20260101T000000\"\n");
    write("drip-smtp.abuse.test", std::string("@ MX 10 mx\nmx A ") + kSmtpDripAddress + "\n");
    write("tarpit.abuse.test", std::string("@ MX 10 mx\nmx A ") + kTarpitAddress + "\n");
    std::string many = "@ MX 10 mx\n";
    for (int i = 0; i < kManyAddresses; ++i)
      many +=
          "mx A 127.0." + std::to_string(4 + i / 254) + "." + std::to_string(i % 254 + 1) + "\n";
    write("many.abuse.test", many);
    lab::KnotLabOptions o;
    o.zone_dir = dir / "zones";
    knot = std::make_unique<lab::KnotLab>(o);
  }
  ~AbuseLab() {
    knot.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Every hostile server of the lab; the SMTP ones share one port on their own addresses.
struct HostileServers {
  std::unique_ptr<ScriptedServer> smtp_drip, tarpit, https_drip;
  std::vector<std::unique_ptr<ScriptedServer>> many;
  std::uint16_t smtp_port = 0;

  HostileServers() {
    smtp_drip = std::make_unique<ScriptedServer>(smtpDrip(kDrip), ServerTls{}, kSmtpDripAddress);
    smtp_port = smtp_drip->port();
    tarpit =
        std::make_unique<ScriptedServer>(mh::abuse::tarpit, ServerTls{}, kTarpitAddress, smtp_port);
    https_drip = std::make_unique<ScriptedServer>(httpsDrip(kDrip), ServerTls{}, kHttpsDripAddress);
    for (int i = 0; i < kManyTarpits; ++i)
      many.push_back(std::make_unique<ScriptedServer>(mh::abuse::tarpit, ServerTls{},
                                                      manyAddress(i).c_str(), smtp_port));
  }
  bool ok() const {
    bool all = smtp_drip->ok() && tarpit->ok() && https_drip->ok();
    for (const auto& s : many) all = all && s->ok();
    return all;
  }
  int manyAccepted() const {
    int n = 0;
    for (const auto& s : many) n += s->accepted();
    return n;
  }
};

class AuditAbuse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      lab_ = new AbuseLab();
    } catch (const std::exception& e) {
      why_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(lab_, nullptr) << why_;
    ASSERT_TRUE(labPki().ok);
    servers_ = std::make_unique<HostileServers>();
    ASSERT_TRUE(servers_->ok()) << "cannot listen on 127.0.3.x / 127.0.4.x";
  }

  // The scanner options of every run: the abuse lab, short DNS timeouts, loopback allowed.
  std::vector<std::string> scannerArgs() const {
    return {"--resolver",
            "127.0.0.1:" + std::to_string(lab_->knot->port()),
            "--timeout",
            "1",
            "--retries",
            "0",
            "--no-dnssec",
            "--psl",
            std::string(MH_LAB_DIR) + "/public_suffix_list.dat",
            "--smtp-port",
            std::to_string(servers_->smtp_port),
            "--https-port",
            std::to_string(servers_->https_drip->port()),
            "--allow-private-targets",
            "--ca-file",
            labPki().ca_file};
  }

  struct Report {
    lab::ProgramRun run;
    std::map<std::string, std::string> status;                       // check ID -> status
    std::map<std::string, std::vector<std::string>> tags;            // check ID -> finding tags
    std::map<std::string, std::map<std::string, std::string>> args;  // tag -> args (as text)
    bool has(const std::string& id, const std::string& tag) const {
      const auto it = tags.find(id);
      return it != tags.end() &&
             std::find(it->second.begin(), it->second.end(), tag) != it->second.end();
    }
  };

  Report check(const std::string& domain, const std::vector<std::string>& extra) const {
    std::vector<std::string> argv = {MH_CLI_PATH, "check",     domain,     "--format",
                                     "json",      "--domains", "/dev/null"};
    for (const auto& a : scannerArgs()) argv.push_back(a);
    for (const auto& a : extra) argv.push_back(a);
    Report r;
    r.run = lab::runProgram(argv, 120s);
    if (r.run.exit_status != 0) return r;
    Poco::JSON::Parser parser;
    const auto root = parser.parse(r.run.out).extract<Poco::JSON::Object::Ptr>();
    const auto checks = root->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i) {
      const auto c = checks->getObject(static_cast<unsigned>(i));
      const std::string id = c->getValue<std::string>("id");
      r.status[id] = c->getValue<std::string>("status");
      const auto findings = c->getArray("findings");
      for (std::size_t j = 0; j < findings->size(); ++j) {
        const auto f = findings->getObject(static_cast<unsigned>(j));
        const std::string tag = f->getValue<std::string>("tag");
        r.tags[id].push_back(tag);
        if (const auto a = f->getObject("args"))
          for (const auto& [name, value] : *a) r.args[tag][name] = value.toString();
      }
    }
    return r;
  }

  // The MX hosts of every abuse domain could not be tested: no TLS check may accuse it.
  static void expectNoTlsFail(const Report& r) {
    for (const auto& [id, status] : r.status) {
      if (id.starts_with("TLS-")) {
        EXPECT_NE(status, "fail") << id << " accuses the domain of what could not be told";
      }
    }
  }

  static inline AbuseLab* lab_ = nullptr;
  static inline std::string why_;
  std::unique_ptr<HostileServers> servers_;
};

TEST_F(AuditAbuse, MTASTS01_CheckOfADrippingPolicyHostEndsWithinTheDomainBudget) {
  const auto start = Clock::now();
  const Report r = check("drip-mtasts.abuse.test", {"--domain-budget", "4"});
  const auto took = since(start);
  ASSERT_EQ(r.run.exit_status, 0) << r.run.err;
  EXPECT_LT(took, 4s + kSlack);
  EXPECT_EQ(r.status.at("MTASTS-01"), "error");
  EXPECT_TRUE(r.has("MTASTS-01", "AUDIT_BUDGET_EXHAUSTED"));
  EXPECT_EQ(r.args.at("AUDIT_BUDGET_EXHAUSTED").at("budget_s"), "4");
  expectNoTlsFail(r);
  EXPECT_EQ(servers_->https_drip->accepted(), 1);
}

TEST_F(AuditAbuse, TLS01_CheckOfADrippingStartTlsHandshakeEndsWithinTheAddressBudget) {
  const auto start = Clock::now();
  const Report r = check("drip-smtp.abuse.test", {"--smtp-timeout", "2", "--domain-budget", "30"});
  const auto took = since(start);
  ASSERT_EQ(r.run.exit_status, 0) << r.run.err;
  EXPECT_LT(took, 2s + kSlack);
  EXPECT_EQ(r.status.at("TLS-01"), "error");
  EXPECT_TRUE(r.has("TLS-01", "TLS_NOT_TESTED"));
  expectNoTlsFail(r);
}

TEST_F(AuditAbuse, TLS01_CheckOfATarpitThatNeverGreetsEndsWithinTheAddressBudget) {
  const auto start = Clock::now();
  const Report r = check("tarpit.abuse.test", {"--smtp-timeout", "2"});
  const auto took = since(start);
  ASSERT_EQ(r.run.exit_status, 0) << r.run.err;
  EXPECT_LT(took, 2s + kSlack);
  EXPECT_EQ(r.status.at("TLS-01"), "error");
  expectNoTlsFail(r);
}

TEST_F(AuditAbuse, TLS01_AnMxHostWithThreeHundredAddressesIsProbedWithinTheCaps) {
  const auto start = Clock::now();
  const Report r =
      check("many.abuse.test", {"--smtp-timeout", "1", "--max-addresses-per-host", "3"});
  const auto took = since(start);
  ASSERT_EQ(r.run.exit_status, 0) << r.run.err;
  EXPECT_LT(took, 3 * 1s + kSlack);
  EXPECT_EQ(r.status.at("TLS-01"), "error");  // three tarpits: could not tell
  EXPECT_TRUE(r.has("TLS-01", "TLS_ADDRESSES_SKIPPED"));
  EXPECT_EQ(r.args.at("TLS_ADDRESSES_SKIPPED").at("count"), std::to_string(kManyAddresses - 3));
  const auto& tags = r.tags.at("TLS-01");
  EXPECT_EQ(std::count(tags.begin(), tags.end(), "TLS_NOT_TESTED"), 3);  // the probed ones
  EXPECT_LE(servers_->manyAccepted(), 3);  // addresses beyond the cap never contacted
  expectNoTlsFail(r);
}

TEST_F(AuditAbuse, TLS01_TheDomainBudgetCutsTheProbesOfManyTarpits) {
  // Eight addresses (the default cap) of tarpits at 2 s each would take 16 s; the budget is 3 s.
  const auto start = Clock::now();
  const Report r = check("many.abuse.test", {"--smtp-timeout", "2", "--domain-budget", "3"});
  const auto took = since(start);
  ASSERT_EQ(r.run.exit_status, 0) << r.run.err;
  EXPECT_LT(took, 3s + kSlack);
  for (const char* id : {"TLS-01", "TLS-02", "TLS-03", "TLS-04", "MTASTS-01"}) {
    EXPECT_EQ(r.status.at(id), "error") << id;
    EXPECT_TRUE(r.has(id, "AUDIT_BUDGET_EXHAUSTED")) << id;
  }
  EXPECT_LE(servers_->manyAccepted(), 2);
  expectNoTlsFail(r);
}

std::int64_t count(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return -1;
  }
  sqlite3_stmt* stmt = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return n;
}

TEST_F(AuditAbuse, ANationalRunOverTarpitsAndDripsCompletes) {
  const fs::path csv = lab_->dir / "domains.csv";
  const fs::path db = lab_->dir / "national.db";
  {
    std::ofstream out(csv);
    out << "domain,category,group\n";
    for (const auto& d : lab_->domains) out << d << ",agency,abuse\n";
  }
  std::vector<std::string> argv = {
      MH_CLI_PATH,       "audit", "--domains",       csv.string(), "--db",           db.string(),
      "--threads",       "4",     "--recheck-after", "1",          "--smtp-timeout", "2",
      "--domain-budget", "4"};
  for (const auto& a : scannerArgs()) argv.push_back(a);
  const auto start = Clock::now();
  const lab::ProgramRun run = lab::runProgram(argv, 120s);
  const auto took = since(start);
  ASSERT_FALSE(run.timed_out) << run.err;
  ASSERT_EQ(run.exit_status, 0) << run.err;
  // Each domain's first look and its re-check, one budget each, overlapping on 4 threads.
  EXPECT_LT(took, 2 * 4s + 2 * kSlack);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE state = 'complete'"), 1);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT domain_id) FROM domain_results"),
            static_cast<std::int64_t>(lab_->domains.size()));
  // Every domain ended in error, so every one was looked at again within the run.
  EXPECT_EQ(count(db, "SELECT count(DISTINCT domain_id) FROM domain_results WHERE attempt = 2"),
            static_cast<std::int64_t>(lab_->domains.size()));
  // Each stored result's checks (store schema 0002: shared check sets).
  EXPECT_EQ(count(db,
                  "SELECT count(*) FROM domain_results r JOIN check_set_checks c ON "
                  "c.check_set_id = r.check_set_id WHERE c.status = 'fail' AND c.check_id LIKE "
                  "'TLS-%'"),
            0);
  EXPECT_GT(count(db,
                  "SELECT count(*) FROM domain_results r JOIN check_set_checks c ON "
                  "c.check_set_id = r.check_set_id WHERE c.status = 'error' AND c.check_id LIKE "
                  "'TLS-%'"),
            0);  // the queries above read real rows: what could not be told is an error
  EXPECT_EQ(count(db,
                  "SELECT count(*) FROM domain_results r JOIN check_set_checks c ON "
                  "c.check_set_id = r.check_set_id JOIN domains d ON d.id = r.domain_id WHERE "
                  "c.check_id = 'MTASTS-01' AND c.status = 'fail' AND d.name = "
                  "'drip-mtasts.abuse.test'"),
            0);
}

}  // namespace
}  // namespace mh::abuse
