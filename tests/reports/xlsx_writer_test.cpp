// Tests for reports/xlsx_writer.cpp: typed cells, the header row, widths, limits and the
// temporary files of an .xlsx report, read back with Poco Zip and Poco XML.
#include "reports/xlsx_writer.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "checks/core/text.hpp"
#include "tests/support/xlsx_reader.hpp"

namespace mh::reports {
namespace {

namespace fs = std::filesystem;
using testing_support::readXlsx;
using testing_support::XlsxCell;
using testing_support::XlsxSheet;

XlsxSheet sheetOf(const std::vector<std::string>& header, const std::vector<Row>& rows) {
  return readXlsx(xlsxBytes("test", [&](RowWriter& out) {
    out.header(header);
    for (const auto& row : rows) out.row(row);
  }));
}

std::size_t codePoints(const std::string& text) {
  std::size_t n = 0;
  for (std::size_t at = 0; at < text.size(); ++n) nextCodePoint(text, at);
  return n;
}

TEST(XlsxWriter, NumbersDatesAndTextKeepTheirTypes) {
  const auto sheet =
      sheetOf({"domain", "agency_vi", "score", "run_id", "date"},
              {{"hue.gov.vn", "Ủy ban nhân dân tỉnh Thừa Thiên Huế", Cell::decimal("87.5"),
                Cell::integer(12), Cell::date("2026-11-20T08:00:01.250Z")},
               {"x.gov.vn", "=HYPERLINK(\"http://x\")", Cell::decimal("-24.0"), Cell::integer(-3),
                Cell::date("2026-01-02T23:59:59Z")}});
  ASSERT_EQ(sheet.rows.size(), 3u);
  const auto& first = sheet.rows[1];
  EXPECT_EQ(first[1].kind, XlsxCell::Kind::Text);
  EXPECT_EQ(first[1].value, "Ủy ban nhân dân tỉnh Thừa Thiên Huế");
  EXPECT_EQ(first[2].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(first[2].value, "87.5");
  EXPECT_EQ(first[2].format, "0.0");
  EXPECT_EQ(first[3].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(first[3].value, "12");
  EXPECT_EQ(first[3].format, "0");
  EXPECT_EQ(first[4].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(first[4].format, "yyyy-mm-dd hh:mm:ss");
  // 2026-11-20 is day 46346 of Excel's calendar; 08:00:01.25 is 28801.25 s into it.
  EXPECT_NEAR(std::stod(first[4].value), 46346 + 28801.25 / 86400, 1e-9);
  const auto& second = sheet.rows[2];
  EXPECT_EQ(second[1].kind, XlsxCell::Kind::Text) << "text that looks like a formula is text";
  EXPECT_EQ(second[1].value, "=HYPERLINK(\"http://x\")");
  EXPECT_EQ(second[2].value, "-24");
  EXPECT_EQ(second[3].value, "-3");
  EXPECT_NEAR(std::stod(second[4].value), 46024 + 86399.0 / 86400, 1e-9);
}

TEST(XlsxWriter, HeaderRowIsBoldFrozenAndFiltered) {
  const auto sheet =
      sheetOf({"domain", "score", "grade"}, {{"a.gov.vn", Cell::decimal("1.0"), "F"},
                                             {"b.gov.vn", Cell::decimal("2.0"), "F"},
                                             {"c.gov.vn", Cell::decimal("3.0"), "F"}});
  EXPECT_TRUE(sheet.header_frozen);
  EXPECT_EQ(sheet.autofilter, "A1:C4");
  for (const auto& cell : sheet.rows[0]) {
    EXPECT_TRUE(cell.bold) << cell.value;
    EXPECT_EQ(cell.kind, XlsxCell::Kind::Text);
  }
  EXPECT_FALSE(sheet.rows[1][0].bold);
  // Only a header: the filter covers it alone.
  EXPECT_EQ(sheetOf({"domain", "score"}, {}).autofilter, "A1:B1");
}

TEST(XlsxWriter, EmptyCellsAreBlankAndMistypedTextStaysText) {
  const auto sheet = sheetOf({"a", "b", "c", "d"},
                             {{"", Cell::decimal(""), Cell::integer(5), Cell::date("not a date")},
                              {Cell::decimal("1,5"), "x", "", ""}});
  EXPECT_EQ(sheet.rows[1][0].kind, XlsxCell::Kind::Blank);
  EXPECT_EQ(sheet.rows[1][1].kind, XlsxCell::Kind::Blank);
  EXPECT_EQ(sheet.rows[1][2].kind, XlsxCell::Kind::Number);
  EXPECT_EQ(sheet.rows[1][3].kind, XlsxCell::Kind::Text);
  EXPECT_EQ(sheet.rows[1][3].value, "not a date");
  EXPECT_EQ(sheet.rows[2][0].kind, XlsxCell::Kind::Text);
  EXPECT_EQ(sheet.rows[2][0].value, "1,5");
}

TEST(XlsxWriter, ColumnsAreAsWideAsTheirLongestLineWithinBounds) {
  const std::string agency = "Bộ Nông nghiệp và Môi trường";  // 28 characters, more bytes
  const auto sheet =
      sheetOf({"id", "agency_vi", "details", "notes"},
              {{"1", agency, "short\n" + std::string(40, 'x') + "\nshort", std::string(500, 'y')}});
  ASSERT_EQ(sheet.widths.size(), 4u);
  EXPECT_GE(sheet.widths.at(0), 8);  // never narrower than 8
  EXPECT_LT(sheet.widths.at(0), 10);
  EXPECT_GE(sheet.widths.at(1), codePoints(agency));  // characters, not bytes
  EXPECT_LT(sheet.widths.at(1), agency.size());
  EXPECT_GE(sheet.widths.at(2), 40);  // the longest line, not the whole text
  EXPECT_LT(sheet.widths.at(2), 50);
  EXPECT_LE(sheet.widths.at(3), 61);  // at most 60 (plus the padding Excel adds)
  EXPECT_EQ(sheet.rows[1][2].value, "short\n" + std::string(40, 'x') + "\nshort");
}

TEST(XlsxWriter, TextLongerThanACellHoldsIsCut) {
  std::string longText;
  while (codePoints(longText) < 40000) longText += "Đường dây nóng ";
  const auto sheet = sheetOf({"changes"}, {{longText}});
  const std::string& written = sheet.rows[1][0].value;
  EXPECT_EQ(codePoints(written), 32767u);
  EXPECT_TRUE(written.ends_with("…"));
  EXPECT_TRUE(longText.starts_with(written.substr(0, written.size() - std::string("…").size())));
}

TEST(XlsxWriter, TemporaryFilesAreRemovedAndAnUnclosedWriterWritesNothing) {
  const fs::path tmp = fs::temp_directory_path() / ("mh-xlsx-test-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const char* before = ::getenv("TMPDIR");
  const std::string saved = before ? before : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  const std::string bytes =
      xlsxBytes("test", [](RowWriter& out) { out.header({"domain"}), out.row({"a.gov.vn"}); });
  EXPECT_TRUE(bytes.starts_with("PK"));
  EXPECT_TRUE(fs::is_empty(tmp)) << "the private directory is gone";
  {
    XlsxWriter unclosed(tmp / "never.xlsx", "test", tmp);
    unclosed.header({"domain"});
  }
  EXPECT_FALSE(fs::exists(tmp / "never.xlsx"));
  EXPECT_THROW(XlsxWriter(tmp / "bad.xlsx", "a/b", tmp), std::runtime_error) << "sheet name";
  if (before) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace mh::reports
