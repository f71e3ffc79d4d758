// RFC 4180 CSV writing with formula-injection neutralising (OWASP "CSV Injection").
#include "reports/csv_writer.hpp"
#include "checks/core/text.hpp"

namespace mh::reports {

namespace {

constexpr std::string_view kFormulaStarts = "=+-@\t\r";
constexpr std::string_view kNeedsQuotes = ",;\"\r\n";

using ascii::isDigit;

}  // namespace

bool isPlainNumber(std::string_view cell) {
  std::size_t i = 0;
  if (i < cell.size() && (cell[i] == '-' || cell[i] == '+')) ++i;
  std::size_t digits = 0;
  while (i < cell.size() && isDigit(cell[i])) ++i, ++digits;
  if (i < cell.size() && cell[i] == '.') {
    ++i;
    while (i < cell.size() && isDigit(cell[i])) ++i, ++digits;
  }
  return digits > 0 && i == cell.size();
}

std::string neutraliseCell(std::string_view cell) {
  if (cell.empty() || kFormulaStarts.find(cell.front()) == std::string_view::npos ||
      isPlainNumber(cell)) {
    return std::string(cell);
  }
  std::string out;
  out.reserve(cell.size() + 1);
  out += '\'';
  out += cell;
  return out;
}

std::string quoteField(std::string_view cell) {
  if (cell.find_first_of(kNeedsQuotes) == std::string_view::npos) return std::string(cell);
  std::string out;
  out.reserve(cell.size() + 2);
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

CsvWriter::CsvWriter(std::ostream& out, bool with_bom) : out_(out) {
  if (with_bom) out_ << kUtf8Bom;
}

void CsvWriter::writeRow(const std::vector<std::string>& cells) {
  std::string line;
  // A lone empty cell is written quoted, so that the row is not mistaken for a blank line.
  if (cells.size() == 1 && cells[0].empty()) line = "\"\"";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += quoteField(neutraliseCell(cells[i]));
  }
  line += "\r\n";
  out_ << line;
  ++rows_;
}

void CsvWriter::row(const Row& cells) {
  std::vector<std::string> texts;
  texts.reserve(cells.size());
  for (const auto& cell : cells) texts.push_back(cell.text);
  writeRow(texts);
}

}  // namespace mh::reports
