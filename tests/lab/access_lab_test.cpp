// Lab tests of access control on a real `mailhygiene serve`: every route of serviceRoutes() for
// every role (anonymous, an agency of one domain, an agency of another, auditor, admin, a revoked
// token, an expired token) against a table that must name every route; an agency's download equal
// to the CLI export; the session cookie, CSRF and Origin rules; the audit log.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "service/http/router.hpp"
#include "service/store/account_store.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/lab/run_program.hpp"
#include "tests/lab/serve_process.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::lab {
namespace {

using service::http::testing::call;
using service::http::testing::HttpResult;
using service::http::testing::TempDir;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The identities of the table's columns, in order.
enum Who { Anonymous, AgencyA, AgencyB, Auditor, Admin, Revoked, Expired, kWho };
constexpr const char* kWhoNames[] = {"anonymous", "agency a", "agency b", "auditor",
                                     "admin",     "revoked",  "expired"};

// Per column: A allowed (any answer but 401/403), U 401, F 403.
const std::string kPublic = "AAAAAUU";
const std::string kAuditor = "UFFAAUU";
const std::string kAdmin = "UFFFAUU";
const std::string kDomainA = "UAFAAUU";  // the route's domain is a.lab.test
const std::string kAccount = "UAAAAUU";

// Every route ("METHOD pattern") with what each identity gets. A route of the service missing
// here fails the test: a new route must say who may use it here too.
std::map<std::string, std::string> expectedTable() {
  std::map<std::string, std::string> t = {
      {"GET /healthz", kPublic},
      {"GET /metrics", kAuditor},
      {"GET /api/v1/openapi.json", kPublic},
      {"GET /api/v1/rubric", kPublic},
      {"GET /api/v1/domains", kAuditor},
      {"GET /api/v1/domains/{}", kDomainA},
      {"GET /api/v1/domains/{}/history", kDomainA},
      {"GET /api/v1/domains/{}/changes", kDomainA},
      {"POST /api/v1/self-check", kPublic},
      {"GET /api/v1/self-check/{}", kPublic},
      {"GET /api/v1/runs", kAuditor},
      {"POST /api/v1/runs", kAdmin},
      {"GET /api/v1/runs/{}", kAuditor},
      {"GET /api/v1/schedule", kAuditor},
      {"GET /api/v1/trend", kAuditor},
      {"GET /api/v1/overview/public", kAuditor},  // access.public_overview is off by default
      {"POST /api/v1/session", kPublic},  // the token of the body decides: 401 for revoked, expired
      {"GET /api/v1/session", kAccount},
      {"DELETE /api/v1/session", kAccount},
      {"GET /reports", kAuditor},
      {"GET /", kPublic},
      {"GET /domain/{}", kPublic},
      {"GET /self-check", kPublic},
      {"GET /sign-in", kPublic},
      {"GET /assets/{}", kPublic},
  };
  for (const char* kind : {"national", "matrix", "groups", "trend", "regressions"}) {
    for (const char* format : {"csv", "xlsx"}) {
      const std::string file = std::string(kind) + "." + format;
      t["GET /reports/" + file] = kAuditor;
      t["GET /reports/runs/{}/" + file] = kAuditor;
    }
  }
  t["GET /reports/domains/{}/history.csv"] = kDomainA;
  t["GET /reports/domains/{}/history.xlsx"] = kDomainA;
  return t;
}

// The pattern with each {} filled: a run id, a job id, an asset, else the domain a.lab.test.
std::string concretePath(const std::string& pattern) {
  std::string path = pattern;
  for (auto at = path.find("{}"); at != std::string::npos; at = path.find("{}")) {
    const std::string before = path.substr(0, at);
    std::string value = "a.lab.test";
    if (before.ends_with("/runs/")) value = "1";
    if (before.ends_with("/self-check/")) value = "0123456789abcdef0123456789abcdef";
    if (before.ends_with("/assets/")) value = "app.css";
    path.replace(at, 2, value);
  }
  return path;
}

// One complete national run of both domains (written before serve starts).
void storeANationalRun(const std::string& db) {
  service::store::SqliteStore store(db);
  std::vector<service::DomainEntry> entries;
  for (const char* d : {"a.lab.test", "b.lab.test"}) {
    service::DomainEntry e;
    e.domain = d;
    e.category = "agency";
    e.group = "lab";
    entries.push_back(e);
  }
  store.upsertDomains(entries);
  const auto run = store.startRun(service::store::RunKind::National, "test", "test", "{}");
  for (const auto& e : entries) {
    service::store::DomainReportRow row;
    row.domain = e.domain;
    row.score = e.domain == "a.lab.test" ? 95 : 40;
    row.grade = e.domain == "a.lab.test" ? "A" : "F";
    row.tier = e.domain == "a.lab.test" ? "baseline" : "non_compliant";
    row.started_at = "2026-11-20T08:00:01Z";
    CheckResult dmarc;
    dmarc.id = "DMARC-02";
    dmarc.status = e.domain == "a.lab.test" ? Status::Pass : Status::Fail;
    row.checks.push_back(dmarc);
    ASSERT_TRUE(store.recordDomainResult(run, row));
  }
  store.finishRun(run, service::store::RunState::Complete);
}

// The token `mailhygiene token create` prints as its last line.
std::string createToken(const std::string& db, const std::vector<std::string>& options) {
  return mh::lab::createToken(MH_CLI_PATH, db, options);
}

// A serve over a.lab.test and b.lab.test with one national run and a token per identity.
class AccessLab : public ::testing::Test {
 protected:
  AccessLab() {
    db_ = (dir_.path / "serve.db").string();
    storeANationalRun(db_);
    tokens_[AgencyA] = createToken(db_, {"--role", "agency", "--domains", "a.lab.test", "--name",
                                         "Agency A"});
    tokens_[AgencyB] = createToken(db_, {"--role", "agency", "--domains", "b.lab.test", "--name",
                                         "Agency B"});
    tokens_[Auditor] = createToken(db_, {"--role", "auditor", "--name", "CERT auditor"});
    tokens_[Admin] = createToken(db_, {"--role", "admin", "--name", "CERT admin"});
    tokens_[Revoked] = createToken(db_, {"--role", "auditor", "--name", "Gone"});
    const ProgramRun revoke = runProgram({MH_CLI_PATH, "token", "revoke", "--db", db_, "5"});
    EXPECT_EQ(revoke.exit_status, 0) << revoke.err;
    {
      // Made ten days ago for one day.
      service::store::AccountStoreOptions past;
      past.clock = [] { return std::time(nullptr) - 10 * 86400; };
      service::store::AccountStore accounts(db_, past);
      tokens_[Expired] = service::http::randomHex(32);
      accounts.createAccount({"Old", service::store::Role::Auditor, {},
                              service::http::sha256Hex(tokens_[Expired]), 1});
    }
    std::ofstream(dir_.path / "domains.csv") << "domain,category,group\n"
                                             << "a.lab.test,agency,lab\nb.lab.test,agency,lab\n";
    std::ofstream(dir_.path / "mh.ini")
        << "[serve]\ntrusted_proxies = 127.0.0.1\n"
        << "[admin]\nattempts_per_minute = 1000\n"
        << "[selfcheck]\nrate_per_client_per_minute = 1000\nmax_jobs_per_client = 64\n";
    process_ = std::make_unique<ServeProcess>(
        MH_CLI_PATH,
        std::vector<std::string>{"--config", (dir_.path / "mh.ini").string(), "--port", "0",
                                 "--domains", (dir_.path / "domains.csv").string(), "--db", db_,
                                 "--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "0.2",
                                 "--retries", "0", "--psl",
                                 std::string(MH_LAB_DIR) + "/public_suffix_list.dat"},
        dir_.path / "serve.log");
    port_ = process_->listeningPort();
  }
  ~AccessLab() override { process_->terminate(); }

  Headers bearer(Who who) const {
    if (who == Anonymous) return {};
    return {{"Authorization", "Bearer " + tokens_[who]}};
  }

  HttpResult ask(const std::string& method, const std::string& path, Who who,
                 const std::string& body = "") {
    return call(port_, method, path, body, bearer(who));
  }

  TempDir dir_;
  std::string db_;
  std::string tokens_[kWho];
  std::unique_ptr<ServeProcess> process_;
  std::uint16_t port_ = 0;
};

TEST_F(AccessLab, EveryRouteForEveryRoleAnswersAsTheTableSays) {
  ASSERT_NE(port_, 0) << process_->log();
  auto table = expectedTable();
  std::set<std::string> seen;
  for (const auto& route : service::http::serviceRoutes()) {
    const std::string key = route.method + " " + route.pattern;
    seen.insert(key);
    auto it = table.find(key);
    if (it == table.end()) {
      ADD_FAILURE() << key << " is not in the access table of this test (access "
                    << service::http::toString(route.access) << ")";
      continue;
    }
    const std::string path = concretePath(route.pattern);
    for (int w = 0; w < kWho; ++w) {
      const Who who = static_cast<Who>(w);
      std::string body;
      if (route.pattern == "/api/v1/self-check") body = R"({"domain": "a.lab.test"})";
      if (key == "POST /api/v1/session") body = "{\"token\": \"" + tokens_[who] + "\"}";
      // The sign-in reads its token from the body only.
      const HttpResult r = key == "POST /api/v1/session"
                               ? call(port_, "POST", path, body)
                               : ask(route.method, path, who, body);
      const char expected = it->second[w];
      const char got = r.status == 401 ? 'U' : r.status == 403 ? 'F' : 'A';
      EXPECT_EQ(got, expected) << key << " as " << kWhoNames[w] << ": " << r.status << " "
                               << r.body.substr(0, 200);
      if (got == 'U') {
        EXPECT_NE(r.body.find(R"("code":"unauthenticated")"), std::string::npos) << key;
        EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer") << key;
      }
      if (got == 'F') {
        EXPECT_NE(r.body.find(R"("code":"forbidden")"), std::string::npos) << key;
      }
      if (got == 'A') {
        EXPECT_LT(r.status, 500) << key << " as " << kWhoNames[w] << " " << r.body;
      }
    }
  }
  for (const auto& [key, row] : table) EXPECT_TRUE(seen.count(key)) << key << " is no route";
}

TEST_F(AccessLab, AnAgencyGetsItsDomainsDownloadAsTheCliExportsIt) {
  ASSERT_NE(port_, 0) << process_->log();
  const HttpResult csv = ask("GET", "/reports/domains/a.lab.test/history.csv", AgencyA);
  ASSERT_EQ(csv.status, 200) << csv.body;
  const ProgramRun cli = runProgram(
      {MH_CLI_PATH, "report", "--db", db_, "--kind", "history", "--domain", "a.lab.test"});
  ASSERT_EQ(cli.exit_status, 0) << cli.err;
  EXPECT_EQ(csv.body, cli.out);
  EXPECT_NE(csv.body.find("a.lab.test"), std::string::npos);
  EXPECT_EQ(ask("GET", "/reports/domains/b.lab.test/history.csv", AgencyA).status, 403);
  EXPECT_EQ(ask("GET", "/reports/national.csv", AgencyA).status, 403);
  // The auditor's national CSV is the CLI's too.
  const HttpResult national = ask("GET", "/reports/national.csv", Auditor);
  const ProgramRun nationalCli = runProgram({MH_CLI_PATH, "report", "--db", db_});
  EXPECT_EQ(national.body, nationalCli.out);
}

// The Set-Cookie header of a sign-in, and the value of mh_session in it.
std::string cookieValue(const std::string& set_cookie) {
  const auto start = set_cookie.find("mh_session=") + 11;
  return set_cookie.substr(start, set_cookie.find(';', start) - start);
}

TEST_F(AccessLab, SessionsCarryTheirCookieRulesAndCsrf) {
  ASSERT_NE(port_, 0) << process_->log();
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  auto in = call(port_, "POST", "/api/v1/session", "{\"token\": \"" + tokens_[Admin] + "\"}");
  ASSERT_EQ(in.status, 200) << in.body;
  const auto j = Poco::JSON::Parser().parse(in.body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(j->getValue<std::string>("role"), "admin");
  EXPECT_EQ(j->getValue<std::string>("name"), "CERT admin");
  EXPECT_EQ(j->getArray("domains")->size(), 0u);
  const std::string csrf = j->getValue<std::string>("csrf");
  EXPECT_GE(csrf.size(), 32u);
  const std::string setCookie = in.header("Set-Cookie");
  EXPECT_NE(setCookie.find("; HttpOnly"), std::string::npos) << setCookie;
  EXPECT_NE(setCookie.find("; SameSite=Strict"), std::string::npos) << setCookie;
  EXPECT_NE(setCookie.find("; Path=/"), std::string::npos) << setCookie;
  EXPECT_EQ(setCookie.find("Secure"), std::string::npos) << "plain HTTP: " << setCookie;
  const std::string value = cookieValue(setCookie);
  EXPECT_GE(value.size(), 32u) << "at least 128 bits";
  const Headers cookie = {{"Cookie", "other=1; mh_session=" + value}};

  auto me = call(port_, "GET", "/api/v1/session", "", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_NE(me.body.find("\"csrf\":\"" + csrf + "\""), std::string::npos) << me.body;
  EXPECT_EQ(call(port_, "GET", "/api/v1/runs", "", cookie).status, 200);
  // A state change by cookie: the CSRF token, and no foreign Origin.
  auto noToken = call(port_, "POST", "/api/v1/runs", "", cookie);
  EXPECT_EQ(noToken.status, 403);
  EXPECT_NE(noToken.body.find(R"("code":"csrf")"), std::string::npos) << noToken.body;
  Headers withToken = cookie;
  withToken.emplace_back("X-CSRF-Token", csrf);
  Headers foreign = withToken;
  foreign.emplace_back("Origin", "http://evil.example");
  EXPECT_EQ(call(port_, "POST", "/api/v1/runs", "", foreign).status, 403);
  Headers sameOrigin = withToken;
  sameOrigin.emplace_back("Origin", origin);
  EXPECT_EQ(call(port_, "POST", "/api/v1/runs", "", sameOrigin).status, 202);
  // A bearer needs no CSRF token.
  EXPECT_EQ(ask("POST", "/api/v1/runs", Admin).status, 409) << "the run is in progress";
  // A sign-in from a foreign page is refused; over HTTPS (a trusted proxy says so) the cookie is
  // Secure.
  EXPECT_EQ(call(port_, "POST", "/api/v1/session", "{\"token\": \"" + tokens_[Auditor] + "\"}",
                 {{"Origin", "http://evil.example"}})
                .status,
            403);
  auto https = call(port_, "POST", "/api/v1/session", "{\"token\": \"" + tokens_[Auditor] + "\"}",
                    {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(https.status, 200);
  EXPECT_NE(https.header("Set-Cookie").find("; Secure"), std::string::npos);
  auto bad = call(port_, "POST", "/api/v1/session", R"({"token": "not-a-token-0123456789abcdef0"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.header("Set-Cookie"), "");

  // Sign-out: 204, the cookie cleared, the session gone server-side.
  EXPECT_EQ(call(port_, "DELETE", "/api/v1/session", "", cookie).status, 403) << "CSRF";
  auto out = call(port_, "DELETE", "/api/v1/session", "", withToken);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("Set-Cookie").find("mh_session=;"), std::string::npos);
  EXPECT_NE(out.header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call(port_, "GET", "/api/v1/session", "", cookie).status, 401);
  EXPECT_EQ(call(port_, "GET", "/api/v1/runs", "", cookie).status, 401);

  // Revoking an account ends its sessions.
  auto agency =
      call(port_, "POST", "/api/v1/session", "{\"token\": \"" + tokens_[AgencyB] + "\"}");
  const Headers agencyCookie = {{"Cookie", "mh_session=" + cookieValue(agency.header("Set-Cookie"))}};
  EXPECT_EQ(call(port_, "GET", "/api/v1/domains/b.lab.test", "", agencyCookie).status, 200);
  EXPECT_EQ(call(port_, "GET", "/api/v1/domains/a.lab.test", "", agencyCookie).status, 403);
  ASSERT_EQ(runProgram({MH_CLI_PATH, "token", "revoke", "--db", db_, "2"}).exit_status, 0);
  EXPECT_EQ(call(port_, "GET", "/api/v1/domains/b.lab.test", "", agencyCookie).status, 401);

  // The audit log: sign-ins, the failed one, the admin actions with their outcome, sign-out.
  service::store::AccountStore accounts(db_);
  std::multiset<std::string> entries;
  for (const auto& e : accounts.auditLog(100))
    entries.insert(e.action + " " + e.account_name + " " + e.detail + " " + e.outcome);
  EXPECT_EQ(entries.count("sign_in CERT admin session ok"), 1u);
  EXPECT_EQ(entries.count("sign_in CERT auditor session ok"), 1u);
  EXPECT_EQ(entries.count("sign_in_failed  session denied"), 1u);
  EXPECT_EQ(entries.count("admin_action CERT admin POST /api/v1/runs 202"), 1u);
  EXPECT_EQ(entries.count("admin_action CERT admin POST /api/v1/runs 409"), 1u);
  EXPECT_EQ(entries.count("sign_out CERT admin session ok"), 1u);
  EXPECT_EQ(entries.count("token_revoke  account 2 ok"), 1u);
}

}  // namespace
}  // namespace mh::lab
