// Tests for service/observed_records.cpp: the records worth comparing, read from check evidence.
#include "service/observed_records.hpp"

#include <gtest/gtest.h>

namespace mh::service {
namespace {

using store::ObservedRecord;

CheckResult check(std::string id, Json evidence) {
  CheckResult r;
  r.id = std::move(id);
  r.status = Status::Pass;
  r.evidence = std::move(evidence);
  return r;
}

Json answer(std::string query, std::string status, std::vector<std::string> records = {}) {
  Json out = Json::object({{"query", std::move(query)}, {"status", std::move(status)}});
  if (!records.empty()) {
    Json recs = Json::array();
    for (auto& r : records) recs.push(std::move(r));
    out.set("records", recs);
  }
  return out;
}

audit::DomainReport goodReport() {
  audit::DomainReport report;
  report.domain = "x.gov.vn";
  Json spf = Json::object({{"domain", "x.gov.vn"},
                           {"txt", answer("x.gov.vn TXT", "NOERROR")},
                           {"records", Json(Json::Array{Json("v=spf1 mx -all")})},
                           {"record", "v=spf1 mx -all"}});
  report.checks.push_back(check("SPF-01", spf));
  report.checks.push_back(check("SPF-02", spf));
  Json dmarcQuery = answer("_dmarc.x.gov.vn TXT", "NOERROR");
  dmarcQuery.set("dmarc_records", Json(Json::Array{Json("v=DMARC1; p=reject")}));
  report.checks.push_back(check(
      "DMARC-01",
      Json::object({{"queries", Json(Json::Array{dmarcQuery, answer("x.gov.vn A", "NOERROR")})}})));
  report.checks.push_back(check(
      "MX-01", Json::object({{"answers",
                              Json(Json::Array{answer("x.gov.vn MX", "NOERROR",
                                                      {"x.gov.vn.\t300\tIN\tMX\t10 MX1.x.gov.vn.",
                                                       "x.gov.vn.\t300\tIN\tMX\t20 mx2.x.gov.vn."}),
                                               answer("x.gov.vn A", "NOERROR")})}})));
  Json key = Json::object({{"state", "usable"}, {"algorithm", "rsa"}, {"bits", 2048}});
  Json revoked = Json::object({{"state", "revoked"}});
  report.checks.push_back(check(
      "DKIM-01", Json::object({{"domain", "x.gov.vn"},
                               {"selectors",
                                Json(Json::Array{Json::object(
                                    {{"selector", "mail"},
                                     {"answer", answer("mail._domainkey.x.gov.vn TXT", "NOERROR")},
                                     {"keys", Json(Json::Array{key, revoked})}})})}})));
  Json sts = Json::object(
      {{"answer", answer("_mta-sts.x.gov.vn TXT", "NOERROR")},
       {"records",
        Json(Json::Array{Json::object({{"state", "valid"}, {"text", "v=STSv1; id=1"}})})},
       {"fetch",
        Json::object(
            {{"policy", Json::object({{"mode", "enforce"},
                                      {"max_age", 86400},
                                      {"mx", Json(Json::Array{Json("mx1.x.gov.vn")})}})}})}});
  report.checks.push_back(check("MTASTS-01", sts));
  report.checks.push_back(
      check("TLSRPT-01", Json::object({{"answer", answer("_smtp._tls.x.gov.vn TXT", "SERVFAIL")},
                                       {"records", Json::array()}})));
  return report;
}

TEST(ObservedRecords, EveryAreaFromItsEvidence) {
  const std::vector<ObservedRecord> expected = {
      {"x.gov.vn", "TXT", "v=spf1 mx -all"},
      {"_dmarc.x.gov.vn", "TXT", "v=DMARC1; p=reject"},
      {"x.gov.vn", "MX", "10 mx1.x.gov.vn"},
      {"x.gov.vn", "MX", "20 mx2.x.gov.vn"},
      {"mail._domainkey.x.gov.vn", "DKIM", "rsa 2048"},
      {"mail._domainkey.x.gov.vn", "DKIM", "unknown revoked"},
      {"_mta-sts.x.gov.vn", "TXT", "v=STSv1; id=1"},
      {"mta-sts.x.gov.vn", "MTA-STS-POLICY", "mode=enforce max_age=86400 mx=mx1.x.gov.vn"},
      {"_smtp._tls.x.gov.vn", "TXT", "(lookup error: SERVFAIL)"},
  };
  EXPECT_EQ(observedRecords(goodReport()), expected);
}

TEST(ObservedRecords, AbsentRecordsAddNothingAndOddEvidenceIsTolerated) {
  audit::DomainReport report;
  report.domain = "gone.gov.vn";
  report.checks.push_back(check(
      "SPF-01",
      Json::object({{"txt", answer("gone.gov.vn TXT", "NXDOMAIN")}, {"records", Json::array()}})));
  report.checks.push_back(check("DMARC-01", Json("unexpected")));
  report.checks.push_back(check("MX-01", Json::object({{"answers", 5}})));
  report.checks.push_back(check("DKIM-01", Json::object({{"selectors", Json::array()}})));
  EXPECT_TRUE(observedRecords(report).empty());
}

}  // namespace
}  // namespace mh::service
