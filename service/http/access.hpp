// Who may see what: the roles, the access each route declares, the decision between them, the
// cross-site rule of cookie sessions, and the Authenticator that turns a bearer token or a session
// cookie into an Identity (README "Who may see what").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "service/http/admin_tokens.hpp"
#include "service/store/account_store.hpp"

namespace mh::service::http {

struct ApiResponse;

// What a route requires, declared in its Route and enforced by the router before the handler.
enum class Access {
  Public,          // anyone, signed in or not
  Account,         // any signed-in account (the session itself)
  Auditor,         // national reads: auditor or admin
  Admin,           // runs, the schedule, accounts: admin
  DomainReader,    // the domain of the route's first {}: auditor, admin, or an agency listing it
  Metrics,         // /metrics: auditor, admin, or a scrape token (access.metrics_token_sha256)
  PublicOverview,  // national aggregates: anyone when access.public_overview, else auditor
};

std::string_view toString(Access access);

enum class Role { Anonymous, Agency, Auditor, Admin, Scraper };

std::string_view toString(Role role);

// Who sent a request.
struct Identity {
  Role role = Role::Anonymous;
  std::string name;                  // the account's name ("" when anonymous)
  std::vector<std::string> domains;  // an agency's domains, lower case
  std::optional<std::int64_t> account_id;
  bool by_cookie = false;    // authenticated by the session cookie (CSRF rules apply)
  std::string session_hash;  // by cookie: the SHA-256 of the cookie value
  std::string csrf;          // by cookie: the session's CSRF token
};

enum class Decision { Allow, Unauthenticated, Forbidden };

// The pure rule: may `who` use a route declaring `access`, with the route's {} values `params`?
Decision decide(Access access, const Identity& who, const std::vector<std::string>& params,
                bool public_overview);

// True when the Origin header value (scheme://host[:port]) names the Host header value; default
// ports (80 for http, 443 for https) may be left out of either.
bool originMatchesHost(std::string_view origin, std::string_view host);

// The cross-site rule: a state-changing request (anything but GET/HEAD/OPTIONS) authenticated by
// the session cookie must carry X-CSRF-Token equal to the session's token, and its Origin, when
// given, must match the Host. Bearer and anonymous requests pass.
bool csrfAllows(std::string_view method, const Identity& who, std::string_view csrf_header,
                std::string_view origin, std::string_view host);

// The JSON errors of access control (no internals).
ApiResponse unauthenticatedResponse();
ApiResponse forbiddenResponse(std::string_view message);
ApiResponse csrfResponse();

struct AccessConfig {
  std::vector<std::string> admin_token_sha256;    // admin.token_sha256: admin bearer tokens
  std::vector<std::string> metrics_token_sha256;  // access.metrics_token_sha256: /metrics only
  int attempts_per_minute = 10;                   // failed bearer/sign-in attempts per client
  int session_idle_minutes = 30;
  int session_max_hours = 12;
  bool public_overview = false;
};

inline constexpr std::string_view kSessionCookie = "mh_session";

// A new dashboard session (signIn).
struct SignedIn {
  Identity who;
  std::string cookie_value;  // sent once in Set-Cookie; only its hash is stored
};

class Authenticator {
 public:
  Authenticator(store::AccountStore& accounts, AccessConfig config);

  // The identity of a request: the bearer token of `authorization` when given (a bad token is
  // 401, a throttled client 429), else the session whose cookie value is `session_cookie`
  // (an unknown or expired one is anonymous), else anonymous.
  std::variant<Identity, ApiResponse> identify(std::string_view authorization,
                                               std::string_view session_cookie,
                                               const std::string& client);

  // Exchanges a token for a session (POST /api/v1/session); 401 for a bad token, 429 when
  // throttled. Audited either way.
  std::variant<SignedIn, ApiResponse> signIn(std::string_view token, const std::string& client);
  // Ends the cookie's session (DELETE /api/v1/session). Audited.
  void signOut(const Identity& who, const std::string& client);

  // Appends to the audit log, naming `who`.
  void audit(const Identity& who, const std::string& client, std::string_view action,
             std::string_view detail, std::string_view outcome);

  bool publicOverview() const { return config_.public_overview; }
  const AccessConfig& config() const { return config_; }

 private:
  // The identity of a token (configuration or account) in force; nullopt when none.
  std::optional<Identity> tokenIdentity(std::string_view token, std::string& config_hash);
  std::optional<Identity> sessionIdentity(std::string_view cookie_value);
  ApiResponse throttled(int wait) const;
  ApiResponse failed(const std::string& client, std::string_view how);

  store::AccountStore& accounts_;
  AccessConfig config_;
  AdminTokens admin_tokens_;
  AdminTokens metrics_tokens_;
  AdminAttempts attempts_;
};

// The body of the session endpoints: {"role", "name", "domains", "csrf"}.
ApiResponse sessionResponse(const Identity& who);

}  // namespace mh::service::http
