// Tests for checks/dmarc/dmarc_record.cpp: tag semantics beyond the shared dmarc.jsonl table.
#include "checks/dmarc/dmarc_record.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mh::dmarc {
namespace {

bool has(const DmarcParse& p, std::string_view tag) {
  return std::any_of(p.findings.begin(), p.findings.end(),
                     [&](const Finding& f) { return f.tag == tag; });
}

TEST(DmarcRecord, ReadsEveryTag) {
  auto p = parseDmarcRecord(
      "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=S; pct=50; fo=1:D; "
      "rua=mailto:Agg@Example.TEST!10m, mailto:b@x.test; ruf=mailto:f@example.test; t=y; psd=n");
  ASSERT_TRUE(p.usable);
  const auto& r = p.record;
  EXPECT_EQ(r.policy(), Policy::Reject);
  EXPECT_EQ(r.subdomainPolicy(), Policy::Quarantine);
  EXPECT_EQ(r.nonExistentPolicy(), Policy::None);
  EXPECT_EQ(r.adkim, Alignment::Strict);
  EXPECT_EQ(r.aspf, Alignment::Strict);
  EXPECT_EQ(r.pct, 50);
  EXPECT_EQ(r.fo, "1:d");
  EXPECT_TRUE(r.testing);
  EXPECT_EQ(r.psd, 'n');
  ASSERT_EQ(r.rua.size(), 2u);
  EXPECT_TRUE(r.rua[0].mailto);
  EXPECT_EQ(r.rua[0].domain, "example.test");
  EXPECT_EQ(r.rua[0].address, "Agg@Example.TEST");
  EXPECT_EQ(r.rua[0].size_limit, "10m");
  EXPECT_EQ(r.rua[1].domain, "x.test");
  ASSERT_EQ(r.ruf.size(), 1u);
  EXPECT_TRUE(has(p, "DMARC_LEGACY_TAG"));
  EXPECT_TRUE(has(p, "DMARC_URI_SIZE_LIMIT"));
}

TEST(DmarcRecord, DefaultsFollowRfc9989) {
  auto p = parseDmarcRecord("v=DMARC1; p=quarantine");
  ASSERT_TRUE(p.usable);
  EXPECT_EQ(p.record.subdomainPolicy(), Policy::Quarantine);    // sp defaults to p
  EXPECT_EQ(p.record.nonExistentPolicy(), Policy::Quarantine);  // np defaults to sp, then p
  EXPECT_EQ(p.record.adkim, Alignment::Relaxed);
  EXPECT_EQ(p.record.fo, "0");
  EXPECT_FALSE(p.record.pct.has_value());
  EXPECT_EQ(p.record.psd, 'u');
  auto q = parseDmarcRecord("v=DMARC1; p=reject; sp=quarantine");
  EXPECT_EQ(q.record.nonExistentPolicy(), Policy::Quarantine);  // np absent: sp
}

TEST(DmarcRecord, VersionIsCaseSensitiveTagNamesAreNot) {
  EXPECT_FALSE(parseDmarcRecord("v=dmarc1; p=reject").is_dmarc);
  EXPECT_TRUE(has(parseDmarcRecord("v=dmarc1; p=reject"), "DMARC_VERSION_INVALID"));
  EXPECT_FALSE(parseDmarcRecord("v=DMARC10; p=reject").is_dmarc);
  EXPECT_FALSE(parseDmarcRecord("p=reject; v=DMARC1").is_dmarc);  // v must be first
  EXPECT_FALSE(parseDmarcRecord("").is_dmarc);
  auto p = parseDmarcRecord("V=DMARC1; P=Reject; SP=NONE");
  ASSERT_TRUE(p.usable);
  EXPECT_EQ(p.record.policy(), Policy::Reject);
  EXPECT_EQ(p.record.subdomainPolicy(), Policy::None);
  EXPECT_TRUE(parseDmarcRecord("v=DMARC1").is_dmarc);
}

TEST(DmarcRecord, InvalidPolicyWithRuaActsAsNone) {
  // RFC 9989 §4.10.1: an invalid sp with a valid rua: act as "v=DMARC1; p=none".
  auto p = parseDmarcRecord("v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.test");
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.record.acts_as_none);
  EXPECT_EQ(p.record.policy(), Policy::None);
  EXPECT_EQ(p.record.subdomainPolicy(), Policy::None);
  EXPECT_EQ(p.worst(), Status::Warn);
  auto q = parseDmarcRecord("v=DMARC1; rua=mailto:d@example.test");
  ASSERT_TRUE(q.usable);
  EXPECT_EQ(q.record.policy(), Policy::None);
  EXPECT_EQ(q.worst(), Status::Info);
  // A rua whose only entry is invalid does not rescue the record.
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; rua=d@example.test").usable);
}

TEST(DmarcRecord, ReportUris) {
  auto p = parseDmarcRecord(
      "v=DMARC1; p=none; rua=https://r.example.test/x, mailto:a@b.test!5x, mailto:nobody, "
      "mailto:c@d.test?subject=x, mailto:e@f.test.");
  ASSERT_EQ(p.record.rua.size(), 5u);
  EXPECT_TRUE(p.record.rua[0].valid);
  EXPECT_FALSE(p.record.rua[0].mailto);
  EXPECT_FALSE(p.record.rua[1].valid);  // bad size unit
  EXPECT_FALSE(p.record.rua[2].valid);  // no domain
  EXPECT_TRUE(p.record.rua[3].mailto);
  EXPECT_EQ(p.record.rua[3].domain, "d.test");
  EXPECT_EQ(p.record.rua[4].domain, "f.test");
  EXPECT_TRUE(has(p, "DMARC_URI_UNSUPPORTED_SCHEME"));
  EXPECT_TRUE(has(p, "DMARC_URI_INVALID"));
}

TEST(DmarcRecord, SyntaxNoise) {
  auto p = parseDmarcRecord("v=DMARC1;; p=reject; 1x=2; junk; t=maybe; psd=q; ri=99999999999");
  EXPECT_TRUE(p.usable);
  EXPECT_TRUE(has(p, "DMARC_EMPTY_ELEMENT"));
  EXPECT_TRUE(has(p, "DMARC_TAG_SYNTAX"));
  EXPECT_TRUE(has(p, "DMARC_TAG_INVALID_VALUE"));
  EXPECT_FALSE(p.record.testing);
  EXPECT_EQ(p.record.psd, 'u');
  EXPECT_FALSE(p.record.ri.has_value());
  // A value with a control character is not a dmarc-value.
  auto q = parseDmarcRecord(std::string("v=DMARC1; p=reject; adkim=s\x01"));
  EXPECT_TRUE(has(q, "DMARC_TAG_INVALID_VALUE"));
  EXPECT_EQ(q.record.adkim, Alignment::Relaxed);
  // A repeated v is a duplicate tag.
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; v=DMARC1; p=reject").usable);
}

TEST(DmarcRecord, FoGrammar) {
  EXPECT_EQ(parseDmarcRecord("v=DMARC1; p=none; fo=d:s").record.fo, "d:s");
  EXPECT_EQ(parseDmarcRecord("v=DMARC1; p=none; fo=1 : s").record.fo, "1:s");
  EXPECT_EQ(parseDmarcRecord("v=DMARC1; p=none; fo=d:d").record.fo, "0");  // discarded
  EXPECT_EQ(parseDmarcRecord("v=DMARC1; p=none; fo=").record.fo, "0");
}

TEST(DmarcRecord, HugeInputIsLinear) {
  std::string text = "v=DMARC1; p=reject";
  for (int i = 0; i < 20000; ++i) text += "; x" + std::string(1, 'a' + i % 26) + "=1";
  auto p = parseDmarcRecord(text);
  EXPECT_FALSE(p.usable);  // duplicate tags
}

}  // namespace
}  // namespace mh::dmarc
