// Tests for checks/tlsrpt/tlsrpt_record.cpp: the shared records table, URIs, grammar edges.
#include "checks/tlsrpt/tlsrpt_record.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/record_cases.hpp"

namespace mh::tlsrpt {
namespace {

using S = TlsRptRecordState;

struct Expected {
  S state;
  std::vector<std::string> rua = {};
};

// RFC 8460 §3. NotTlsRpt records are discarded by senders before counting (as if absent).
const std::map<std::string, Expected> kTable = {
    {"tlsrpt-01", {S::Valid, {"mailto:tlsrpt@example.test"}}},
    {"tlsrpt-02", {S::Valid, {"https://reports.example.test/tlsrpt"}}},
    {"tlsrpt-03", {S::Valid, {"mailto:a@example.test", "https://r.example.test/x"}}},
    {"tlsrpt-04", {S::Valid, {"mailto:x@example.test"}}},  // tlsrpt-sep = *WSP ";" *WSP
    {"tlsrpt-05", {S::Invalid}},                           // "The tlsrpt-rua field is required"
    {"tlsrpt-06", {S::Invalid}},                           // extension allowed, rua still required
    // rua is one comma-separated list; a second rua= field has no defined meaning.
    {"tlsrpt-07", {S::Invalid}},
    {"tlsrpt-08", {S::Invalid}},  // tlsrpt-uri = URI (RFC 3986): a scheme and ":" are required
    {"tlsrpt-09", {S::Invalid}},  // no scheme
    // A valid URI, but "Two URI schemes are supported: mailto and https": nobody gets reports.
    {"tlsrpt-10", {S::Invalid}},
    {"tlsrpt-11", {S::NotTlsRpt}},  // does not begin with "v=TLSRPTv1"
    {"tlsrpt-12", {S::NotTlsRpt}},
};

TEST(TlsRptRecordTable, EveryCaseHasAVerdict) {
  auto cases = testing_support::loadRecordCases("tlsrpt.jsonl");
  ASSERT_FALSE(cases.empty());
  for (const auto& [id, input] : cases) {
    auto it = kTable.find(id);
    if (it == kTable.end()) {
      ADD_FAILURE() << "no expected verdict for " << id;
      continue;
    }
    auto r = parseTlsRptRecord(input);
    EXPECT_EQ(toString(r.state), toString(it->second.state)) << id << ": " << r.problem;
    EXPECT_EQ(r.rua, it->second.rua) << id;
    if (r.state != S::Valid) {
      EXPECT_FALSE(r.problem.empty()) << id;
    }
  }
  for (const auto& [id, want] : kTable) EXPECT_TRUE(cases.count(id)) << "stale row " << id;
}

TEST(TlsRptRecord, UriSyntax) {
  EXPECT_TRUE(isValidUri("mailto:a@example.test"));
  EXPECT_TRUE(isValidUri("https://r.example.test/p?q=1#f"));
  EXPECT_TRUE(isValidUri("mailto:a%2Cb@example.test"));
  EXPECT_FALSE(isValidUri("mailto:a@example.test!10m"));  // "!" MUST be encoded (RFC 8460 §3)
  EXPECT_FALSE(isValidUri("mailto:a b@example.test"));
  EXPECT_FALSE(isValidUri("mailto:"));
  EXPECT_FALSE(isValidUri(":x"));
  EXPECT_FALSE(isValidUri("1http://x"));
  EXPECT_FALSE(isValidUri("https://x/%4"));
  EXPECT_FALSE(isValidUri("https://x/%zz"));
}

TEST(TlsRptRecord, GrammarEdges) {
  // WSP around commas is allowed; schemes are case-insensitive.
  auto r = parseTlsRptRecord("v=TLSRPTv1; rua=mailto:a@x.test , HTTPS://r.x.test/ ;");
  EXPECT_EQ(r.state, S::Valid) << r.problem;
  EXPECT_EQ(r.rua.size(), 2u);
  // A supported URI beside an unsupported one keeps the record valid.
  auto mixed = parseTlsRptRecord("v=TLSRPTv1; rua=http://r.x.test/,mailto:a@x.test");
  EXPECT_EQ(mixed.state, S::Valid);
  ASSERT_EQ(mixed.unsupported_rua.size(), 1u);
  EXPECT_EQ(parseTlsRptRecord("v=TLSRPTv1; rua=mailto:x.test").state, S::Invalid);  // no '@'
  EXPECT_EQ(parseTlsRptRecord("v=TLSRPTv1; rua=https:/x").state, S::Invalid);
  EXPECT_EQ(parseTlsRptRecord("v=TLSRPTv1; rua=mailto:a@x.test; ext=1").state, S::Valid);
  EXPECT_EQ(parseTlsRptRecord("v=TLSRPTv1; rua=mailto:a@x.test; e x=1").state, S::Invalid);
  EXPECT_EQ(parseTlsRptRecord("v=TLSRPTv1 rua=mailto:a@x.test").state, S::Invalid);
  EXPECT_EQ(parseTlsRptRecord("rua=mailto:a@x.test; v=TLSRPTv1").problem,
            "v=TLSRPTv1 is not the first field");
  EXPECT_TRUE(parseTlsRptRecord("v=TLSRPTv2; rua=mailto:a@x.test").looks_like_tlsrpt);
  EXPECT_EQ(parseTlsRptRecord("").state, S::NotTlsRpt);
}

}  // namespace
}  // namespace mh::tlsrpt
