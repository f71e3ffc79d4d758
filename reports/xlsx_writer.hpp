// Reports as Excel workbooks (libxlsxwriter): one sheet of typed cells under a bold, frozen,
// filtered header row, each column as wide as its content.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reports/report_rows.hpp"

namespace mh::reports {

// Writes one sheet to `path`. Integer and Decimal cells become numbers (a Decimal shown with
// one decimal), Date cells Excel dates (UTC, shown "yyyy-mm-dd hh:mm:ss"), other cells text.
// Text is never a formula, so nothing is neutralised, and it is written as the UTF-8 it is;
// a text longer than an Excel cell holds (32,767 characters) is cut and ends in "…". A cell
// of a number or date type whose text is not one is written as text. Empty cells stay blank.
// The header row is bold, frozen, and carries an autofilter over every row; a column is as
// wide as its longest line (8 to 60 characters); text with line breaks wraps.
// Rows are streamed to libxlsxwriter's temporary files in `tmpdir` (its constant-memory mode):
// a large report is not held in memory. Throws std::runtime_error when the file cannot be
// created or written, or has more rows than a sheet holds (1,048,576).
class XlsxWriter final : public RowWriter {
 public:
  // `sheet`: the sheet's name, at most 31 characters, none of []:*?/\.
  XlsxWriter(const std::filesystem::path& path, const std::string& sheet,
             const std::filesystem::path& tmpdir);
  ~XlsxWriter() override;  // without close(), frees everything and writes nothing
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  void header(const std::vector<std::string>& columns) override;
  void row(const Row& cells) override;
  // Sets the widths, the frozen header and the filter, and writes the file. Call once.
  void close();

 private:
  struct Book;  // the libxlsxwriter handles, kept out of this header
  std::unique_ptr<Book> book_;
};

// The bytes of an .xlsx file of one sheet holding the rows `fill` writes: written in a private
// temporary directory (mode 0700, under TMPDIR or /tmp), read back, and the directory removed.
std::string xlsxBytes(const std::string& sheet, const std::function<void(RowWriter&)>& fill);

}  // namespace mh::reports
