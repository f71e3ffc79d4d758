// Lab tests of the run-level resolver preflight (rubric 2026-12, guidance §3.6): knotd serves the
// signed lab (root, lab.test, dnssec-good...). A resolver that returns no RRSIG is reproduced by a
// stub that does not set the DO bit: the server then sends no DNSSEC records, exactly what the
// audit sees through a resolver that strips them. DNSSEC-01 and DANE-01 are then one run-level
// error, and no domain is re-checked for it.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "checks/dmarc/public_suffix.hpp"
#include "checks/dnssec/resolver_capability.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "service/audit/audit_runner.hpp"
#include "tests/lab/knot_lab.hpp"

namespace mh::lab {
namespace {

class ResolverPreflightLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    KnotLabOptions o;
    o.zone_dir = labDir() / "dnssec_zones";
    o.signed_zones = {".", "lab.test", "dnssec-good.lab.test"};
    lab_ = std::make_unique<KnotLab>(o);
    std::string error;
    auto anchors = dnssec::TrustAnchors::load(lab_->trustAnchorFile().string(), error);
    ASSERT_TRUE(anchors) << error;
    anchors_ = std::make_unique<dnssec::TrustAnchors>(*anchors);
  }
  static void TearDownTestSuite() {
    lab_.reset();
    anchors_.reset();
  }

  // The audit of the signed lab domains through a stub with or without the DO bit.
  struct Run {
    service::AuditProgress progress;
    std::map<std::string, audit::DomainReport> reports;  // the last look at each domain
    std::map<std::string, int> looks;
  };
  Run audit(bool dnssecOk) {
    auto psl = dmarc::PublicSuffixList::load(std::string(MH_LAB_DIR) + "/public_suffix_list.dat");
    EXPECT_TRUE(psl);
    audit::AuditOptions base;
    base.psl = psl.get();
    base.trust_anchors = anchors_.get();
    service::AuditRunOptions options;
    options.threads = 2;
    options.resolver = lab_->resolverOptions();
    options.resolver.dnssec_ok = dnssecOk;
    options.recheck_after = std::chrono::milliseconds(0);
    Run run;
    std::mutex mutex;
    service::AuditSink sink;
    sink.onReport = [&](const audit::DomainReport& r, int) {
      std::lock_guard lock(mutex);
      run.reports[r.domain] = r;
      ++run.looks[r.domain];
    };
    run.progress = service::runAudit({{"dnssec-good.lab.test", {}}, {"lab.test", {}}}, base,
                                     options, sink);
    return run;
  }

  static std::unique_ptr<KnotLab> lab_;
  static std::unique_ptr<dnssec::TrustAnchors> anchors_;
};

std::unique_ptr<KnotLab> ResolverPreflightLab::lab_;
std::unique_ptr<dnssec::TrustAnchors> ResolverPreflightLab::anchors_;

TEST_F(ResolverPreflightLab, DNSSEC01_AResolverThatReturnsSignaturesPassesThePreflight) {
  auto resolver = lab_->makeResolver();
  const auto probe = dnssec::probeResolverDnssec(*resolver);
  ASSERT_TRUE(probe.answer.hasRecords());
  EXPECT_FALSE(probe.answer.signatures.empty());
  EXPECT_EQ(dnssec::dnssecUnavailableReason(probe), "");
}

TEST_F(ResolverPreflightLab, DNSSEC01_AResolverWithoutSignaturesIsFoundOnce) {
  auto options = lab_->resolverOptions();
  options.dnssec_ok = false;
  dns::LdnsResolver resolver(options);
  const auto probe = dnssec::probeResolverDnssec(resolver);
  ASSERT_TRUE(probe.answer.hasRecords());
  EXPECT_TRUE(probe.answer.signatures.empty());
  const std::string reason = dnssec::dnssecUnavailableReason(probe);
  EXPECT_NE(reason.find("no DNSSEC signatures"), std::string::npos) << reason;
}

TEST_F(ResolverPreflightLab, DNSSEC01_DANE01_ARunThroughAStrippingResolverHasOneReasonAndNoRechecks) {
  const Run run = audit(false);
  EXPECT_NE(run.progress.dnssec_unavailable.find("no DNSSEC signatures"), std::string::npos);
  EXPECT_EQ(run.progress.rechecked, 0u);
  ASSERT_EQ(run.reports.size(), 2u);
  for (const auto& [domain, report] : run.reports) {
    EXPECT_EQ(run.looks.at(domain), 1) << domain;  // nobody looked twice for DNSSEC
    const CheckResult* dnssec = report.find("DNSSEC-01");
    const CheckResult* dane = report.find("DANE-01");
    ASSERT_NE(dnssec, nullptr);
    ASSERT_NE(dane, nullptr);
    EXPECT_EQ(dnssec->status, Status::Error) << domain;
    EXPECT_TRUE(dnssec->hasTag("DNSSEC_RESOLVER_NO_DNSSEC")) << domain;
    EXPECT_EQ(dane->status, Status::Error) << domain;
    EXPECT_TRUE(dane->hasTag("DANE_RESOLVER_NO_DNSSEC")) << domain;
    EXPECT_FALSE(audit::needsRecheck(report)) << domain;
  }
}

TEST_F(ResolverPreflightLab, DNSSEC01_TheSameRunThroughAResolverWithSignaturesJudgesEachZone) {
  const Run run = audit(true);
  EXPECT_EQ(run.progress.dnssec_unavailable, "");
  const CheckResult* dnssec = run.reports.at("dnssec-good.lab.test").find("DNSSEC-01");
  ASSERT_NE(dnssec, nullptr);
  EXPECT_EQ(dnssec->status, Status::Pass);
  EXPECT_FALSE(dnssec->hasTag("DNSSEC_RESOLVER_NO_DNSSEC"));
}

}  // namespace
}  // namespace mh::lab
