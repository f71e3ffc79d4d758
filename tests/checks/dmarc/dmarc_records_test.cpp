// Every record of shared/testdata/records/dmarc.jsonl with the verdict decided from the RFC text.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/support/record_cases.hpp"

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "checks/dmarc/dmarc_record.hpp"

namespace mh::dmarc {
namespace {

// valid: a usable record with at most info findings; warn: usable, but a receiver discards part
// of it (RFC 9989 §4.7 "Syntax errors ... MUST be discarded in favor of default values"); invalid:
// v=DMARC1 but no DMARC processing results; not_dmarc: not selected as a DMARC record at all.
enum class Verdict { Valid, Warn, Invalid, NotDmarc };

struct Row {
  Verdict verdict;
  const char* tag;  // a finding that must be present ("" for none in particular)
};

// clang-format off
const std::map<std::string, Row> kExpected = {
    {"dmarc-01", {Verdict::Valid, ""}},
    // pct, rf, ri are historic in RFC 9989 (§C.5.2) but valid RFC 7489 §6.3 tags: info only.
    {"dmarc-02", {Verdict::Valid, "DMARC_LEGACY_TAG"}},
    // Keyword values are case-insensitive: RFC 5234 §2.3 quoted strings (RFC 9989 §4.8 ABNF).
    {"dmarc-03", {Verdict::Valid, ""}},
    // equals = *WSP "=" *WSP (RFC 9989 §4.8); WSP includes HTAB (RFC 5234 B.1).
    {"dmarc-04", {Verdict::Valid, ""}},
    {"dmarc-05", {Verdict::Valid, ""}},
    // Tag names are case-insensitive ABNF literals; only %s"DMARC1" is case-sensitive (RFC 7405).
    {"dmarc-06", {Verdict::Valid, ""}},
    // [dmarc-sep] at the end of dmarc-record.
    {"dmarc-07", {Verdict::Valid, ""}},
    // No valid p and no rua: "applies no DMARC processing" (RFC 9989 §4.10.1).
    {"dmarc-08", {Verdict::Invalid, "DMARC_POLICY_INVALID"}},
    // p is RECOMMENDED (RFC 9989 §4.7); with a valid rua the receiver acts as p=none (§4.10.1).
    {"dmarc-09", {Verdict::Valid, "DMARC_POLICY_MISSING"}},
    {"dmarc-10", {Verdict::Invalid, "DMARC_POLICY_MISSING"}},
    // RFC 7489 §6.4 wanted p second; RFC 9989 §4.8 only requires v first.
    {"dmarc-11", {Verdict::Valid, "DMARC_POLICY_NOT_SECOND"}},
    // DKIM tag-list rules (RFC 9989 §4.7 -> RFC 6376 §3.2): a repeated tag invalidates the list.
    {"dmarc-12", {Verdict::Invalid, "DMARC_DUPLICATE_TAG"}},
    // pct is 0..100 (RFC 7489 §6.3); the bad value is discarded, default 100 applies.
    {"dmarc-13", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    {"dmarc-14", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    // dmarc-tag needs 1*dmarc-value.
    {"dmarc-15", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    // RFC 9989 §4.7/§4.8: 0 and 1 are mutually exclusive (RFC 7489 allowed "0:1"); note said
    // "redundant", the current ABNF makes it invalid: discarded, fo=0 applies.
    {"dmarc-16", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    {"dmarc-17", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    {"dmarc-18", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    // ri = 1*DIGIT (RFC 7489 §6.4): 0 parses; historic in RFC 9989.
    {"dmarc-19", {Verdict::Valid, "DMARC_LEGACY_TAG"}},
    {"dmarc-20", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    // RFC 7489 §6.3 rf: values MUST be registered ("afrf"); a receiver MAY ignore the record.
    {"dmarc-21", {Verdict::Warn, "DMARC_TAG_INVALID_VALUE"}},
    // An invalid sp without a valid rua: no DMARC processing at all (RFC 9989 §4.10.1), even
    // though p=reject is valid. Not obvious, but the RFC text is explicit.
    {"dmarc-22", {Verdict::Invalid, "DMARC_POLICY_INVALID"}},
    // Syntactically fine; weak subdomain policy is DMARC-03's business.
    {"dmarc-23", {Verdict::Valid, ""}},
    // Not a URI (no scheme, RFC 3986 §3): the entry is discarded; the policy still applies.
    {"dmarc-24", {Verdict::Warn, "DMARC_URI_INVALID"}},
    // RFC 7489 §6.2 size suffix; obs-dmarc-report-size "ignore if found" in RFC 9989 §4.8.
    {"dmarc-25", {Verdict::Valid, "DMARC_URI_SIZE_LIMIT"}},
    // RFC 7489 §6.2: receivers must support at least two URIs; a third may be dropped (info).
    {"dmarc-26", {Verdict::Valid, "DMARC_URI_MANY"}},
    // External authorisation (RFC 7489 §7.1) is a DNS question for the check, not the parser.
    {"dmarc-27", {Verdict::Valid, ""}},
    // dmarc-record starts with dmarc-version (RFC 9989 §4.8): strict receivers discard it, the
    // DKIM tag-spec (RFC 6376 §3.2) allows leading FWS. Accepted with a warning.
    {"dmarc-28", {Verdict::Warn, "DMARC_RECORD_LEADING_WHITESPACE"}},
    // "Unknown tags MUST be ignored" (RFC 9989 §4.7).
    {"dmarc-29", {Verdict::Valid, "DMARC_UNKNOWN_TAG"}},
    // "p" without "=" is not a tag; then no p and no rua (RFC 9989 §4.10.1).
    {"dmarc-30", {Verdict::Invalid, "DMARC_POLICY_MISSING"}},
    // v must be exactly DMARC1 or the record is discarded (RFC 9989 §4.7, §4.10 step 2).
    {"dmarc-31", {Verdict::NotDmarc, "DMARC_VERSION_INVALID"}},
    {"dmarc-32", {Verdict::NotDmarc, ""}},
    {"dmarc-33", {Verdict::Valid, ""}},
    // An invalid np is treated like an invalid sp (RFC 9989 §4.10.1).
    {"dmarc-34", {Verdict::Invalid, "DMARC_POLICY_INVALID"}},
};
// clang-format on

Verdict verdictOf(const DmarcParse& r) {
  if (!r.is_dmarc) return Verdict::NotDmarc;
  if (!r.usable) return Verdict::Invalid;
  return r.worst() == Status::Warn ? Verdict::Warn : Verdict::Valid;
}

const char* name(Verdict v) {
  switch (v) {
    case Verdict::Valid:
      return "valid";
    case Verdict::Warn:
      return "warn";
    case Verdict::Invalid:
      return "invalid";
    case Verdict::NotDmarc:
      return "not_dmarc";
  }
  return "?";
}

std::map<std::string, std::string> loadCases() {
  return testing_support::loadRecordCases("dmarc.jsonl");
}

TEST(DmarcRecords, EveryCaseHasAVerdictAndEveryVerdictACase) {
  auto cases = loadCases();
  EXPECT_EQ(cases.size(), 34u);
  for (const auto& [id, input] : cases) EXPECT_TRUE(kExpected.count(id)) << "no row for " << id;
  for (const auto& [id, row] : kExpected) EXPECT_TRUE(cases.count(id)) << "stale row " << id;
}

TEST(DmarcRecords, VerdictsMatchTheRfc) {
  for (const auto& [id, input] : loadCases()) {
    auto it = kExpected.find(id);
    if (it == kExpected.end()) continue;
    auto parsed = parseDmarcRecord(input);
    EXPECT_STREQ(name(verdictOf(parsed)), name(it->second.verdict)) << id << ": " << input;
    std::string tag = it->second.tag;
    if (tag.empty()) continue;
    bool found = false;
    for (const auto& f : parsed.findings) found = found || f.tag == tag;
    EXPECT_TRUE(found) << id << " lacks " << tag;
  }
}

}  // namespace
}  // namespace mh::dmarc
