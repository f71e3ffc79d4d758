// DNSSEC-01 judgement: secure passes, insecure and bogus fail (bogus critical), indeterminate is
// error.
#include "checks/dnssec/dnssec_check.hpp"

#include <gtest/gtest.h>

namespace mh::dnssec {
namespace {

Validation val(SecurityStatus s, std::string reason = "R", std::string zone = "example.gov.vn") {
  Validation v;
  v.status = s;
  v.reason = std::move(reason);
  v.detail = "detail";
  v.zone = std::move(zone);
  return v;
}

DnssecEvidence evidence(SecurityStatus zone, std::vector<SecurityStatus> hosts = {}) {
  DnssecEvidence e;
  e.domain = "example.gov.vn";
  e.soa.answer.status = dns::DnsStatus::NoError;
  e.soa.validation = val(zone);
  e.mx.validation = val(zone);
  e.zone_status = zone;
  int i = 0;
  for (auto s : hosts) {
    DnssecEvidence::Host h;
    h.name = "mx" + std::to_string(++i) + ".example.gov.vn";
    h.a.validation = val(s);
    h.aaaa.validation = val(s);
    h.status = s;
    e.mx_hosts.push_back(h);
  }
  return e;
}

TEST(Dnssec01, SecurePasses) {
  auto r = judgeDnssec01(evidence(SecurityStatus::Secure, {SecurityStatus::Secure}));
  EXPECT_EQ(r.id, "DNSSEC-01");
  EXPECT_EQ(r.status, Status::Pass);
  EXPECT_TRUE(r.hasTag("DNSSEC_SIGNED"));
  EXPECT_TRUE(r.hasTag("DNSSEC_MX_HOST_SIGNED"));
  EXPECT_TRUE(r.remediation.empty());
  EXPECT_NE(r.evidence.dump().find("\"secure\""), std::string::npos);
}

TEST(Dnssec01, UnsignedFails) {
  auto r = judgeDnssec01(evidence(SecurityStatus::Insecure));
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("DNSSEC_UNSIGNED"));
  EXPECT_NE(r.remediation.vi.find("Ký số"), std::string::npos);
}

TEST(Dnssec01, BogusFailsAsCritical) {
  auto r = judgeDnssec01(evidence(SecurityStatus::Bogus));
  EXPECT_EQ(r.status, Status::Fail);
  ASSERT_TRUE(r.hasTag("DNSSEC_BOGUS"));
  const TagSpec* spec = findTagSpec(dnssecTagSpecs(), "DNSSEC_BOGUS");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(std::string(spec->message).rfind("CRITICAL", 0), 0u);
}

TEST(Dnssec01, IndeterminateIsErrorNeverFail) {
  auto r = judgeDnssec01(evidence(SecurityStatus::Indeterminate));
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_TRUE(r.hasTag("DNSSEC_INDETERMINATE"));
  EXPECT_FALSE(r.hasTag("DNSSEC_BOGUS"));
}

TEST(Dnssec01, MxHosts) {
  auto r = judgeDnssec01(evidence(SecurityStatus::Secure, {SecurityStatus::Insecure}));
  EXPECT_EQ(r.status, Status::Pass);
  EXPECT_TRUE(r.hasTag("DNSSEC_MX_HOST_UNSIGNED"));
  r = judgeDnssec01(evidence(SecurityStatus::Secure, {SecurityStatus::Bogus}));
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_TRUE(r.hasTag("DNSSEC_MX_HOST_BOGUS"));
  r = judgeDnssec01(evidence(SecurityStatus::Secure, {SecurityStatus::Indeterminate}));
  EXPECT_EQ(r.status, Status::Error);
}

TEST(Dnssec01, EveryTagHasVietnameseRemediationWhenItNeedsAction) {
  for (const auto& t : dnssecTagSpecs()) {
    EXPECT_EQ(t.check_id, "DNSSEC-01");
    EXPECT_EQ(t.remediation_en.empty(), t.remediation_vi.empty()) << t.tag;
  }
}

}  // namespace
}  // namespace mh::dnssec
