// Tests for service/report_export: run choice, group filter, errors and file names of a report.
#include "service/report_export.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "service/domain_list.hpp"
#include "service/store/sqlite_store.hpp"
#include "tests/support/csv_reader.hpp"
#include "tests/support/xlsx_reader.hpp"

namespace mh::service {
namespace {

using testing_support::readCsv;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

store::DomainReportRow row(const std::string& domain, Status dmarc_policy, double score) {
  store::DomainReportRow r;
  r.domain = domain;
  r.score = score;
  r.grade = score >= 90 ? "A" : "D";
  r.tier = "baseline";
  r.dmarc_phase = "enforce";
  r.started_at = "2026-11-20T08:00:01Z";
  for (auto [id, status] : {std::pair{"SPF-01", Status::Pass}, std::pair{"DMARC-01", Status::Pass},
                            std::pair{"DMARC-02", dmarc_policy}}) {
    CheckResult c;
    c.id = id;
    c.status = status;
    r.checks.push_back(c);
  }
  return r;
}

DomainEntry entry(const std::string& domain, const std::string& category,
                  const std::string& group) {
  DomainEntry e;
  e.domain = domain;
  e.agency_vi = "Cơ quan " + domain;
  e.agency_en = "Agency " + domain;
  e.category = category;
  e.group = group;
  return e;
}

// A store of two domains in two groups; run() adds a complete national run of both, or a run
// left running with good.lab.test only.
class ReportExport : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.upsertDomains({entry("good.lab.test", "ministry", "Chính phủ"),
                          entry("other.lab.test", "province", "Tỉnh/thành")});
  }

  std::int64_t run(Status good_dmarc, bool complete = true) {
    const auto id = store_.startRun(store::RunKind::National, "test", "test", "{}");
    EXPECT_TRUE(store_.recordDomainResult(id, row("good.lab.test", good_dmarc, 95)));
    if (complete) {
      EXPECT_TRUE(store_.recordDomainResult(id, row("other.lab.test", Status::Fail, 40)));
      store_.finishRun(id, store::RunState::Complete);
    }
    return id;
  }

  ReportFile exported(const ReportRequest& request) {
    auto result = exportReport(store_, request);
    if (auto* error = std::get_if<ReportError>(&result)) {
      ADD_FAILURE() << "unexpected error " << error->code << ": " << error->message;
      return {};
    }
    return std::get<ReportFile>(result);
  }

  ReportError failed(const ReportRequest& request) {
    auto result = exportReport(store_, request);
    if (auto* error = std::get_if<ReportError>(&result)) return *error;
    ADD_FAILURE() << "expected an error, got " << std::get<ReportFile>(result).file_name;
    return {};
  }

  store::SqliteStore store_{":memory:"};
};

std::vector<std::string> firstColumn(const std::string& csv) {
  std::vector<std::string> out;
  for (const auto& r : readCsv(csv)) out.push_back(r.empty() ? "" : r[0]);
  return out;
}

TEST(ReportKinds, ParseAndPrintEveryKind) {
  for (auto kind : {ReportKind::National, ReportKind::Matrix, ReportKind::Groups, ReportKind::Trend,
                    ReportKind::Regressions, ReportKind::History})
    EXPECT_EQ(parseReportKind(toString(kind)), kind);
  EXPECT_FALSE(parseReportKind("pie"));
  EXPECT_FALSE(parseReportKind("National"));
  EXPECT_FALSE(parseReportKind(""));
}

TEST(ReportFormats, ParseAndPrintBothFormats) {
  for (auto format : {ReportFormat::Csv, ReportFormat::Xlsx})
    EXPECT_EQ(parseReportFormat(toString(format)), format);
  EXPECT_FALSE(parseReportFormat("xls"));
  EXPECT_FALSE(parseReportFormat("XLSX"));
  EXPECT_EQ(contentType(ReportFormat::Csv), "text/csv; charset=utf-8");
  EXPECT_EQ(contentType(ReportFormat::Xlsx),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

TEST(ReportRunNumber, OnlyPositiveDecimalNumbers) {
  EXPECT_EQ(parseRunNumber("12"), 12);
  EXPECT_EQ(parseRunNumber("007"), 7);
  for (std::string_view bad :
       {"", "0", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5", "99999999999999999999999"})
    EXPECT_FALSE(parseRunNumber(bad)) << bad;
}

TEST(ReportFileName, VietnameseFoldedToSafeAscii) {
  EXPECT_EQ(fileNamePart("Tỉnh/thành", "x"), "tinh-thanh");
  EXPECT_EQ(fileNamePart("Chính phủ", "x"), "chinh-phu");
  EXPECT_EQ(fileNamePart("ĐÀ NẴNG", "x"), "da-nang");
  EXPECT_EQ(fileNamePart("Bộ Công an - A05", "x"), "bo-cong-an-a05");
  EXPECT_EQ(fileNamePart("xn--bcngan-jxa6332d.vn", "x"), "xn--bcngan-jxa6332d.vn");
  EXPECT_EQ(fileNamePart("../../etc/passwd", "x"), "etc-passwd");
  EXPECT_EQ(fileNamePart("a\"b;c\r\nd\\e", "x"), "a-b-c-d-e");
  EXPECT_EQ(fileNamePart("-.hidden.-", "x"), "hidden");
  EXPECT_EQ(fileNamePart("日本", "group"), "group");
  EXPECT_EQ(fileNamePart("\xff\xfe\xc3", "group"), "group");
  EXPECT_EQ(fileNamePart("", "group"), "group");
  const std::string long_name = fileNamePart(std::string(200, 'a') + " b", "x");
  EXPECT_EQ(long_name, std::string(60, 'a'));
}

TEST_F(ReportExport, NoCompleteRunIsNotFound) {
  run(Status::Pass, /*complete=*/false);
  const auto error = failed({});
  EXPECT_EQ(error.problem, ReportProblem::NotFound);
  EXPECT_EQ(error.code, "no_complete_run");
}

TEST_F(ReportExport, NationalDefaultsToTheLatestCompleteRun) {
  run(Status::Pass);
  const auto second = run(Status::Fail);
  run(Status::Pass, /*complete=*/false);
  const auto file = exported({});
  EXPECT_EQ(file.file_name, "mailhygiene-national-run" + std::to_string(second) + ".csv");
  EXPECT_TRUE(file.notes.empty());
  EXPECT_TRUE(file.bytes.starts_with(kBom));
  EXPECT_EQ(firstColumn(file.bytes),
            (std::vector<std::string>{"domain", "good.lab.test", "other.lab.test"}));
}

TEST_F(ReportExport, ARunNotCompleteIsMarkedPartial) {
  run(Status::Pass);
  const auto running = run(Status::Pass, /*complete=*/false);
  ReportRequest request;
  request.kind = ReportKind::Matrix;
  request.run = running;
  const auto file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-matrix-run" + std::to_string(running) + "-partial.csv");
  ASSERT_EQ(file.notes.size(), 1u);
  EXPECT_NE(file.notes[0].find("running"), std::string::npos) << file.notes[0];
  EXPECT_EQ(firstColumn(file.bytes), (std::vector<std::string>{"domain", "good.lab.test"}));
}

TEST_F(ReportExport, UnknownRunIsNotFound) {
  run(Status::Pass);
  for (auto kind :
       {ReportKind::National, ReportKind::Groups, ReportKind::Trend, ReportKind::Regressions}) {
    ReportRequest request;
    request.kind = kind;
    request.run = 99;
    const auto error = failed(request);
    EXPECT_EQ(error.problem, ReportProblem::NotFound) << toString(kind);
    EXPECT_EQ(error.code, "no_such_run") << toString(kind);
  }
}

TEST_F(ReportExport, AGroupFilterKeepsItsDomainsAndNamesTheFile) {
  const auto id = run(Status::Pass);
  ReportRequest request;
  request.group = "TỉNH/THàNH";  // ASCII letters compared case-insensitively
  auto file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-national-run" + std::to_string(id) + "-tinh-thanh.csv");
  EXPECT_EQ(firstColumn(file.bytes), (std::vector<std::string>{"domain", "other.lab.test"}));

  request.group = "MINISTRY";  // a category
  request.kind = ReportKind::Trend;
  file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-trend-ministry.csv");
  EXPECT_EQ(firstColumn(file.bytes), (std::vector<std::string>{"domain", "good.lab.test"}));

  request.group = "nobody";
  const auto error = failed(request);
  EXPECT_EQ(error.problem, ReportProblem::NotFound);
  EXPECT_EQ(error.code, "no_such_group");
}

TEST_F(ReportExport, AGroupFilterDoesNotApplyToGroupsOrHistory) {
  run(Status::Pass);
  ReportRequest request;
  request.group = "ministry";
  request.kind = ReportKind::Groups;
  EXPECT_EQ(failed(request).code, "group_not_applicable");
  request.kind = ReportKind::History;
  request.domain = "good.lab.test";
  EXPECT_EQ(failed(request).problem, ReportProblem::BadRequest);
}

TEST_F(ReportExport, GroupsAreByCategoryOrGroupOnly) {
  const auto id = run(Status::Pass);
  ReportRequest request;
  request.kind = ReportKind::Groups;
  EXPECT_EQ(exported(request).file_name,
            "mailhygiene-groups-by-category-run" + std::to_string(id) + ".csv");
  request.group_by = "group";
  const auto file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-groups-by-group-run" + std::to_string(id) + ".csv");
  EXPECT_NE(file.bytes.find("Tỉnh/thành"), std::string::npos);
  request.group_by = "agency";
  const auto error = failed(request);
  EXPECT_EQ(error.problem, ReportProblem::BadRequest);
  EXPECT_EQ(error.code, "invalid_group_by");
}

TEST_F(ReportExport, RegressionsOfOneRunOrOfAll) {
  const auto first = run(Status::Pass);
  const auto second = run(Status::Fail);
  ReportRequest request;
  request.kind = ReportKind::Regressions;
  auto file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-regressions.csv");
  EXPECT_EQ(firstColumn(file.bytes), (std::vector<std::string>{"domain", "good.lab.test"}));
  request.run = second;
  file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-regressions-run" + std::to_string(second) + ".csv");
  EXPECT_EQ(readCsv(file.bytes).size(), 2u);
  request.run = first;
  EXPECT_EQ(readCsv(exported(request).bytes).size(), 1u) << "no regression found at the first run";
  request.run = std::nullopt;
  request.group = "province";
  EXPECT_EQ(readCsv(exported(request).bytes).size(), 1u) << "good.lab.test is not a province";

  request = {};
  request.kind = ReportKind::Trend;
  request.run = first;
  file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-trend-to-run" + std::to_string(first) + ".csv");
  const auto header = readCsv(file.bytes).at(0);
  EXPECT_NE(std::find(header.begin(), header.end(), "run_" + std::to_string(first)), header.end());
  EXPECT_EQ(std::find(header.begin(), header.end(), "run_" + std::to_string(second)), header.end());
}

TEST_F(ReportExport, HistoryNeedsAValidKnownDomain) {
  run(Status::Pass);
  ReportRequest request;
  request.kind = ReportKind::History;
  EXPECT_EQ(failed(request).code, "missing_domain");
  for (const std::string& bad : std::vector<std::string>{"not a domain", "a..b", "-x.lab.test",
                                                         std::string(300, 'a') + ".vn"}) {
    request.domain = bad;
    const auto error = failed(request);
    EXPECT_EQ(error.problem, ReportProblem::BadRequest) << bad;
    EXPECT_EQ(error.code, "invalid_domain") << bad;
  }
  request.domain = "unknown.lab.test";
  const auto error = failed(request);
  EXPECT_EQ(error.problem, ReportProblem::NotFound);
  EXPECT_EQ(error.code, "no_history");
  request.domain = "GOOD.lab.test.";
  const auto file = exported(request);
  EXPECT_EQ(file.file_name, "mailhygiene-history-good.lab.test.csv");
  EXPECT_EQ(readCsv(file.bytes).size(), 2u);
}

TEST_F(ReportExport, EveryKindAsXlsxHasTheRowsOfItsCsv) {
  run(Status::Pass);
  run(Status::Fail);
  for (auto kind : {ReportKind::National, ReportKind::Matrix, ReportKind::Groups, ReportKind::Trend,
                    ReportKind::Regressions, ReportKind::History}) {
    SCOPED_TRACE(std::string(toString(kind)));
    ReportRequest request;
    request.kind = kind;
    if (kind == ReportKind::History) request.domain = "good.lab.test";
    const auto csv = exported(request);
    request.format = ReportFormat::Xlsx;
    const auto xlsx = exported(request);
    const std::string stem = csv.file_name.substr(0, csv.file_name.size() - 4);
    EXPECT_EQ(xlsx.file_name, stem + ".xlsx");
    EXPECT_TRUE(xlsx.bytes.starts_with("PK\x03\x04")) << "a zip archive";
    const auto sheet = testing_support::readXlsx(xlsx.bytes);
    EXPECT_EQ(testing_support::differences(readCsv(csv.bytes), sheet), "");
    EXPECT_GE(sheet.rows.size(), 2u);
    EXPECT_TRUE(sheet.header_frozen);
    EXPECT_FALSE(sheet.autofilter.empty());
  }
}

// Issue 15: over the shipped domains.csv, the group report has one row per real group (and
// population), not one per note.
TEST(GroupReport, TheShippedDomainsCsvGivesOneRowPerRealGroup) {
  const auto list = loadDomainList(std::string(MH_SOURCE_DIR) + "/domains.csv");
  ASSERT_TRUE(list.has_value());
  store::SqliteStore db(":memory:");
  db.upsertDomains(list->entries);
  const auto id = db.startRun(store::RunKind::National, "test", "test", "{}");
  for (const auto& e : list->entries)
    ASSERT_TRUE(db.recordDomainResult(id, row(e.domain, Status::Pass, 90)));
  db.finishRun(id, store::RunState::Complete);

  ReportRequest request;
  request.kind = ReportKind::Groups;
  request.group_by = "group";
  auto result = exportReport(db, request);
  ASSERT_TRUE(std::holds_alternative<ReportFile>(result));
  const auto rows = readCsv(std::get<ReportFile>(result).bytes);
  ASSERT_FALSE(rows.empty());
  std::map<std::string, int> rowsPerGroup;
  std::map<std::string, std::string> domainsPerGroup;  // population "all"
  for (std::size_t r = 1; r < rows.size(); ++r) {
    ++rowsPerGroup[rows[r].at(2)];
    if (rows[r].at(3) == "all") domainsPerGroup[rows[r].at(2)] = rows[r].at(4);
  }
  EXPECT_EQ(rowsPerGroup, (std::map<std::string, int>{{"(national)", 3},
                                                      {"Bộ", 3},
                                                      {"Cơ quan ngang bộ", 3},
                                                      {"Cơ quan trung ương", 3},
                                                      {"Doanh nghiệp nhà nước", 3},
                                                      {"Tỉnh/thành phố", 3}}));
  EXPECT_EQ(domainsPerGroup["(national)"], std::to_string(list->entries.size()));
  EXPECT_EQ(domainsPerGroup["Cơ quan ngang bộ"], "3");  // SBV, Government Inspectorate, Office
  EXPECT_EQ(domainsPerGroup["Doanh nghiệp nhà nước"], "5");
}

}  // namespace
}  // namespace mh::service
