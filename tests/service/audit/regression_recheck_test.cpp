// Tests for the choice of domains re-checked because a check regressed since the previous run.
#include "service/audit/regression_recheck.hpp"

#include <gtest/gtest.h>

namespace mh::service {
namespace {

audit::DomainReport reportWith(std::vector<std::pair<std::string, Status>> statuses) {
  audit::DomainReport r;
  r.domain = "x.gov.vn";
  for (auto& [id, status] : statuses) {
    CheckResult c;
    c.id = id;
    c.status = status;
    r.checks.push_back(std::move(c));
  }
  return r;
}

struct RegressionCase {
  const char* name;
  Status before;
  Status after;
  bool regressed;
};

// Only a verdict that got worse is a regression; "could not tell" never is.
const RegressionCase kCases[] = {
    {"pass to fail", Status::Pass, Status::Fail, true},
    {"pass to warn", Status::Pass, Status::Warn, true},
    {"warn to fail", Status::Warn, Status::Fail, true},
    {"fail to pass", Status::Fail, Status::Pass, false},
    {"pass to error", Status::Pass, Status::Error, false},
    {"error to fail", Status::Error, Status::Fail, false},
    {"pass to n/a", Status::Pass, Status::Na, false},
    {"info to fail", Status::Info, Status::Fail, false},
    {"fail stays fail", Status::Fail, Status::Fail, false},
};

TEST(RegressedChecks, FollowsTheTrendDefinitionOfWorse) {
  for (const auto& c : kCases) {
    const CheckStatuses baseline{{"DMARC-02", c.before}};
    const auto got = regressedChecks(baseline, reportWith({{"DMARC-02", c.after}}));
    EXPECT_EQ(!got.empty(), c.regressed) << c.name;
  }
}

TEST(RegressedChecks, NamesEveryRegressedCheckAndIgnoresChecksMissingOnOneSide) {
  const CheckStatuses baseline{
      {"SPF-01", Status::Pass}, {"DMARC-01", Status::Pass}, {"TLS-02", Status::Pass}};
  const auto got = regressedChecks(baseline, reportWith({{"SPF-01", Status::Fail},
                                                         {"DMARC-01", Status::Pass},
                                                         {"TLS-02", Status::Warn},
                                                         {"DANE-01", Status::Fail}}));
  EXPECT_EQ(got, (std::vector<std::string>{"SPF-01", "TLS-02"}));
}

TEST(StatusesByDomain, GroupsStoreRowsPerDomain) {
  const std::vector<store::CheckStatusRow> rows = {{"a.gov.vn", "SPF-01", Status::Pass},
                                                   {"a.gov.vn", "DMARC-01", Status::Fail},
                                                   {"b.gov.vn", "SPF-01", Status::Error}};
  const auto by = statusesByDomain(rows);
  ASSERT_EQ(by.size(), 2u);
  EXPECT_EQ(by.at("a.gov.vn").at("DMARC-01"), Status::Fail);
  EXPECT_EQ(by.at("b.gov.vn").at("SPF-01"), Status::Error);
}

}  // namespace
}  // namespace mh::service
