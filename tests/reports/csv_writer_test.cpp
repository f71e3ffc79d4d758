// Tests for reports/csv_writer.cpp: BOM, RFC 4180 quoting, CRLF, Vietnamese text, formula cells.
#include "reports/csv_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mh::reports {
namespace {

// A strict RFC 4180 reader for the round trip (CRLF rows, quoted fields); no BOM handling.
std::vector<std::vector<std::string>> readCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field += text[i];
        }
      }
    }
    while (i < text.size() && text[i] != ',' && text[i] != '\r') field += text[i++];
    row.push_back(std::move(field));
    field.clear();
    if (i < text.size() && text[i] == ',') {
      ++i;
    } else {
      i += 2;  // CRLF
      rows.push_back(std::move(row));
      row.clear();
    }
  }
  return rows;
}

std::string write(const std::vector<std::vector<std::string>>& rows, bool bom = false) {
  std::ostringstream out;
  CsvWriter csv(out, bom);
  for (const auto& row : rows) csv.writeRow(row);
  return out.str();
}

TEST(CsvWriter, WritesTheBomOnlyWhenAskedAndByDefault) {
  std::ostringstream with;
  CsvWriter csv(with);
  csv.writeRow({"a"});
  EXPECT_EQ(with.str(),
            "\xEF\xBB\xBF"
            "a\r\n");
  EXPECT_EQ(write({{"a"}}, false), "a\r\n");
}

TEST(CsvWriter, EndsRowsWithCrLfAndSeparatesWithCommas) {
  EXPECT_EQ(write({{"domain", "score"}, {"mps.gov.vn", "87.5"}}),
            "domain,score\r\nmps.gov.vn,87.5\r\n");
}

TEST(CsvWriter, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(write({{"a,b", "say \"hi\"", "two\nlines", "cr\rhere", "plain"}}),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",plain\r\n");
  EXPECT_EQ(quoteField("\""), "\"\"\"\"");
  EXPECT_EQ(quoteField("no special"), "no special");
}

TEST(CsvWriter, QuotesSemicolonsForExcelInVietnameseLocales) {
  // Excel in a locale whose decimal mark is a comma (Vietnamese) splits fields on ';'.
  EXPECT_EQ(write({{"v=DMARC1; p=reject", "a;b", "plain"}}),
            "\"v=DMARC1; p=reject\",\"a;b\",plain\r\n");
  EXPECT_EQ(quoteField(";"), "\";\"");
}

TEST(CsvWriter, EmptyCellsAndALoneEmptyCell) {
  EXPECT_EQ(write({{"", "x", ""}}), ",x,\r\n");
  EXPECT_EQ(write({{""}}), "\"\"\r\n");
  EXPECT_EQ(write({{}}), "\r\n");
}

TEST(CsvWriter, NeutralisesFormulaCells) {
  EXPECT_EQ(neutraliseCell("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(neutraliseCell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(neutraliseCell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
  EXPECT_EQ(neutraliseCell("@SUM(1+1)"), "'@SUM(1+1)");
  EXPECT_EQ(neutraliseCell("\tTAB"), "'\tTAB");
  EXPECT_EQ(neutraliseCell("\rCR"), "'\rCR");
  EXPECT_EQ(neutraliseCell("-A1"), "'-A1");
  EXPECT_EQ(neutraliseCell("-"), "'-");
  EXPECT_EQ(neutraliseCell("+84 24 1234"), "'+84 24 1234");
  EXPECT_EQ(neutraliseCell("a=b"), "a=b");  // only the first character matters
  EXPECT_EQ(neutraliseCell(""), "");
  // Neutralised, then quoted when needed: the apostrophe is inside the quotes.
  EXPECT_EQ(write({{"=1+2,3", "@x"}}), "\"'=1+2,3\",'@x\r\n");
  EXPECT_EQ(write({{"\rCR"}}), "\"'\rCR\"\r\n");
}

TEST(CsvWriter, LeavesPlainNumbersNumeric) {
  for (const char* number : {"-12", "-0.25", "+3.5", "-.5", "42", "0", "-100."}) {
    EXPECT_TRUE(isPlainNumber(number)) << number;
    EXPECT_EQ(neutraliseCell(number), number);
  }
  for (const char* notNumber : {"-", "+", ".", "-1e5", "-1-1", "1,5", "- 1", "-1.2.3", ""}) {
    EXPECT_FALSE(isPlainNumber(notNumber)) << notNumber;
  }
  EXPECT_EQ(write({{"-12", "-1e5"}}), "-12,'-1e5\r\n");
}

TEST(CsvWriter, VietnameseTextRoundTrips) {
  const std::string agency = "Ủy ban nhân dân tỉnh Thừa Thiên Huế, \"Sở TT&TT\"\nPhòng CNTT";
  std::ostringstream out;
  CsvWriter csv(out);
  csv.writeRow({"domain", "agency_vi", "group"});
  csv.writeRow({"hue.gov.vn", agency, "Tỉnh"});
  EXPECT_EQ(csv.rowsWritten(), 2u);
  const std::string text = out.str();
  ASSERT_EQ(text.substr(0, 3), std::string(kUtf8Bom));
  const auto rows = readCsv(std::string_view(text).substr(3));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"domain", "agency_vi", "group"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"hue.gov.vn", agency, "Tỉnh"}));
  // The bytes are UTF-8 as given: no transcoding, no escaping of non-ASCII text.
  EXPECT_NE(text.find("Thừa Thiên Huế"), std::string::npos);
}

}  // namespace
}  // namespace mh::reports
