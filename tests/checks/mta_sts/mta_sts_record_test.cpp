// Tests for checks/mta_sts/mta_sts_record.cpp: the shared records table and grammar edges.
#include "checks/mta_sts/mta_sts_record.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/support/record_cases.hpp"

namespace mh::mta_sts {
namespace {

using S = StsRecordState;

struct Expected {
  S state;
  std::string id = "";
};

// RFC 8461 §3.1. NotSts records are discarded by senders before counting (as if absent).
const std::map<std::string, Expected> kTable = {
    {"mta-sts-record-01", {S::Valid, "20240101T000000Z"}},
    {"mta-sts-record-02", {S::Valid, "20240101T010101"}},  // trailing sts-sep is optional
    {"mta-sts-record-03", {S::Valid, "20180907T090909"}},  // sts-sep = *WSP ";" *WSP
    {"mta-sts-record-04", {S::NotSts}},                    // does not begin with v=STSv1: discarded
    {"mta-sts-record-05", {S::NotSts}},
    {"mta-sts-record-06", {S::NotSts}},   // "v=STSv12" does not begin with "v=STSv1;"
    {"mta-sts-record-07", {S::Invalid}},  // id is required
    {"mta-sts-record-08", {S::Invalid}},  // extension allowed, but id still required
    // The ABNF repeats sts-field, but id names the policy version; two ids leave a sender no
    // defined id to compare, so the record is treated as invalid.
    {"mta-sts-record-09", {S::Invalid}},
    {"mta-sts-record-10", {S::Invalid}},  // sts-id = 1*32(ALPHA / DIGIT)
    {"mta-sts-record-11", {S::Invalid}},  // 33 characters
    {"mta-sts-record-12", {S::Valid, "12345678901234567890123456789012"}},
    {"mta-sts-record-13", {S::Valid, "20240101"}},  // sts-extension after id
    {"mta-sts-record-14", {S::NotSts}},
};

TEST(MtaStsRecordTable, EveryCaseHasAVerdict) {
  auto cases = testing_support::loadRecordCases("mta-sts-record.jsonl");
  ASSERT_FALSE(cases.empty());
  for (const auto& [id, input] : cases) {
    auto it = kTable.find(id);
    if (it == kTable.end()) {
      ADD_FAILURE() << "no expected verdict for " << id;
      continue;
    }
    auto r = parseMtaStsRecord(input);
    EXPECT_EQ(toString(r.state), toString(it->second.state)) << id << ": " << r.problem;
    EXPECT_EQ(r.id, it->second.id) << id;
    if (r.state != S::Valid) {
      EXPECT_FALSE(r.problem.empty()) << id;
    }
  }
  for (const auto& [id, want] : kTable) EXPECT_TRUE(cases.count(id)) << "stale row " << id;
}

TEST(MtaStsRecord, GrammarEdges) {
  EXPECT_EQ(parseMtaStsRecord("v=STSv1; id=abc; ").state, S::Valid);  // trailing WSP tolerated
  EXPECT_EQ(parseMtaStsRecord("v=STSv1 ; id=abc").state, S::Valid);
  EXPECT_EQ(parseMtaStsRecord("v=STSv1; id = abc").state, S::Invalid);      // no WSP around '='
  EXPECT_EQ(parseMtaStsRecord("v=STSv1; id=abc ext=1").state, S::Invalid);  // ';' needed
  EXPECT_EQ(parseMtaStsRecord("v=STSv1; id=abc; x=a=b").state, S::Invalid);
  EXPECT_EQ(parseMtaStsRecord("v=STSv1;;id=abc").state, S::Invalid);
  EXPECT_EQ(parseMtaStsRecord("V=STSv1; id=abc").state, S::NotSts);  // %s: case-sensitive
  EXPECT_EQ(parseMtaStsRecord("").state, S::NotSts);
  auto ext = parseMtaStsRecord("v=STSv1; id=1; a.b-c_d=x");
  ASSERT_EQ(ext.extensions.size(), 1u);
  EXPECT_EQ(ext.extensions[0].first, "a.b-c_d");
  EXPECT_TRUE(parseMtaStsRecord("id=1; v=STSv1").looks_like_sts);
  EXPECT_FALSE(parseMtaStsRecord("v=spf1 -all").looks_like_sts);
  EXPECT_EQ(parseMtaStsRecord("id=1; v=STSv1").problem, "v=STSv1 is not the first field");
}

}  // namespace
}  // namespace mh::mta_sts
