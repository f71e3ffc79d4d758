// Tests of auditDomain's give-up rules: a domain whose nameservers never answer costs one timeout.
#include <gtest/gtest.h>

#include <algorithm>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/fixture_resolver.hpp"

namespace mh::audit {
namespace {

using dns::DnsStatus;

std::size_t askedAbout(const dns::FixtureResolver& f, const std::string& domain) {
  return std::count_if(f.queries().begin(), f.queries().end(), [&](const auto& q) {
    return q.first == domain || q.first.ends_with("." + domain);
  });
}

class AuditSilence : public ::testing::Test {
 protected:
  void SetUp() override {
    psl_ = dmarc::PublicSuffixList::load(MH_PSL_FILE);
    ASSERT_TRUE(psl_);
    options_.psl = psl_.get();
  }
  std::unique_ptr<dmarc::PublicSuffixList> psl_;
  AuditOptions options_;
};

TEST_F(AuditSilence, DomainWhoseFirstQueryTimesOutIsNotAskedAgain) {
  dns::FixtureResolver f;
  f.addZone("mx1.provider.example A 192.0.2.1");
  f.setNameOutcome("dead.example.vn", DnsStatus::Timeout);
  const auto report = auditDomain(f, "dead.example.vn", options_);
  EXPECT_EQ(askedAbout(f, "dead.example.vn"), 1u);  // the MX query only: one timeout budget
  EXPECT_GT(report.dns_queries, 10u);               // every other query answered "not sent"
  for (const auto& c : report.checks)
    EXPECT_NE(c.status, Status::Fail) << c.id;  // silence never accuses the domain
  EXPECT_EQ(report.find("MX-01")->status, Status::Error);
  EXPECT_EQ(report.find("DMARC-01")->status, Status::Error);
}

TEST_F(AuditSilence, OneSilentNameOfAnAnsweringDomainDoesNotEndItsAudit) {
  dns::FixtureResolver f;
  f.addZone(R"(alive.example.vn MX 10 mx1.alive.example.vn
mx1.alive.example.vn A 192.0.2.10
alive.example.vn TXT "v=spf1 mx -all")");
  f.setOutcome("_dmarc.alive.example.vn", dns::rr::TXT, DnsStatus::Timeout);
  const auto report = auditDomain(f, "alive.example.vn", options_);
  EXPECT_EQ(report.find("DMARC-01")->status, Status::Error);
  const auto& q = f.queries();
  EXPECT_NE(std::find(q.begin(), q.end(),
                      std::pair<std::string, std::uint16_t>("mail._domainkey.alive.example.vn",
                                                            dns::rr::TXT)),
            q.end());  // DKIM selectors were still asked after the DMARC timeout
}

}  // namespace
}  // namespace mh::audit
