// Tests for service/cli/check_command.cpp: usage errors and invalid names exit 2 with a clear
// message.
#include "service/cli/check_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mh::service {
namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  int status = runCheckCommand(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(CheckCommand, HelpExitsZero) {
  auto r = run({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("usage: mailhygiene check DOMAIN"), std::string::npos);
}

TEST(CheckCommand, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"a.gov.vn", "b.gov.vn"},
      {"a.gov.vn", "--bogus"},
      {"a.gov.vn", "--format", "xml"},
      {"a.gov.vn", "--timeout", "-1"},
      {"a.gov.vn", "--timeout"},
      {"a.gov.vn", "--resolver", "not an address"},
      {"a.gov.vn", "--retries", "many"},
      {"a.gov.vn", "--smtp-timeout", "0"},
      {"a.gov.vn", "--smtp-timeout", "soon"},
      {"a.gov.vn", "--dns-in-flight", "0"},
      {"a.gov.vn", "--dns-in-flight", "lots"},
  };
  for (const auto& args : cases) {
    auto r = run(args);
    EXPECT_EQ(r.status, 2) << (args.empty() ? "" : args.back());
    EXPECT_NE(r.err.find("mailhygiene check:"), std::string::npos);
  }
}

TEST(CheckCommand, InvalidDomainNamesExitTwoWithTheReason) {
  for (const char* bad :
       {"localhost", "exa mple.gov.vn", "x-.gov.vn", "a..gov.vn", "bộ công an.vn", "x_y.gov.vn"}) {
    auto r = run({bad, "--resolver", "127.0.0.1:1"});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("invalid domain name"), std::string::npos) << bad;
  }
}

TEST(CheckCommand, UnreadablePublicSuffixListIsAUsageError) {
  auto r = run({"a.gov.vn", "--psl", "/nonexistent/psl.dat", "--resolver", "127.0.0.1:1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("Public Suffix List"), std::string::npos);
}

}  // namespace
}  // namespace mh::service
