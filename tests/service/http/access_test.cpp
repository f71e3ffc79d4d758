// Tests for service/http/access.cpp: the access decision per role, the CSRF and Origin rules, and
// the Authenticator over a real store file (token hashing and verification, expiry, revocation,
// sessions' idle and absolute expiry, the throttle, the audit log entries).
#include "service/http/access.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "checks/core/text.hpp"
#include "service/http/api.hpp"
#include "service/http/router.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::service::http {
namespace {

using testing::TempDir;

Identity as(Role role, std::vector<std::string> domains = {}) {
  Identity who;
  who.role = role;
  who.name = std::string(toString(role));
  who.domains = std::move(domains);
  if (role != Role::Anonymous) who.account_id = 7;
  return who;
}

TEST(AccessDecision, EachRoleGetsWhatItsAccessAllows) {
  const std::vector<std::string> a = {"a.gov.vn"};
  const auto anon = as(Role::Anonymous), agency = as(Role::Agency, {"a.gov.vn"}),
             auditor = as(Role::Auditor), admin = as(Role::Admin), scraper = as(Role::Scraper);
  for (const auto* who : {&anon, &agency, &auditor, &admin, &scraper})
    EXPECT_EQ(decide(Access::Public, *who, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Auditor, anon, {}, false), Decision::Unauthenticated);
  EXPECT_EQ(decide(Access::Auditor, agency, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::Auditor, auditor, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Auditor, admin, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Auditor, scraper, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::Admin, auditor, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::Admin, admin, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Account, agency, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Account, scraper, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::Metrics, scraper, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::Metrics, agency, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::Metrics, auditor, {}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::PublicOverview, anon, {}, false), Decision::Unauthenticated);
  EXPECT_EQ(decide(Access::PublicOverview, anon, {}, true), Decision::Allow);
  EXPECT_EQ(decide(Access::PublicOverview, auditor, {}, false), Decision::Allow);
}

TEST(AccessDecision, AnAgencyReadsOnlyTheDomainsItLists) {
  const auto agency = as(Role::Agency, {"a.gov.vn"});
  EXPECT_EQ(decide(Access::DomainReader, agency, {"a.gov.vn"}, false), Decision::Allow);
  // The route's value is normalised as the handler does: case and a trailing dot.
  EXPECT_EQ(decide(Access::DomainReader, agency, {"A.Gov.VN."}, false), Decision::Allow);
  EXPECT_EQ(decide(Access::DomainReader, agency, {"b.gov.vn"}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::DomainReader, agency, {"x.a.gov.vn"}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::DomainReader, agency, {"a..gov.vn"}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::DomainReader, agency, {}, false), Decision::Forbidden);
  EXPECT_EQ(decide(Access::DomainReader, as(Role::Anonymous), {"a.gov.vn"}, false),
            Decision::Unauthenticated);
  EXPECT_EQ(decide(Access::DomainReader, as(Role::Auditor), {"b.gov.vn"}, false), Decision::Allow);
}

TEST(AccessCsrf, CookieRequestsThatChangeStateNeedTheTokenFromTheSameOrigin) {
  Identity cookie = as(Role::Agency, {"a.gov.vn"});
  cookie.by_cookie = true;
  cookie.csrf = "c0ffee";
  const std::string host = "mail.cert.vn:8443";
  EXPECT_TRUE(csrfAllows("GET", cookie, "", "https://evil.example", host));
  EXPECT_TRUE(csrfAllows("POST", cookie, "c0ffee", "", host));
  EXPECT_TRUE(csrfAllows("POST", cookie, "c0ffee", "https://mail.cert.vn:8443", host));
  EXPECT_TRUE(csrfAllows("DELETE", cookie, "c0ffee", "https://MAIL.cert.vn:8443", host));
  EXPECT_FALSE(csrfAllows("POST", cookie, "", "", host));
  EXPECT_FALSE(csrfAllows("POST", cookie, "c0ffef", "", host));
  EXPECT_FALSE(csrfAllows("PUT", cookie, "c0ffe", "", host));
  EXPECT_FALSE(csrfAllows("POST", cookie, "c0ffee", "https://evil.example", host));
  EXPECT_FALSE(csrfAllows("POST", cookie, "c0ffee", "null", host));
  // Bearer and anonymous requests carry no ambient credential: no CSRF token needed.
  EXPECT_TRUE(csrfAllows("POST", as(Role::Admin), "", "https://evil.example", host));
  EXPECT_TRUE(csrfAllows("POST", as(Role::Anonymous), "", "", host));
  // A session without a CSRF value never passes.
  cookie.csrf.clear();
  EXPECT_FALSE(csrfAllows("POST", cookie, "", "", host));
}

TEST(AccessCsrf, OriginsMatchTheHostWithOrWithoutTheDefaultPort) {
  EXPECT_TRUE(originMatchesHost("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(originMatchesHost("https://mail.cert.vn", "mail.cert.vn:443"));
  EXPECT_TRUE(originMatchesHost("https://mail.cert.vn:443", "mail.cert.vn"));
  EXPECT_TRUE(originMatchesHost("http://[::1]:8080", "[::1]:8080"));
  EXPECT_FALSE(originMatchesHost("http://127.0.0.1:8081", "127.0.0.1:8080"));
  EXPECT_FALSE(originMatchesHost("https://mail.cert.vn.evil.example", "mail.cert.vn"));
  EXPECT_FALSE(originMatchesHost("null", "mail.cert.vn"));
  EXPECT_FALSE(originMatchesHost("", "mail.cert.vn"));
}

// The OpenAPI document says who may use each operation (x-access) as its route declares it.
TEST(AccessOpenApi, EveryApiRouteIsDocumentedWithItsAccess) {
  const std::string text = openApiDocument().text;
  auto doc = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  auto paths = doc->getObject("paths");
  int documented = 0;
  for (const auto& route : serviceRoutes()) {
    const bool page = !route.pattern.starts_with("/api/") && !route.pattern.starts_with("/reports") &&
                      route.pattern != "/healthz" && route.pattern != "/metrics";
    if (page) continue;  // the dashboard's pages and assets
    std::string path = route.pattern;
    for (auto at = path.find("{}"); at != std::string::npos; at = path.find("{}")) {
      const bool id = path.substr(0, at).ends_with("/runs/") || path.substr(0, at).ends_with("/self-check/");
      path.replace(at, 2, id ? "{id}" : "{domain}");
    }
    auto item = paths->getObject(path);
    ASSERT_TRUE(item) << path << " is not in openapi.json";
    std::string method = route.method;
    for (char& c : method) c = ascii::lower(c);
    auto op = item->getObject(method);
    ASSERT_TRUE(op) << route.method << " " << path << " is not in openapi.json";
    EXPECT_EQ(op->optValue<std::string>("x-access", "<none>"), toString(route.access))
        << route.method << " " << path;
    // A public route answers 401 only to a bad sign-in.
    const bool open = route.access == Access::Public && route.body != RouteBody::SignIn;
    EXPECT_EQ(op->getObject("responses")->has("401"), !open) << route.method << " " << path;
    ++documented;
  }
  EXPECT_GT(documented, 30);
}

// An Authenticator over a store file whose clock the test moves.
class AuthenticatorTest : public ::testing::Test {
 protected:
  static constexpr const char* kConfigToken = "configured-admin-token-0123456789abcdef";
  static constexpr const char* kScrapeToken = "configured-scrape-token-0123456789abcdef";

  AuthenticatorTest() {
    store::AccountStoreOptions options;
    options.clock = [this] { return static_cast<std::time_t>(now_.load()); };
    accounts_ = std::make_unique<store::AccountStore>((dir_.path / "a.db").string(), options);
    AccessConfig config;
    config.admin_token_sha256 = {sha256Hex(kConfigToken)};
    config.metrics_token_sha256 = {sha256Hex(kScrapeToken)};
    config.attempts_per_minute = 3;
    config.session_idle_minutes = 30;
    config.session_max_hours = 12;
    auth_ = std::make_unique<Authenticator>(*accounts_, config);
  }

  // A new account with a random token; returns the token.
  std::string account(store::Role role, std::vector<std::string> domains,
                      std::optional<int> expires_days = std::nullopt) {
    const std::string token = randomHex(32);
    accounts_->createAccount(
        {"acct-" + std::string(store::toString(role)), role, domains, sha256Hex(token),
         expires_days});
    return token;
  }

  Identity identify(const std::string& authorization, const std::string& cookie = "",
                    const std::string& client = "192.0.2.1") {
    auto r = auth_->identify(authorization, cookie, client);
    if (auto* error = std::get_if<ApiResponse>(&r)) {
      Identity failed;
      failed.name = "status " + std::to_string(error->status);
      return failed;
    }
    return std::get<Identity>(r);
  }

  std::atomic<std::int64_t> now_{1'800'000'000};
  TempDir dir_;
  std::unique_ptr<store::AccountStore> accounts_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, TokensAreStoredAsTheirHashAndVerified) {
  const std::string token = account(store::Role::Agency, {"a.gov.vn"});
  const auto stored = accounts_->accounts();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].token_sha256, sha256Hex(token));
  EXPECT_NE(stored[0].token_sha256, token);
  EXPECT_EQ(token.size(), 64u) << "256 random bits as hex";
  EXPECT_NE(account(store::Role::Agency, {"a.gov.vn"}), token) << "every token is new";

  const Identity who = identify("Bearer " + token);
  EXPECT_EQ(who.role, Role::Agency);
  EXPECT_EQ(who.domains, std::vector<std::string>{"a.gov.vn"});
  EXPECT_FALSE(who.by_cookie);
  EXPECT_EQ(identify("Bearer " + token.substr(0, 63) + "0").name, "status 401");
  EXPECT_EQ(identify("Basic " + token).name, "status 401");
  EXPECT_EQ(identify("").role, Role::Anonymous);
  EXPECT_EQ(identify(std::string("Bearer ") + kConfigToken).role, Role::Admin);
  EXPECT_EQ(identify(std::string("Bearer ") + kScrapeToken, "", "192.0.2.2").role, Role::Scraper);
}

TEST_F(AuthenticatorTest, ExpiredAndRevokedAccountsAreRefused) {
  const std::string expiring = account(store::Role::Auditor, {}, 1);
  const std::string revoked = account(store::Role::Auditor, {});
  EXPECT_EQ(identify("Bearer " + expiring).role, Role::Auditor);
  now_ += 86400 - 1;
  EXPECT_EQ(identify("Bearer " + expiring).role, Role::Auditor) << "a second before expiry";
  now_ += 1;
  EXPECT_EQ(identify("Bearer " + expiring, "", "192.0.2.7").name, "status 401") << "at expiry";
  ASSERT_TRUE(accounts_->revokeAccount(2));
  EXPECT_FALSE(accounts_->revokeAccount(2)) << "revoked once";
  EXPECT_EQ(identify("Bearer " + revoked, "", "192.0.2.8").name, "status 401");
}

TEST_F(AuthenticatorTest, FailedAttemptsAreThrottledBeforeTheTokenIsLookedAt) {
  const std::string token = account(store::Role::Auditor, {});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(identify("Bearer wrong-token-0123456789abcdef0123456789").name, "status 401");
  EXPECT_EQ(identify("Bearer " + token).name, "status 429");
  auto signIn = auth_->signIn(token, "192.0.2.1");
  ASSERT_TRUE(std::holds_alternative<ApiResponse>(signIn));
  EXPECT_EQ(std::get<ApiResponse>(signIn).status, 429);
  EXPECT_EQ(identify("Bearer " + token, "", "192.0.2.99").role, Role::Auditor)
      << "another client is not affected";
}

TEST_F(AuthenticatorTest, SessionsExpireWhenIdleOrOldAndEndWithTheirAccount) {
  const std::string token = account(store::Role::Agency, {"a.gov.vn"});
  auto in = auth_->signIn(token, "192.0.2.1");
  ASSERT_TRUE(std::holds_alternative<SignedIn>(in));
  const auto session = std::get<SignedIn>(in);
  EXPECT_EQ(session.cookie_value.size(), 64u);
  EXPECT_EQ(session.who.csrf.size(), 64u);
  EXPECT_TRUE(accounts_->session(sha256Hex(session.cookie_value))) << "stored by its hash";
  EXPECT_FALSE(accounts_->session(session.cookie_value)) << "never by its value";

  Identity who = identify("", session.cookie_value);
  EXPECT_EQ(who.role, Role::Agency);
  EXPECT_TRUE(who.by_cookie);
  EXPECT_EQ(who.csrf, session.who.csrf);
  // Idle: used every 29 minutes, it lives on; 30 minutes untouched, it is gone.
  for (int i = 0; i < 10; ++i) {
    now_ += 29 * 60;
    EXPECT_EQ(identify("", session.cookie_value).role, Role::Agency) << i;
  }
  now_ += 30 * 60;
  EXPECT_EQ(identify("", session.cookie_value).role, Role::Anonymous);
  EXPECT_FALSE(accounts_->session(sha256Hex(session.cookie_value))) << "deleted when found stale";

  // Absolute: 12 hours after sign-in, however busy.
  const auto busy = std::get<SignedIn>(auth_->signIn(token, "192.0.2.1"));
  for (int i = 0; i < 24; ++i) {
    now_ += 29 * 60;
    EXPECT_EQ(identify("", busy.cookie_value).role, Role::Agency) << i;
  }
  now_ += 29 * 60;
  EXPECT_EQ(identify("", busy.cookie_value).role, Role::Anonymous) << "past 12 hours";

  // Revoking the account ends its sessions at once.
  const auto live = std::get<SignedIn>(auth_->signIn(token, "192.0.2.1"));
  EXPECT_EQ(identify("", live.cookie_value).role, Role::Agency);
  ASSERT_TRUE(accounts_->revokeAccount(1));
  EXPECT_EQ(identify("", live.cookie_value).role, Role::Anonymous);
  EXPECT_FALSE(std::holds_alternative<SignedIn>(auth_->signIn(token, "192.0.2.3")));
}

TEST_F(AuthenticatorTest, AConfigurationTokenSignsInAsAdminAndAScrapeTokenCannot) {
  auto in = auth_->signIn(kConfigToken, "192.0.2.1");
  ASSERT_TRUE(std::holds_alternative<SignedIn>(in));
  EXPECT_EQ(identify("", std::get<SignedIn>(in).cookie_value).role, Role::Admin);
  EXPECT_FALSE(std::holds_alternative<SignedIn>(auth_->signIn(kScrapeToken, "192.0.2.2")));
}

TEST_F(AuthenticatorTest, SignInsFailuresAndSignOutsAreAudited) {
  const std::string token = account(store::Role::Agency, {"a.gov.vn"});
  const auto in = std::get<SignedIn>(auth_->signIn(token, "192.0.2.1"));
  (void)auth_->signIn("not-a-token-0123456789abcdef0123456789", "192.0.2.5");
  (void)identify("Bearer not-a-token-0123456789abcdef0123456789", "", "192.0.2.6");
  auth_->signOut(in.who, "192.0.2.1");
  EXPECT_EQ(identify("", in.cookie_value).role, Role::Anonymous) << "signed out server-side";
  auth_->audit(in.who, "192.0.2.1", "admin_action", "POST /api/v1/runs", "202");

  const auto log = accounts_->auditLog(10);  // newest first
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[4].action, "sign_in");
  EXPECT_EQ(log[4].outcome, "ok");
  EXPECT_EQ(log[4].account_id, 1);
  EXPECT_EQ(log[4].account_name, "acct-agency");
  EXPECT_EQ(log[4].client, "192.0.2.1");
  EXPECT_EQ(log[4].at, "2027-01-15T08:00:00Z");
  EXPECT_EQ(log[3].action, "sign_in_failed");
  EXPECT_EQ(log[3].detail, "session");
  EXPECT_EQ(log[3].outcome, "denied");
  EXPECT_EQ(log[3].client, "192.0.2.5");
  EXPECT_FALSE(log[3].account_id);
  EXPECT_EQ(log[2].action, "sign_in_failed");
  EXPECT_EQ(log[2].detail, "bearer");
  EXPECT_EQ(log[1].action, "sign_out");
  EXPECT_EQ(log[0].action, "admin_action");
  EXPECT_EQ(log[0].detail, "POST /api/v1/runs");
  EXPECT_EQ(log[0].outcome, "202");
  for (const auto& e : log) EXPECT_EQ(e.detail.find(token), std::string::npos) << "no token";
}

}  // namespace
}  // namespace mh::service::http
