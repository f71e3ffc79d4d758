// Tests of auditDomain's budget: no query after it, and every check it left unfinished is `error`
// with AUDIT_BUDGET_EXHAUSTED (never `fail`), while the checks finished before it keep their
// verdict.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/fixture_resolver.hpp"

namespace mh::audit {
namespace {

using namespace std::chrono_literals;

// The fixture's answers, one of them (name, type) slow: a server that answers late.
class SlowFixture : public dns::Resolver {
 public:
  SlowFixture(dns::FixtureResolver& inner, std::string slowName, std::uint16_t slowType,
              std::chrono::milliseconds delay)
      : inner_(inner), slow_name_(std::move(slowName)), slow_type_(slowType), delay_(delay) {}
  dns::DnsAnswer query(std::string_view name, std::uint16_t type) override {
    if (dns::normaliseName(name) == slow_name_ && type == slow_type_)
      std::this_thread::sleep_for(delay_);
    return inner_.query(name, type);
  }

 private:
  dns::FixtureResolver& inner_;
  std::string slow_name_;
  std::uint16_t slow_type_;
  std::chrono::milliseconds delay_;
};

class AuditBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    psl_ = dmarc::PublicSuffixList::load(MH_PSL_FILE);
    ASSERT_TRUE(psl_);
    options_.psl = psl_.get();
    // No SPF, no DMARC: judged in full, SPF-01 and DMARC-01 would fail.
    fixture_.addZone(R"(slow.example.vn MX 10 mx1.slow.example.vn
mx1.slow.example.vn A 192.0.2.10)");
  }
  std::unique_ptr<dmarc::PublicSuffixList> psl_;
  AuditOptions options_;
  dns::FixtureResolver fixture_;
};

TEST_F(AuditBudgetTest, ChecksLeftUnfinishedByTheBudgetAreErrorNeverFail) {
  // The SPF TXT answer arrives after the budget: SPF is cut, and everything gathered after it.
  SlowFixture slow(fixture_, "slow.example.vn", dns::rr::TXT, 300ms);
  options_.budget = 100ms;
  const auto start = std::chrono::steady_clock::now();
  const DomainReport report = auditDomain(slow, "slow.example.vn", options_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms + 2s);  // liveness, not a timing
  // MX was gathered before the budget ran out: its verdict stands.
  EXPECT_NE(report.find("MX-01")->status, Status::Error);
  EXPECT_FALSE(report.find("MX-01")->hasTag("AUDIT_BUDGET_EXHAUSTED"));
  for (const char* id : {"SPF-01", "SPF-02", "SPF-03", "DMARC-01", "DMARC-02", "DMARC-04",
                         "DKIM-01", "MTASTS-01", "TLSRPT-01", "HYG-01"}) {
    const CheckResult* c = report.find(id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ(c->status, Status::Error) << id;
    ASSERT_EQ(c->findings.size(), 1u) << id;
    EXPECT_EQ(c->findings[0].tag, "AUDIT_BUDGET_EXHAUSTED") << id;
    EXPECT_EQ(c->findings[0].argText("domain"), "slow.example.vn");
  }
  // Nothing was asked after the deadline: the SPF TXT was the last query sent.
  EXPECT_EQ(fixture_.queries().back(),
            (std::pair<std::string, std::uint16_t>("slow.example.vn", dns::rr::TXT)));
  const Finding& f = report.find("SPF-01")->findings[0];
  EXPECT_NE(renderMessage(f).find("budget"), std::string::npos);
  EXPECT_NE(renderMessage(f, Language::Vi).find("thời gian"), std::string::npos);
}

TEST_F(AuditBudgetTest, AnAuditWithinItsBudgetIsJudgedInFull) {
  options_.budget = 30s;
  const DomainReport report = auditDomain(fixture_, "slow.example.vn", options_);
  for (const auto& c : report.checks) EXPECT_FALSE(c.hasTag("AUDIT_BUDGET_EXHAUSTED")) << c.id;
  EXPECT_EQ(report.find("SPF-01")->status, Status::Fail);  // no SPF record: the verdict stands
}

}  // namespace
}  // namespace mh::audit
