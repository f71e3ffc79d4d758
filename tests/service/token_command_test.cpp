// Tests for service/cli/token_command.cpp: create prints the token once as its last line and
// stores only the hash; list never shows a token; revoke ends the account; all audited.
#include "service/cli/token_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "service/http/admin_tokens.hpp"
#include "service/store/account_store.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::service {
namespace {

using http::testing::TempDir;

std::string lastLine(const std::string& text) {
  const auto end = text.find_last_not_of('\n');
  const auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

TEST(TokenCommand, CreateListRevoke) {
  TempDir dir;
  const std::string db = (dir.path / "sub" / "m.db").string();
  std::ostringstream out, err;
  ASSERT_EQ(runTokenCommand({"create", "--db", db, "--role", "agency", "--domains",
                             "A.gov.vn, b.gov.vn", "--name", "Sở A", "--expires", "90"},
                            out, err),
            0)
      << err.str();
  const std::string token = lastLine(out.str());
  EXPECT_EQ(token.size(), 64u) << out.str();
  store::AccountStore accounts(db);
  ASSERT_EQ(accounts.accounts().size(), 1u);
  EXPECT_EQ(accounts.accounts()[0].token_sha256, http::sha256Hex(token));
  EXPECT_EQ(accounts.accounts()[0].domains, (std::vector<std::string>{"a.gov.vn", "b.gov.vn"}));
  EXPECT_TRUE(accounts.accounts()[0].expires_at);

  std::ostringstream list, listErr;
  ASSERT_EQ(runTokenCommand({"list", "--db", db}, list, listErr), 0);
  EXPECT_NE(list.str().find("Sở A\tagency\ta.gov.vn,b.gov.vn"), std::string::npos) << list.str();
  EXPECT_EQ(list.str().find(token), std::string::npos) << "never the token";
  EXPECT_EQ(list.str().find(http::sha256Hex(token)), std::string::npos) << "nor its hash";

  std::ostringstream rev, revErr;
  ASSERT_EQ(runTokenCommand({"revoke", "--db", db, "1"}, rev, revErr), 0) << revErr.str();
  EXPECT_TRUE(accounts.account(1)->revoked_at);
  std::ostringstream again, againErr;
  EXPECT_EQ(runTokenCommand({"revoke", "--db", db, "1"}, again, againErr), 0);
  EXPECT_NE(again.str().find("already"), std::string::npos);
  EXPECT_EQ(runTokenCommand({"revoke", "--db", db, "9"}, again, againErr), 2);

  const auto log = accounts.auditLog(10);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2].action, "token_create");
  EXPECT_EQ(log[1].action, "token_revoke");
  EXPECT_EQ(log[1].outcome, "ok");
  EXPECT_EQ(log[0].outcome, "already revoked");
}

TEST(TokenCommand, BadArgumentsAreUsageErrors) {
  TempDir dir;
  const std::string db = (dir.path / "m.db").string();
  std::ostringstream out, err;
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "root", "--name", "x"}, out, err), 2);
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "agency", "--name", "x"}, out, err), 2)
      << "an agency needs its domains";
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "auditor", "--name", "x",
                             "--domains", "a.gov.vn"},
                            out, err),
            2);
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "agency", "--name", "x",
                             "--domains", "bad..name"},
                            out, err),
            2);
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "admin", "--name", "x",
                             "--expires", "0"},
                            out, err),
            2);
  EXPECT_EQ(runTokenCommand({"create", "--db", db, "--role", "admin"}, out, err), 2);
  EXPECT_EQ(runTokenCommand({"list", "--db", (dir.path / "none.db").string()}, out, err), 2);
  EXPECT_EQ(runTokenCommand({"drop"}, out, err), 2);
  EXPECT_EQ(runTokenCommand({"revoke", "--db", db}, out, err), 2);
}

}  // namespace
}  // namespace mh::service
