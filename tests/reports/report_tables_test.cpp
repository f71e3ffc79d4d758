// Tests for reports/report_tables.cpp and report_model.cpp: key facts from evidence and the report
// rows, written as CSV.
#include "reports/report_tables.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include "reports/csv_writer.hpp"
#include "reports/xlsx_writer.hpp"
#include "tests/support/csv_reader.hpp"
#include "tests/support/xlsx_reader.hpp"

namespace mh::reports {
namespace {

using testing_support::readCsv;
using testing_support::readXlsx;
using testing_support::XlsxCell;
using testing_support::XlsxSheet;

// The CSV of the rows `fill` writes. The same rows written as XLSX (into `sheet`) must read back
// equal: one row model, two writers.
std::string csvAndXlsx(const std::function<void(RowWriter&)>& fill, XlsxSheet* sheet = nullptr) {
  std::ostringstream text;
  CsvWriter csv(text);
  fill(csv);
  const XlsxSheet xlsx = readXlsx(xlsxBytes("report", fill));
  EXPECT_EQ(testing_support::differences(readCsv(text.str()), xlsx), "");
  if (sheet) *sheet = xlsx;
  return text.str();
}

CheckResult check(std::string id, Status status, Json evidence = {}) {
  CheckResult r;
  r.id = std::move(id);
  r.status = status;
  r.evidence = std::move(evidence);
  return r;
}

std::vector<CheckResult> goodChecks() {
  Json dmarcEvidence = Json::object(
      {{"record",
        Json::object(
            {{"text", "v=DMARC1; p=reject; rua=mailto:d@x.gov.vn"},
             {"parse", Json::object({{"usable", true},
                                     {"policy", "reject"},
                                     {"tags", Json::object({{"p", "reject"},
                                                            {"rua", "mailto:d@x.gov.vn"}})}})}})}});
  Json versions = Json::array();
  versions.push(Json::object({{"version", "TLSv1.3"}, {"support", "accepted"}}));
  versions.push(Json::object({{"version", "TLSv1.2"}, {"support", "accepted"}}));
  versions.push(Json::object({{"version", "TLSv1.0"}, {"support", "not_accepted"}}));
  Json address = Json::object({{"enumeration", Json::object({{"versions", versions}})}});
  Json tlsEvidence = Json::object(
      {{"hosts", Json(Json::Array{Json::object({{"addresses", Json(Json::Array{address})}})})}});
  Json key = Json::object({{"state", "usable"}, {"algorithm", "rsa"}, {"bits", 2048}});
  Json dkimEvidence = Json::object(
      {{"selectors", Json(Json::Array{Json::object(
                         {{"selector", "mail"}, {"keys", Json(Json::Array{key})}})})}});
  Json stsEvidence =
      Json::object({{"fetch", Json::object({{"policy", Json::object({{"mode", "enforce"}})}})}});
  return {check("SPF-02", Status::Pass,
                Json::object({{"policy", Json::object({{"effective_all", "-all"}})}})),
          check("DMARC-02", Status::Pass, dmarcEvidence),
          check("DKIM-01", Status::Pass, dkimEvidence),
          check("TLS-01", Status::Pass),
          check("TLS-02", Status::Pass, tlsEvidence),
          check("MTASTS-01", Status::Pass, stsEvidence),
          check("DNSSEC-01", Status::Fail)};
}

TEST(KeyFacts, ReadFromEvidence) {
  const KeyFacts f = keyFacts(goodChecks());
  EXPECT_EQ(f.spf_all, "-all");
  EXPECT_EQ(f.dmarc_policy, "reject");
  EXPECT_TRUE(f.dmarc_rua);
  EXPECT_EQ(f.lowest_tls, "TLSv1.2");
  EXPECT_TRUE(f.tls_enumerated);
  EXPECT_FALSE(f.weak_tls);
  EXPECT_TRUE(f.dkim_found);
  EXPECT_EQ(f.mta_sts_mode, "enforce");
}

TEST(KeyFacts, MissingOrOddEvidenceLeavesFactsEmpty) {
  const KeyFacts f = keyFacts({check("SPF-02", Status::Error, Json("not an object")),
                               check("DMARC-02", Status::Fail, Json::object({{"record", 3}})),
                               check("TLS-02", Status::Info, Json::array())});
  EXPECT_EQ(f.spf_all, "");
  EXPECT_EQ(f.dmarc_policy, "");
  EXPECT_EQ(f.lowest_tls, "");
  EXPECT_FALSE(f.tls_enumerated);
  EXPECT_FALSE(f.dkim_found);
}

TEST(KeyFacts, SslV3AndRc4AreWeak) {
  Json versions = Json(Json::Array{Json::object({{"version", "SSLv3"}, {"support", "accepted"}})});
  Json suites = Json(Json::Array{Json::object({{"group", "RC4"}, {"support", "accepted"}})});
  Json address =
      Json::object({{"enumeration", Json::object({{"versions", versions}, {"suites", suites}})}});
  Json ev = Json::object(
      {{"hosts", Json(Json::Array{Json::object({{"addresses", Json(Json::Array{address})}})})}});
  const KeyFacts f = keyFacts({check("TLS-02", Status::Fail, ev)});
  EXPECT_EQ(f.lowest_tls, "SSLv3");
  EXPECT_TRUE(f.weak_tls);
}

DomainRunResult goodResult() {
  DomainRunResult r;
  r.info = {"x.gov.vn", "Bộ Tài chính, Hà Nội", "Ministry of Finance",
            "ministry", "=HYPERLINK(1)",        false};
  r.run_id = 7;
  r.score = 92.5;
  r.grade = "A";
  r.tier = "baseline";
  r.dmarc_phase = "enforce";
  for (const auto& c : goodChecks()) r.statuses.emplace_back(c.id, c.status);
  r.facts = keyFacts(goodChecks());
  return r;
}

TEST(NationalCsv, OneRowPerDomainWithVietnameseTextBomAndCrlf) {
  DomainRunResult parked;
  parked.info.domain = "a.gov.vn";
  parked.info.legacy = true;
  parked.exists = false;
  parked.receives_mail = parked.sends_mail = false;
  parked.run_id = 7;
  XlsxSheet sheet;
  const std::string text = csvAndXlsx(
      [&](RowWriter& out) {
        writeNational(out, {goodResult(), parked});
      },
      &sheet);
  EXPECT_TRUE(
      text.starts_with("\xEF\xBB\xBF"
                       "domain,agency_vi,"));
  EXPECT_NE(text.find("\r\n"), std::string::npos);
  const auto rows = readCsv(text);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], nationalColumns());
  EXPECT_EQ(rows[1][0], "a.gov.vn");  // sorted by domain
  EXPECT_EQ(rows[1][5], "yes");
  EXPECT_EQ(rows[1][18], "nxdomain");
  EXPECT_EQ(rows[1][15], "");  // DKIM unknown for a name that does not exist
  const std::vector<std::string> expected = {"x.gov.vn",
                                             "Bộ Tài chính, Hà Nội",
                                             "Ministry of Finance",
                                             "ministry",
                                             "'=HYPERLINK(1)",
                                             "no",
                                             "92.5",
                                             "A",
                                             "baseline",
                                             "Đạt cơ bản",
                                             "enforce",
                                             "hardfail",
                                             "reject",
                                             "pass",
                                             "TLSv1.2",
                                             "yes",
                                             "enforce",
                                             "fail",
                                             "R+S",
                                             "7"};
  EXPECT_EQ(rows[2], expected);

  // The XLSX of the same rows: the score and the run are numbers, text is text (never a
  // formula, so it needs no apostrophe), the Vietnamese name is intact.
  ASSERT_EQ(sheet.rows.size(), 3u);
  const XlsxCell& score = sheet.rows[2][6];
  EXPECT_EQ(score.kind, XlsxCell::Kind::Number);
  EXPECT_EQ(score.value, "92.5");
  EXPECT_EQ(score.format, "0.0");
  EXPECT_EQ(sheet.rows[2][19].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(sheet.rows[2][19].value, "7");
  EXPECT_EQ(sheet.rows[2][19].format, "0");
  EXPECT_EQ(sheet.rows[1][6].kind, XlsxCell::Kind::Blank) << "no score: a blank cell";
  EXPECT_EQ(sheet.rows[2][1].kind, XlsxCell::Kind::Text);
  EXPECT_EQ(sheet.rows[2][1].value, "Bộ Tài chính, Hà Nội");
  EXPECT_EQ(sheet.rows[2][4].kind, XlsxCell::Kind::Text);
  EXPECT_EQ(sheet.rows[2][4].value, "=HYPERLINK(1)");
  EXPECT_TRUE(sheet.rows[0][0].bold);
  EXPECT_TRUE(sheet.header_frozen);
  EXPECT_EQ(sheet.autofilter, "A1:T3");
}

TEST(MatrixCsv, StatusPerCheckColumn) {
  XlsxSheet sheet;
  const std::string csvText = csvAndXlsx(
      [&](RowWriter& out) {
        writeMatrix(out, {goodResult()}, {"SPF-02", "DANE-01", "DNSSEC-01"});
      },
      &sheet);
  const auto rows = readCsv(csvText);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"domain", "agency_vi", "category", "group", "score",
                                               "grade", "SPF-02", "DANE-01", "DNSSEC-01"}));
  EXPECT_EQ(rows[1][6], "pass");
  EXPECT_EQ(rows[1][7], "");  // not run
  EXPECT_EQ(rows[1][8], "fail");
}

TEST(GroupsCsv, MetricColumnsInThreesWithNationalFirst) {
  auto r = goodResult();
  XlsxSheet sheet;
  const std::string csvText = csvAndXlsx(
      [&](RowWriter& out) {
        writeGroups(out, 7, GroupBy::Category, groupAggregates({r}, GroupBy::Category));
      },
      &sheet);
  const auto rows = readCsv(csvText);
  ASSERT_EQ(rows.size(), 7u);  // header + national x3 + ministry x3
  EXPECT_EQ(rows[0], groupsColumns());
  EXPECT_EQ(rows[0].size(), 8 + 3 * metricSpecs().size());
  EXPECT_EQ(rows[1][1], "national");
  EXPECT_EQ(rows[1][2], "(national)");
  EXPECT_EQ(rows[1][3], "all");
  EXPECT_EQ(rows[1][6], "92.5");
  EXPECT_EQ(rows[1][8], "");        // valid_spf_pct: SPF-01 not run, nothing to count
  EXPECT_EQ(rows[1][10], "0");      // valid_spf_of
  EXPECT_EQ(rows[1][11], "100.0");  // strict_spf_pct
  EXPECT_EQ(rows[4][2], "ministry");
  EXPECT_EQ(rows[4][1], "category");
}

TEST(TrendCsv, ScorePerRunAndRegressions) {
  TrendRow t;
  t.info.domain = "x.gov.vn";
  t.info.agency_vi = "Sở Thông tin và Truyền thông";
  t.scores = {{1, 100.0}, {3, 76.0}};
  Regression reg;
  reg.domain = "x.gov.vn";
  reg.check_id = "DMARC-02";
  reg.run_before = 1;
  reg.run_after = 3;
  reg.before = Status::Pass;
  reg.after = Status::Fail;
  t.regressions = {reg};
  // TLS-01 could not be tested in any of the three runs; DNSSEC-01 only in the last two.
  t.errored_checks = {{1, {"TLS-01"}}, {2, {"TLS-01", "DNSSEC-01"}}, {3, {"DNSSEC-01", "TLS-01"}}};
  XlsxSheet sheet;
  const std::string csvText = csvAndXlsx(
      [&](RowWriter& out) {
        writeTrend(out,
                   {{1, "national", "complete", ""},
                    {2, "national", "complete", ""},
                    {3, "national", "complete", ""}},
                   {t});
      },
      &sheet);
  const auto rows = readCsv(csvText);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{
                         "domain", "agency_vi", "category", "group", "run_1", "run_2", "run_3",
                         "first_score", "last_score", "score_change", "regressions",
                         "unconfirmed_regressions", "regression_details", "unreachable_checks"}));
  EXPECT_EQ(rows[1][1], "Sở Thông tin và Truyền thông");
  EXPECT_EQ(rows[1][4], "100.0");
  EXPECT_EQ(rows[1][5], "");
  EXPECT_EQ(rows[1][6], "76.0");
  EXPECT_EQ(rows[1][9], "-24.0");  // a plain number is not neutralised
  EXPECT_EQ(sheet.rows[1][9].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(sheet.rows[1][9].value, "-24");
  EXPECT_EQ(sheet.rows[1][10].format, "0");
  EXPECT_EQ(rows[1][10], "1");
  EXPECT_EQ(rows[1][11], "1");
  EXPECT_EQ(rows[1][12], "DMARC-02 pass->fail (run 1->3, unconfirmed)");
  EXPECT_EQ(rows[1][13], "TLS-01");
}

TEST(HistoryCsv, ChecksChangesAndRegressionsPerRun) {
  HistoryRow first;
  first.snapshot.run_id = 1;
  first.snapshot.kind = "national";
  first.snapshot.state = "complete";
  first.snapshot.started_at = "2026-11-20T08:00:00Z";
  first.snapshot.statuses = {{"DMARC-02", Status::Pass}};
  first.score = 100;
  first.tier = "advanced";
  HistoryRow second = first;
  second.snapshot.run_id = 2;
  second.snapshot.statuses = {{"DMARC-02", Status::Fail}};
  second.score = 64;
  second.tier = "non_compliant";
  second.changes = {{"_dmarc.x.gov.vn", "TXT", {"v=DMARC1; p=reject"}, {"v=DMARC1; p=none"}}};
  XlsxSheet sheet;
  const std::string csvText = csvAndXlsx(
      [&](RowWriter& out) {
        writeHistory(out, "x.gov.vn", {first, second}, {"DMARC-02"});
      },
      &sheet);
  const auto rows = readCsv(csvText);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], historyColumns({"DMARC-02"}));
  EXPECT_EQ(rows[1][9], "Nâng cao");
  EXPECT_EQ(rows[2][9], "Không đạt");
  EXPECT_EQ(rows[2][11], "fail");
  EXPECT_EQ(rows[2][13], "_dmarc.x.gov.vn TXT: \"v=DMARC1; p=reject\" -> \"v=DMARC1; p=none\"");
  // The run's start is an Excel date in the XLSX (csvAndXlsx compared its value).
  EXPECT_EQ(rows[1][4], "2026-11-20T08:00:00Z");
  EXPECT_EQ(sheet.rows[1][4].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(sheet.rows[1][4].format, "yyyy-mm-dd hh:mm:ss");
}

}  // namespace
}  // namespace mh::reports
