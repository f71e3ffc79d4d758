// Lab tests for tests/lab/zones: every zone loads cleanly and each scenario has the DNS facts its
// checks rely on (so a failing audit test can be blamed on the check, not on the zone).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "checks/dns/ldns_resolver.hpp"
#include "tests/lab/knot_lab.hpp"

namespace mh::lab {
namespace {

using dns::DnsStatus;
namespace rr = dns::rr;

class LabZones : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      lab_ = &sharedLab();
      resolver_ = lab_->makeResolver();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }

  DnsStatus status(const std::string& name, std::uint16_t type) {
    return resolver_->query(name, type).status;
  }
  std::vector<std::string> texts(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& r : resolver_->query(name, rr::TXT).records) out.push_back(r.joinedText());
    return out;
  }

  KnotLab* lab_ = nullptr;
  std::unique_ptr<dns::LdnsResolver> resolver_;
};

TEST_F(LabZones, EveryZoneLoadsWithoutWarnings) {
  for (const auto& zone : lab_->zones()) {
    if (zone.broken) continue;
    EXPECT_EQ(status(zone.name, rr::SOA), DnsStatus::NoError) << zone.name;
  }
  std::istringstream log(lab_->log());
  for (std::string line; std::getline(log, line);) {
    if (line.find("[servfail.") != std::string::npos) continue;
    EXPECT_EQ(line.find("warning:"), std::string::npos) << line;
    EXPECT_EQ(line.find("error:"), std::string::npos) << line;
  }
}

TEST_F(LabZones, GoodHasEveryRecordRight) {
  auto spf = resolver_->query("good.lab.test", rr::TXT);
  ASSERT_EQ(spf.records.size(), 2u);
  bool sawSplitSpf = false;
  for (const auto& r : spf.records)
    if (r.joinedText().starts_with("v=spf1 ")) sawSplitSpf = r.strings.size() == 2;
  EXPECT_TRUE(sawSplitSpf);

  auto dkim = resolver_->query("mail._domainkey.good.lab.test", rr::TXT);
  ASSERT_EQ(dkim.records.size(), 1u);
  EXPECT_GE(dkim.records[0].strings.size(), 2u);
  for (const auto& s : dkim.records[0].strings) EXPECT_LE(s.size(), 255u);
  // SubjectPublicKeyInfo of an RSA 2048 key, base64.
  EXPECT_TRUE(dkim.records[0].joinedText().starts_with(
      "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
  EXPECT_EQ(status("_domainkey.good.lab.test", rr::TXT), DnsStatus::NoData);  // RFC 8020 ENT

  auto ptr = resolver_->query("10.2.0.192.in-addr.arpa", rr::PTR);
  ASSERT_EQ(ptr.records.size(), 1u);
  EXPECT_EQ(ptr.records[0].data, "mx1.good.lab.test");
  auto ptr6 = resolver_->query(
      "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", rr::PTR);
  ASSERT_EQ(ptr6.records.size(), 1u);
  EXPECT_EQ(ptr6.records[0].data, "mx1.good.lab.test");
  EXPECT_EQ(texts("_dmarc.good.lab.test").size(), 1u);
  EXPECT_EQ(texts("_mta-sts.good.lab.test").size(), 1u);
  EXPECT_EQ(texts("_smtp._tls.good.lab.test").size(), 1u);
}

TEST_F(LabZones, OrgDomainLabTestHasNoDmarc) {
  // Every <scenario>.lab.test falls back to lab.test: it must say NXDOMAIN, not REFUSED.
  EXPECT_EQ(status("_dmarc.lab.test", rr::TXT), DnsStatus::NxDomain);
  EXPECT_EQ(status("_dmarc.dmarc-missing.lab.test", rr::TXT), DnsStatus::NxDomain);
  EXPECT_EQ(status("_dmarc.sub.dmarc-inherited.test", rr::TXT), DnsStatus::NxDomain);
  EXPECT_EQ(texts("_dmarc.dmarc-inherited.test").size(), 1u);
  EXPECT_EQ(texts("_dmarc.dmarc-multiple.lab.test").size(), 2u);
}

TEST_F(LabZones, ExternalReportAuthorisation) {
  EXPECT_EQ(texts("dmarc-external-rua-authorised.lab.test._report._dmarc.reports.test"),
            std::vector<std::string>{"v=DMARC1"});
  EXPECT_EQ(status("dmarc-external-rua-unauthorised.lab.test._report._dmarc.reports.test", rr::TXT),
            DnsStatus::NxDomain);
}

TEST_F(LabZones, SpfProviderChainIsLongerThanTen) {
  int links = 0;
  std::string name = "l1.provider.lab.test";
  while (links < 20) {
    auto t = texts(name);
    ASSERT_EQ(t.size(), 1u) << name;
    ++links;
    const auto at = t[0].find("include:");
    if (at == std::string::npos) break;
    name = t[0].substr(at + 8, t[0].find(' ', at) - at - 8);
  }
  EXPECT_EQ(links, 12);
  EXPECT_EQ(status("missing.provider.lab.test", rr::TXT), DnsStatus::NxDomain);
  EXPECT_EQ(texts("spf-multiple-records.lab.test").size(), 2u);
}

TEST_F(LabZones, MailHostEdgeCases) {
  EXPECT_EQ(status("_domainkey.dkim-none-nxdomain.lab.test", rr::TXT), DnsStatus::NxDomain);
  EXPECT_EQ(status("192.0.2.42", rr::A), DnsStatus::NxDomain);  // the mx-ip-literal target
  EXPECT_EQ(status("mx2.mx-unresolvable.lab.test", rr::A), DnsStatus::NxDomain);
  EXPECT_EQ(status("implicit-mx.lab.test", rr::MX), DnsStatus::NoData);
  EXPECT_EQ(resolver_->query("mail.mx-cname.lab.test", rr::A).cnames.size(), 1u);

  auto nullMx = resolver_->query("null-mx.lab.test", rr::MX);
  ASSERT_EQ(nullMx.records.size(), 1u);
  EXPECT_EQ(nullMx.records[0].data, ".");
  EXPECT_EQ(resolver_->query("null-mx-mixed.lab.test", rr::MX).records.size(), 2u);

  // ptr-mismatch: the PTR name resolves, but to another address.
  auto ptr = resolver_->query("46.2.0.192.in-addr.arpa", rr::PTR);
  ASSERT_EQ(ptr.records.size(), 1u);
  auto back = resolver_->query(ptr.records[0].data, rr::A);
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_NE(back.records[0].data, "192.0.2.46");

  EXPECT_EQ(status("servfail.lab.test", rr::MX), DnsStatus::ServFail);
}

}  // namespace
}  // namespace mh::lab
