// Accounts, dashboard sessions and the audit log of access control (migration 0004), on their own
// connection to the store's file.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/store/sqlite_handle.hpp"

namespace mh::service::store {

enum class Role { Admin, Auditor, Agency };

std::string_view toString(Role role);
std::optional<Role> parseRole(std::string_view text);

struct Account {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::Agency;
  std::vector<std::string> domains;  // lower case; agency accounts only
  std::string token_sha256;
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
};

// True when the account may be used at `now` (ISO 8601 UTC): not revoked, not expired.
bool accountInForce(const Account& account, std::string_view now);

struct NewAccount {
  std::string name;
  Role role = Role::Agency;
  std::vector<std::string> domains;
  std::string token_sha256;
  std::optional<int> expires_days;  // none: never expires
};

struct Session {
  std::string id_sha256;
  std::optional<std::int64_t> account_id;          // none: a configuration token
  std::optional<std::string> config_token_sha256;  // with no account
  std::string csrf;
  std::string client;
  std::string created_at;
  std::string last_seen_at;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::string at;  // set by the store
  std::optional<std::int64_t> account_id;
  std::string account_name;
  std::string client;
  std::string action;
  std::string detail;
  std::string outcome;
};

// ISO 8601 UTC with seconds ("2026-12-07T22:42:25Z") of a time_t, and back (nullopt when
// unreadable; fractions and the zone letter are ignored).
std::string isoSeconds(std::time_t t);
std::optional<std::time_t> parseIsoSeconds(std::string_view text);

struct AccountStoreOptions {
  int busy_timeout_ms = 5000;
  std::function<std::time_t()> clock;  // seconds since the epoch; the system clock when empty
};

// Thread safety: one connection behind one mutex, as SqliteStore.
class AccountStore {
 public:
  // Opens (creating when missing) and migrates the store file at `path`. Throws StoreError.
  explicit AccountStore(const std::string& path, AccountStoreOptions options = {});

  std::int64_t now() const;  // the store's clock, seconds
  std::string nowIso() const { return isoSeconds(static_cast<std::time_t>(now())); }

  // Inserts an account; the created time and expiry come from the store's clock.
  Account createAccount(const NewAccount& account);
  std::vector<Account> accounts();
  std::optional<Account> account(std::int64_t id);
  std::optional<Account> accountByTokenHash(std::string_view token_sha256);
  // Revokes the account and ends its sessions; false when there is no such account or it was
  // revoked already.
  bool revokeAccount(std::int64_t id);

  void createSession(const Session& session);
  std::optional<Session> session(std::string_view id_sha256);
  // Sets last_seen_at to now.
  void touchSession(std::string_view id_sha256);
  void deleteSession(std::string_view id_sha256);
  // Deletes the sessions idle since before `idle_cutoff` or created before `created_cutoff`
  // (ISO texts); returns how many.
  int deleteStaleSessions(std::string_view idle_cutoff, std::string_view created_cutoff);

  // Appends an entry (its `at` is now).
  void audit(const AuditEntry& entry);
  // The newest entries first, at most `limit`.
  std::vector<AuditEntry> auditLog(std::size_t limit);

 private:
  StatementUse prepared(std::string_view sql);

  std::mutex mutex_;
  AccountStoreOptions options_;
  DbPtr db_;
  std::vector<std::pair<std::string, std::unique_ptr<Statement>>> statements_;
};

}  // namespace mh::service::store
