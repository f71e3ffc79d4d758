// Tests for checks/core/check_result.cpp: status aggregation, templates, remediation.
#include "checks/core/check_result.hpp"

#include <gtest/gtest.h>

namespace mh {
namespace {

constexpr TagSpec kTags[] = {
    {"X_TOO_MANY", "X-01", "{count} lookups", "Reduce to {limit}.", "Giảm xuống {limit}.",
     "{count} lượt truy vấn"},
    {"X_OK", "X-01", "fine", "", "", "ổn"},
};

TEST(CheckResult, StatusIsTheWorstFinding) {
  CheckResult r;
  r.add(makeFinding("X_OK", Status::Pass));
  EXPECT_EQ(r.status, Status::Pass);
  r.add(makeFinding("X_TOO_MANY", Status::Warn));
  r.add(makeFinding("X_OK", Status::Info));
  EXPECT_EQ(r.status, Status::Warn);
  EXPECT_TRUE(r.hasTag("X_TOO_MANY"));
}

TEST(CheckResult, ErrorOutranksFail) {
  EXPECT_EQ(worst(Status::Fail, Status::Error), Status::Error);
  EXPECT_EQ(worst(Status::Na, Status::Pass), Status::Pass);
}

TEST(CheckResult, RemediationComesFromActionableFindings) {
  CheckResult r;
  r.add(makeFinding("X_OK", Status::Pass));
  r.add(makeFinding("X_TOO_MANY", Status::Fail)).arg("count", 12).arg("limit", 10);
  fillRemediation(r, kTags);
  EXPECT_EQ(r.remediation.en, "Reduce to 10.");
  EXPECT_EQ(r.remediation.vi, "Giảm xuống 10.");
  EXPECT_EQ(renderTemplate(kTags[0].message, r.findings[1]), "12 lookups");
}

TEST(CheckResult, JsonShape) {
  CheckResult r;
  r.id = "X-01";
  r.add(makeFinding("X_TOO_MANY", Status::Fail)).arg("count", 12);
  EXPECT_EQ(toJson(r).dump(),
            R"({"id":"X-01","status":"fail","findings":[{"tag":"X_TOO_MANY","status":"fail",)"
            R"("args":{"count":12}}],"evidence":{},"remediation":{"vi":"","en":""}})");
}

}  // namespace
}  // namespace mh
