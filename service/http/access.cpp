// The access rules, the CSRF rule, and identities from bearer tokens and session cookies.
#include "service/http/access.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/text.hpp"
#include "service/http/api.hpp"

namespace mh::service::http {

namespace {

// A session's last_seen_at is written at most this often (not on every request).
constexpr std::int64_t kTouchEverySeconds = 60;

bool isAccount(Role r) {
  return r == Role::Agency || r == Role::Auditor || r == Role::Admin;
}

bool readsEverything(Role r) {
  return r == Role::Auditor || r == Role::Admin;
}

Role roleOf(store::Role r) {
  switch (r) {
    case store::Role::Admin:
      return Role::Admin;
    case store::Role::Auditor:
      return Role::Auditor;
    case store::Role::Agency:
      return Role::Agency;
  }
  return Role::Anonymous;
}

// "https://Host:443" -> {"https", "host:443"}; the scheme and the authority lower-cased.
std::pair<std::string, std::string> splitOrigin(std::string_view origin) {
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos) return {"", ""};
  return {ascii::lower(origin.substr(0, sep)), ascii::lower(origin.substr(sep + 3))};
}

// An authority without the scheme's default port ("[::1]:443" -> "[::1]" for https).
std::string withoutDefaultPort(std::string authority, std::string_view scheme) {
  const std::string_view port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!port.empty() && authority.size() > port.size() && authority.ends_with(port))
    authority.resize(authority.size() - port.size());
  return authority;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::Public:
      return "public";
    case Access::Account:
      return "account";
    case Access::Auditor:
      return "auditor";
    case Access::Admin:
      return "admin";
    case Access::DomainReader:
      return "domain_reader";
    case Access::Metrics:
      return "metrics";
    case Access::PublicOverview:
      return "public_overview";
  }
  return "admin";
}

std::string_view toString(Role role) {
  switch (role) {
    case Role::Anonymous:
      return "anonymous";
    case Role::Agency:
      return "agency";
    case Role::Auditor:
      return "auditor";
    case Role::Admin:
      return "admin";
    case Role::Scraper:
      return "metrics";
  }
  return "anonymous";
}

Decision decide(Access access, const Identity& who, const std::vector<std::string>& params,
                bool public_overview) {
  if (access == Access::Public) return Decision::Allow;
  if (access == Access::PublicOverview && public_overview) return Decision::Allow;
  if (who.role == Role::Anonymous) return Decision::Unauthenticated;
  bool allowed = false;
  switch (access) {
    case Access::Public:
      allowed = true;
      break;
    case Access::Account:
      allowed = isAccount(who.role);
      break;
    case Access::Auditor:
    case Access::PublicOverview:
      allowed = readsEverything(who.role);
      break;
    case Access::Admin:
      allowed = who.role == Role::Admin;
      break;
    case Access::Metrics:
      allowed = readsEverything(who.role) || who.role == Role::Scraper;
      break;
    case Access::DomainReader: {
      if (readsEverything(who.role)) {
        allowed = true;
      } else if (who.role == Role::Agency && !params.empty()) {
        std::string error;
        const auto domain = audit::normaliseDomainArgument(params.front(), error);
        allowed = domain && std::find(who.domains.begin(), who.domains.end(), *domain) !=
                                who.domains.end();
      }
      break;
    }
  }
  return allowed ? Decision::Allow : Decision::Forbidden;
}

bool originMatchesHost(std::string_view origin, std::string_view host) {
  const auto [scheme, authority] = splitOrigin(origin);
  if (authority.empty() || host.empty()) return false;
  return withoutDefaultPort(authority, scheme) == withoutDefaultPort(ascii::lower(host), scheme);
}

bool csrfAllows(std::string_view method, const Identity& who, std::string_view csrf_header,
                std::string_view origin, std::string_view host) {
  if (method == "GET" || method == "HEAD" || method == "OPTIONS") return true;
  if (!who.by_cookie) return true;
  if (!origin.empty() && !originMatchesHost(origin, host)) return false;
  return !who.csrf.empty() && constantTimeEquals(csrf_header, who.csrf);
}

ApiResponse unauthenticatedResponse() {
  ApiResponse r;
  r.status = 401;
  r.body = Json::object({{"error", "sign-in required"}, {"code", "unauthenticated"}});
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

ApiResponse forbiddenResponse(std::string_view message) {
  ApiResponse r;
  r.status = 403;
  r.body = Json::object({{"error", message}, {"code", "forbidden"}});
  return r;
}

ApiResponse csrfResponse() {
  ApiResponse r;
  r.status = 403;
  r.body = Json::object(
      {{"error", "cross-site request refused: send X-CSRF-Token from the same origin"},
       {"code", "csrf"}});
  return r;
}

ApiResponse sessionResponse(const Identity& who) {
  Json domains = Json::array();
  for (const auto& d : who.domains) domains.push(d);
  ApiResponse r;
  r.body = Json::object({{"role", toString(who.role)},
                         {"name", who.name},
                         {"domains", domains},
                         {"csrf", who.csrf}});
  return r;
}

Authenticator::Authenticator(store::AccountStore& accounts, AccessConfig config)
    : accounts_(accounts),
      config_(std::move(config)),
      admin_tokens_(config_.admin_token_sha256),
      metrics_tokens_(config_.metrics_token_sha256),
      attempts_(config_.attempts_per_minute) {}

std::optional<Identity> Authenticator::tokenIdentity(std::string_view token,
                                                     std::string& config_hash) {
  if (token.size() < kMinAdminTokenLength) return std::nullopt;
  if (admin_tokens_.matchesToken(token)) {
    config_hash = sha256Hex(token);
    return Identity{Role::Admin, "configuration token", {}, std::nullopt, false, "", ""};
  }
  auto account = accounts_.accountByTokenHash(sha256Hex(token));
  if (account && accountInForce(*account, accounts_.nowIso())) {
    Identity who;
    who.role = roleOf(account->role);
    who.name = account->name;
    if (who.role == Role::Agency) who.domains = account->domains;
    who.account_id = account->id;
    return who;
  }
  if (metrics_tokens_.matchesToken(token))
    return Identity{Role::Scraper, "metrics scrape token", {}, std::nullopt, false, "", ""};
  return std::nullopt;
}

std::optional<Identity> Authenticator::sessionIdentity(std::string_view cookie_value) {
  if (cookie_value.empty() || cookie_value.size() > 256) return std::nullopt;
  const std::string hash = sha256Hex(cookie_value);
  auto session = accounts_.session(hash);
  if (!session) return std::nullopt;
  const std::int64_t now = accounts_.now();
  const auto created = store::parseIsoSeconds(session->created_at);
  const auto seen = store::parseIsoSeconds(session->last_seen_at);
  const bool fresh = created && seen &&
                     now - *seen < std::int64_t{config_.session_idle_minutes} * 60 &&
                     now - *created < std::int64_t{config_.session_max_hours} * 3600;
  std::optional<Identity> who;
  if (fresh && session->account_id) {
    auto account = accounts_.account(*session->account_id);
    if (account && accountInForce(*account, accounts_.nowIso())) {
      who = Identity{roleOf(account->role), account->name, {}, account->id, true, hash,
                     session->csrf};
      if (who->role == Role::Agency) who->domains = account->domains;
    }
  } else if (fresh && session->config_token_sha256 &&
             admin_tokens_.containsHash(*session->config_token_sha256)) {
    who = Identity{Role::Admin, "configuration token", {}, std::nullopt, true, hash,
                   session->csrf};
  }
  if (!who) {
    accounts_.deleteSession(hash);
    return std::nullopt;
  }
  if (now - *seen >= kTouchEverySeconds) accounts_.touchSession(hash);
  return who;
}

ApiResponse Authenticator::throttled(int wait) const {
  ApiResponse r;
  r.status = 429;
  r.body = Json::object({{"error", "too many failed sign-in attempts; retry later"},
                         {"code", "too_many_attempts"}});
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  return r;
}

ApiResponse Authenticator::failed(const std::string& client, std::string_view how) {
  attempts_.failed(client);
  audit(Identity{}, client, "sign_in_failed", how, "denied");
  return unauthenticatedResponse();
}

std::variant<Identity, ApiResponse> Authenticator::identify(std::string_view authorization,
                                                            std::string_view session_cookie,
                                                            const std::string& client) {
  if (!authorization.empty()) {
    if (int wait = attempts_.wait(client); wait > 0) return throttled(wait);
    const auto token = bearerToken(authorization);
    std::string configHash;
    auto who = token ? tokenIdentity(*token, configHash) : std::nullopt;
    if (!who) return failed(client, "bearer");
    return *who;
  }
  if (auto who = sessionIdentity(session_cookie)) return *who;
  return Identity{};
}

std::variant<SignedIn, ApiResponse> Authenticator::signIn(std::string_view token,
                                                          const std::string& client) {
  if (int wait = attempts_.wait(client); wait > 0) return throttled(wait);
  std::string configHash;
  auto who = tokenIdentity(token, configHash);
  if (!who || who->role == Role::Scraper) return failed(client, "session");
  const std::int64_t now = accounts_.now();
  accounts_.deleteStaleSessions(
      store::isoSeconds(static_cast<std::time_t>(now - config_.session_idle_minutes * 60LL)),
      store::isoSeconds(static_cast<std::time_t>(now - config_.session_max_hours * 3600LL)));
  SignedIn in{*who, randomHex(32)};
  in.who.by_cookie = true;
  in.who.session_hash = sha256Hex(in.cookie_value);
  in.who.csrf = randomHex(32);
  store::Session session;
  session.id_sha256 = in.who.session_hash;
  session.account_id = who->account_id;
  if (!who->account_id) session.config_token_sha256 = configHash;
  session.csrf = in.who.csrf;
  session.client = client;
  accounts_.createSession(session);
  audit(in.who, client, "sign_in", "session", "ok");
  return in;
}

void Authenticator::signOut(const Identity& who, const std::string& client) {
  if (!who.by_cookie) return;
  accounts_.deleteSession(who.session_hash);
  audit(who, client, "sign_out", "session", "ok");
}

void Authenticator::audit(const Identity& who, const std::string& client, std::string_view action,
                          std::string_view detail, std::string_view outcome) {
  store::AuditEntry e;
  e.account_id = who.account_id;
  e.account_name = who.name;
  e.client = client;
  e.action = std::string(action);
  e.detail = std::string(detail);
  e.outcome = std::string(outcome);
  accounts_.audit(e);
}

}  // namespace mh::service::http
