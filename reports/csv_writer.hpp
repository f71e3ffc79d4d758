// RFC 4180 CSV output for reports: CRLF rows, quoting, optional UTF-8 BOM, formula neutralising.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_rows.hpp"

namespace mh::reports {

// The UTF-8 byte-order mark; Excel needs it to read a CSV file as UTF-8 (Vietnamese text).
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// True for a plain decimal number: an optional sign, digits, an optional fraction ("-12",
// "+3.5", "-0.25", ".5"). Such cells are data, not formulas, and are written unchanged.
bool isPlainNumber(std::string_view cell);

// Guards against CSV (formula) injection, after OWASP's guidance: a cell starting with '=', '+',
// '-', '@', TAB or CR gets a leading apostrophe so a spreadsheet shows it as text. Plain numbers
// (isPlainNumber) are left alone so that negative values stay numeric; "-1+2" or "-A1" is not a
// plain number and is neutralised.
std::string neutraliseCell(std::string_view cell);

// The cell as an RFC 4180 field: quoted (inner quotes doubled) when it holds a comma, a quote,
// CR or LF, or a semicolon (the list separator of Excel in Vietnamese and other locales whose
// decimal mark is a comma); unchanged otherwise. No neutralising.
std::string quoteField(std::string_view cell);

// Writes rows to a stream. Every cell is neutralised, then quoted; rows end with CRLF (RFC 4180
// §2). Bytes are written as given: callers pass UTF-8. Cell types are not written: a number is
// its text. Pure apart from the stream.
class CsvWriter final : public RowWriter {
 public:
  // Writes the BOM at once when with_bom is true (the default for reports).
  explicit CsvWriter(std::ostream& out, bool with_bom = true);

  void writeRow(const std::vector<std::string>& cells);
  void header(const std::vector<std::string>& columns) override { writeRow(columns); }
  void row(const Row& cells) override;
  std::size_t rowsWritten() const { return rows_; }

 private:
  std::ostream& out_;
  std::size_t rows_ = 0;
};

}  // namespace mh::reports
