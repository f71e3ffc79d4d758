// Tests for checks/mta_sts/mta_sts_policy.cpp: the shared policy table, mx patterns, limits.
#include "checks/mta_sts/mta_sts_policy.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/record_cases.hpp"

namespace mh::mta_sts {
namespace {

struct Expected {
  bool valid;
  std::optional<StsMode> mode = std::nullopt;
  std::int64_t max_age = -1;
  std::vector<std::string> mx = {};
};

// RFC 8461 §3.2.
const std::map<std::string, Expected> kTable = {
    {"mta-sts-policy-01", {true, StsMode::Enforce, 86400, {"mail.example.test"}}},
    {"mta-sts-policy-02", {true, StsMode::Testing, 3600, {"*.example.test"}}},  // LF is a term
    {"mta-sts-policy-03",
     {true, StsMode::Enforce, 604800, {"mail.example.test", "backup.example.test"}}},
    // mode none withdraws a policy; senders do not match MX hosts (§5), so mx may be omitted.
    {"mta-sts-policy-04", {true, StsMode::None, 86400}},
    {"mta-sts-policy-05", {false}},  // max_age is required; mx needed for enforce
    {"mta-sts-policy-06", {false}},  // enforce without any mx pattern
    {"mta-sts-policy-07", {false}},  // mode is required
    {"mta-sts-policy-08", {false}},  // version is required
    {"mta-sts-policy-09", {false}},  // max_age = 1*10(DIGIT)
    {"mta-sts-policy-10", {false}},
    {"mta-sts-policy-11", {false}},  // "MUST be less than or equal to 31557600"
    {"mta-sts-policy-12", {true, StsMode::Enforce, 31557600, {"mail.example.test"}}},
    {"mta-sts-policy-13", {false}},
    // Two modes contradict each other; the policy has no single mode to apply.
    {"mta-sts-policy-14", {false}},
    {"mta-sts-policy-15", {false}},  // version must be STSv1
    {"mta-sts-policy-16", {false}},  // mode is enforce / testing / none
    {"mta-sts-policy-17", {false}},
    {"mta-sts-policy-18", {false}},  // every line is key ":" value
    {"mta-sts-policy-19", {true, StsMode::Enforce, 86400, {"mail.example.test"}}},  // ignored
    // sts-policy-field *WSP sts-policy-term: trailing whitespace is part of the grammar.
    {"mta-sts-policy-20", {true, StsMode::Enforce, 86400, {"mail.example.test"}}},
};

TEST(MtaStsPolicyTable, EveryCaseHasAVerdict) {
  auto cases = testing_support::loadRecordCases("mta-sts-policy.jsonl");
  ASSERT_FALSE(cases.empty());
  for (const auto& [id, input] : cases) {
    auto it = kTable.find(id);
    if (it == kTable.end()) {
      ADD_FAILURE() << "no expected verdict for " << id;
      continue;
    }
    const Expected& want = it->second;
    auto p = parseMtaStsPolicy(input);
    EXPECT_EQ(p.valid, want.valid) << id << (p.problems.empty() ? "" : ": " + p.problems[0]);
    EXPECT_EQ(p.valid, p.problems.empty()) << id;
    if (!want.valid) continue;
    ASSERT_TRUE(p.mode.has_value()) << id;
    EXPECT_EQ(*p.mode, *want.mode) << id;
    EXPECT_EQ(p.max_age.value_or(-2), want.max_age) << id;
    EXPECT_EQ(p.mx, want.mx) << id;
  }
  for (const auto& [id, want] : kTable) EXPECT_TRUE(cases.count(id)) << "stale row " << id;
}

TEST(MtaStsPolicy, ExtensionsAreKeptButIgnored) {
  auto cases = testing_support::loadRecordCases("mta-sts-policy.jsonl");
  auto p = parseMtaStsPolicy(cases["mta-sts-policy-19"]);
  ASSERT_EQ(p.extensions.size(), 1u);
  EXPECT_EQ(p.extensions[0].first, "badkey");
}

TEST(MtaStsPolicy, MxPatterns) {
  EXPECT_TRUE(isValidMxPattern("mail.example.test"));
  EXPECT_TRUE(isValidMxPattern("*.example.test"));
  EXPECT_TRUE(isValidMxPattern("mx1"));
  EXPECT_FALSE(isValidMxPattern("mail.*.example.test"));  // wildcard only as leftmost label
  EXPECT_FALSE(isValidMxPattern("*mail.example.test"));
  EXPECT_FALSE(isValidMxPattern("*"));
  EXPECT_FALSE(isValidMxPattern("mail.example.test."));
  EXPECT_FALSE(isValidMxPattern("-mail.example.test"));
  EXPECT_FALSE(isValidMxPattern("mail..example.test"));
  EXPECT_FALSE(isValidMxPattern(""));
  EXPECT_FALSE(parseMtaStsPolicy("version: STSv1\nmode: enforce\nmax_age: 1\nmx: a.*.test").valid);
}

TEST(MtaStsPolicy, MatchesMxPerSection41) {
  auto p = parseMtaStsPolicy(
      "version: STSv1\nmode: enforce\nmax_age: 86400\n"
      "mx: mail.example.test\nmx: *.Backup.example.test\n");
  ASSERT_TRUE(p.valid);
  EXPECT_TRUE(p.matchesMx("MAIL.example.test."));
  EXPECT_TRUE(p.matchesMx("mx2.backup.example.test"));
  EXPECT_FALSE(p.matchesMx("backup.example.test"));
  EXPECT_FALSE(p.matchesMx("a.mx2.backup.example.test"));
  EXPECT_FALSE(p.matchesMx("other.example.test"));
}

TEST(MtaStsPolicy, LimitsAndLeniency) {
  std::string big = "version: STSv1\nmode: none\nmax_age: 1\n" + std::string(kMaxPolicyBytes, '#');
  EXPECT_FALSE(parseMtaStsPolicy(big).valid);
  // A trailing blank line is skipped; key names and values are case-sensitive.
  EXPECT_TRUE(parseMtaStsPolicy("version: STSv1\nmode: none\nmax_age: 0\n\n").valid);
  EXPECT_FALSE(parseMtaStsPolicy("version: STSv1\nmode: Enforce\nmax_age: 1\nmx: a.test").valid);
  EXPECT_FALSE(parseMtaStsPolicy("Version: STSv1\nmode: none\nmax_age: 1").valid);
  EXPECT_FALSE(parseMtaStsPolicy("version : STSv1\nmode: none\nmax_age: 1").valid);
  EXPECT_TRUE(parseMtaStsPolicy("version:STSv1\nmode:none\nmax_age:1").valid);  // ":" *WSP
  EXPECT_FALSE(parseMtaStsPolicy("version: STSv1\nmode: none\nmax_age: 12345678901").valid);
  EXPECT_FALSE(parseMtaStsPolicy("version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1").valid);
  EXPECT_FALSE(parseMtaStsPolicy("").valid);
  auto j = toJson(parseMtaStsPolicy("version: STSv1\nmode: testing\nmax_age: 5\nmx: a.test"));
  EXPECT_EQ(j.find("mode")->asString(), "testing");
}

}  // namespace
}  // namespace mh::mta_sts
