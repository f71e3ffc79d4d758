// AccountStore: accounts, sessions and the append-only audit log, one connection behind a mutex.
#include "service/store/account_store.hpp"

#include "checks/core/text.hpp"
#include "service/store/schema.hpp"

namespace mh::service::store {

namespace {

constexpr std::string_view kAccountColumns =
    "id, name, role, domains, token_sha256, created_at, expires_at, revoked_at";

std::vector<std::string> splitDomains(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto comma = std::min(text.find(',', at), text.size());
    if (comma > at) out.emplace_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

Account readAccount(const Statement& s) {
  Account a;
  a.id = s.columnInt(0);
  a.name = s.columnText(1);
  a.role = parseRole(s.columnText(2)).value_or(Role::Agency);
  a.domains = splitDomains(s.columnText(3));
  a.token_sha256 = s.columnText(4);
  a.created_at = s.columnText(5);
  a.expires_at = s.columnOptText(6);
  a.revoked_at = s.columnOptText(7);
  return a;
}

std::optional<std::int64_t> optionalInt(const Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.columnInt(column);
}

}  // namespace

std::string_view toString(Role role) {
  switch (role) {
    case Role::Admin:
      return "admin";
    case Role::Auditor:
      return "auditor";
    case Role::Agency:
      return "agency";
  }
  return "agency";
}

std::optional<Role> parseRole(std::string_view text) {
  for (Role r : {Role::Admin, Role::Auditor, Role::Agency})
    if (text == toString(r)) return r;
  return std::nullopt;
}

bool accountInForce(const Account& account, std::string_view now) {
  if (account.revoked_at) return false;
  return !account.expires_at || std::string_view(*account.expires_at) > now;
}

std::string isoSeconds(std::time_t t) {
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<std::time_t> parseIsoSeconds(std::string_view text) {
  std::tm tm{};
  const std::string head(text.substr(0, 19));
  const char* end = strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

AccountStore::AccountStore(const std::string& path, AccountStoreOptions options)
    : options_(std::move(options)), db_(openDatabase(path)) {
  sqlite3_busy_timeout(db_.get(), options_.busy_timeout_ms);
  Statement(db_.get(), "PRAGMA journal_mode = WAL").run();
  Statement(db_.get(), "PRAGMA foreign_keys = ON").run();
  migrate(db_.get(), nowIso());
}

std::int64_t AccountStore::now() const {
  return options_.clock ? options_.clock() : std::time(nullptr);
}

StatementUse AccountStore::prepared(std::string_view sql) {
  for (auto& [text, statement] : statements_)
    if (text == sql) return StatementUse(*statement);
  statements_.emplace_back(std::string(sql), std::make_unique<Statement>(db_.get(), sql));
  return StatementUse(*statements_.back().second);
}

Account AccountStore::createAccount(const NewAccount& n) {
  std::lock_guard lock(mutex_);
  Account a;
  a.name = n.name;
  a.role = n.role;
  for (const auto& d : n.domains) a.domains.push_back(ascii::lower(d));
  a.token_sha256 = n.token_sha256;
  const auto t = static_cast<std::time_t>(now());
  a.created_at = isoSeconds(t);
  if (n.expires_days) a.expires_at = isoSeconds(t + static_cast<std::time_t>(*n.expires_days) * 86400);
  auto s = prepared(
      "INSERT INTO accounts (name, role, domains, token_sha256, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s->bind(1, a.name).bind(2, toString(a.role)).bind(3, joined(a.domains, ","));
  s->bind(4, a.token_sha256).bind(5, a.created_at).bind(6, a.expires_at).run();
  a.id = sqlite3_last_insert_rowid(db_.get());
  return a;
}

std::vector<Account> AccountStore::accounts() {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kAccountColumns) + " FROM accounts ORDER BY id");
  std::vector<Account> out;
  while (s->step()) out.push_back(readAccount(*s));
  return out;
}

std::optional<Account> AccountStore::account(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE id = ?1");
  s->bind(1, id);
  if (!s->step()) return std::nullopt;
  return readAccount(*s);
}

std::optional<Account> AccountStore::accountByTokenHash(std::string_view token_sha256) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kAccountColumns) +
                    " FROM accounts WHERE token_sha256 = ?1");
  s->bind(1, token_sha256);
  if (!s->step()) return std::nullopt;
  return readAccount(*s);
}

bool AccountStore::revokeAccount(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto s = prepared("UPDATE accounts SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  s->bind(1, id).bind(2, nowIso()).run();
  const bool revoked = sqlite3_changes(db_.get()) > 0;
  auto end = prepared("DELETE FROM sessions WHERE account_id = ?1");
  end->bind(1, id).run();
  return revoked;
}

void AccountStore::createSession(const Session& session) {
  std::lock_guard lock(mutex_);
  const std::string now = nowIso();
  auto s = prepared(
      "INSERT INTO sessions (id_sha256, account_id, config_token_sha256, csrf, client, "
      "created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  s->bind(1, session.id_sha256).bind(2, session.account_id).bind(3, session.config_token_sha256);
  s->bind(4, session.csrf).bind(5, session.client).bind(6, now).run();
}

std::optional<Session> AccountStore::session(std::string_view id_sha256) {
  std::lock_guard lock(mutex_);
  auto s = prepared(
      "SELECT id_sha256, account_id, config_token_sha256, csrf, client, created_at, last_seen_at "
      "FROM sessions WHERE id_sha256 = ?1");
  s->bind(1, id_sha256);
  if (!s->step()) return std::nullopt;
  return Session{s->columnText(0), optionalInt(*s, 1), s->columnOptText(2), s->columnText(3),
                 s->columnText(4), s->columnText(5), s->columnText(6)};
}

void AccountStore::touchSession(std::string_view id_sha256) {
  std::lock_guard lock(mutex_);
  auto s = prepared("UPDATE sessions SET last_seen_at = ?2 WHERE id_sha256 = ?1");
  s->bind(1, id_sha256).bind(2, nowIso()).run();
}

void AccountStore::deleteSession(std::string_view id_sha256) {
  std::lock_guard lock(mutex_);
  auto s = prepared("DELETE FROM sessions WHERE id_sha256 = ?1");
  s->bind(1, id_sha256).run();
}

int AccountStore::deleteStaleSessions(std::string_view idle_cutoff,
                                      std::string_view created_cutoff) {
  std::lock_guard lock(mutex_);
  auto s = prepared("DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2");
  s->bind(1, idle_cutoff).bind(2, created_cutoff).run();
  return sqlite3_changes(db_.get());
}

void AccountStore::audit(const AuditEntry& e) {
  std::lock_guard lock(mutex_);
  auto s = prepared(
      "INSERT INTO audit_log (at, account_id, account_name, client, action, detail, outcome) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s->bind(1, nowIso()).bind(2, e.account_id).bind(3, e.account_name).bind(4, e.client);
  s->bind(5, e.action).bind(6, e.detail).bind(7, e.outcome).run();
}

std::vector<AuditEntry> AccountStore::auditLog(std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto s = prepared(
      "SELECT id, at, account_id, account_name, client, action, detail, outcome FROM audit_log "
      "ORDER BY id DESC LIMIT ?1");
  s->bind(1, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  while (s->step())
    out.push_back({s->columnInt(0), s->columnText(1), optionalInt(*s, 2), s->columnText(3),
                   s->columnText(4), s->columnText(5), s->columnText(6), s->columnText(7)});
  return out;
}

}  // namespace mh::service::store
