// Tests for service/store/account_store.cpp: accounts keep only their token's hash, revocation
// ends sessions, the audit log is append-only, times round-trip.
#include "service/store/account_store.hpp"

#include <gtest/gtest.h>

#include "service/store/sqlite_store.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::service::store {
namespace {

using http::testing::TempDir;

TEST(AccountStore, AccountsSessionsAndTheAuditLogShareTheStoreFile) {
  TempDir dir;
  const std::string path = (dir.path / "s.db").string();
  SqliteStore results(path);  // migrated by either; both open the same file
  AccountStoreOptions options;
  options.clock = [] { return std::time_t{1'800'000'000}; };
  AccountStore accounts(path, options);
  const Account a = accounts.createAccount(
      {"Bộ Ví dụ", Role::Agency, {"A.gov.vn", "b.gov.vn"}, std::string(64, 'a'), 30});
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.created_at, "2027-01-15T08:00:00Z");
  EXPECT_EQ(a.expires_at, "2027-02-14T08:00:00Z");
  const auto back = accounts.accountByTokenHash(std::string(64, 'a'));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "Bộ Ví dụ");
  EXPECT_EQ(back->domains, (std::vector<std::string>{"a.gov.vn", "b.gov.vn"}));
  EXPECT_TRUE(accountInForce(*back, "2027-02-14T07:59:59Z"));
  EXPECT_FALSE(accountInForce(*back, "2027-02-14T08:00:00Z"));
  EXPECT_FALSE(accounts.accountByTokenHash(std::string(64, 'b')));

  Session s;
  s.id_sha256 = std::string(64, 'c');
  s.account_id = a.id;
  s.csrf = "x";
  s.client = "192.0.2.1";
  accounts.createSession(s);
  ASSERT_TRUE(accounts.session(s.id_sha256));
  EXPECT_EQ(accounts.session(s.id_sha256)->last_seen_at, "2027-01-15T08:00:00Z");
  EXPECT_TRUE(accounts.revokeAccount(a.id));
  EXPECT_FALSE(accounts.session(s.id_sha256)) << "revocation ends the account's sessions";
  EXPECT_TRUE(accounts.account(a.id)->revoked_at);
  EXPECT_FALSE(accountInForce(*accounts.account(a.id), "2000-01-01T00:00:00Z"));

  accounts.audit({0, "", a.id, a.name, "cli", "token_revoke", "account 1", "ok"});
  ASSERT_EQ(accounts.auditLog(5).size(), 1u);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  DbPtr db(raw);
  EXPECT_THROW(Statement(db.get(), "DELETE FROM audit_log").run(), StoreError);
  EXPECT_THROW(Statement(db.get(), "UPDATE audit_log SET outcome = 'x'").run(), StoreError);
}

TEST(AccountStore, StaleSessionsAreDeletedByIdleAndAge) {
  TempDir dir;
  std::time_t now = 1'800'000'000;
  AccountStoreOptions options;
  options.clock = [&] { return now; };
  AccountStore accounts((dir.path / "s.db").string(), options);
  const Account a = accounts.createAccount({"x", Role::Auditor, {}, std::string(64, 'a'), {}});
  for (const char c : {'1', '2'}) {
    Session s;
    s.id_sha256 = std::string(64, c);
    s.account_id = a.id;
    s.csrf = "x";
    accounts.createSession(s);
    now += 3600;
  }
  EXPECT_EQ(accounts.deleteStaleSessions(isoSeconds(now - 3600), isoSeconds(0)), 1);
  EXPECT_FALSE(accounts.session(std::string(64, '1')));
  EXPECT_TRUE(accounts.session(std::string(64, '2')));
  EXPECT_EQ(parseIsoSeconds(isoSeconds(now)), now);
  EXPECT_FALSE(parseIsoSeconds("yesterday"));
}

}  // namespace
}  // namespace mh::service::store
