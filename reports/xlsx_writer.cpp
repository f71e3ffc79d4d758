// The XLSX writer: typed report rows to one libxlsxwriter sheet in constant-memory mode.
#include "reports/xlsx_writer.hpp"

#include <stdlib.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "checks/core/text.hpp"

namespace mh::reports {

namespace {

struct WorkbookFree {
  void operator()(lxw_workbook* book) const { lxw_workbook_free(book); }
};
// A workbook not yet closed; workbook_close() writes and frees it (release() first).
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookFree>;

constexpr std::size_t kMaxCellChars = 32767;  // Excel's limit for the text of a cell
constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 60;
constexpr double kFilterButton = 3;  // the autofilter's drop-down covers the end of a header
constexpr std::string_view kCut = "…";

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR)
    throw std::runtime_error(std::string("xlsx: ") + what + ": " + lxw_strerror(error));
}

// The digits of text[at, at + n) as a number; nullopt unless all are digits.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, value);
  if (ec != std::errc() || end != text.data() + at + n) return std::nullopt;
  return value;
}

// "2026-11-20T08:00:01Z", "2026-11-20T08:00:01.250Z" or without the Z; nullopt otherwise.
std::optional<lxw_datetime> parseUtcTime(std::string_view text) {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*year < 1900 || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 59)
    return std::nullopt;
  double seconds = *second;
  std::string_view rest = text.substr(19);
  if (rest.starts_with('.')) {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    auto fraction = digits(rest, 1, std::min<std::size_t>(n - 1, 3));
    if (!fraction) return std::nullopt;
    int scale = 1;
    for (std::size_t i = 1; i < std::min<std::size_t>(n, 4); ++i) scale *= 10;
    seconds += static_cast<double>(*fraction) / scale;
    rest.remove_prefix(n);
  }
  if (rest != "Z" && !rest.empty()) return std::nullopt;
  return lxw_datetime{*year, *month, *day, *hour, *minute, seconds};
}

std::optional<double> parseNumber(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The code points of the text's longest line: what a column must show.
std::size_t longestLine(std::string_view text) {
  std::size_t longest = 0, line = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (nextCodePoint(text, at) == U'\n') {
      line = 0;
    } else {
      longest = std::max(longest, ++line);
    }
  }
  return longest;
}

// The text cut to what one cell holds, ending in "…" when cut.
std::string cellText(const std::string& text) {
  std::size_t chars = 0, at = 0;
  while (at < text.size() && chars < kMaxCellChars - 1) {
    nextCodePoint(text, at);
    ++chars;
  }
  if (at >= text.size()) return text;
  return text.substr(0, at) + std::string(kCut);
}

// A directory only this process can read, removed with its content on every exit path.
class PrivateTempDir {
 public:
  PrivateTempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mailhygiene-xlsx.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "xlsx: mkdtemp");
    path_ = pattern;
  }
  ~PrivateTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

struct XlsxWriter::Book {
  WorkbookPtr workbook;
  std::string tmpdir;              // libxlsxwriter keeps the pointer until the workbook is closed
  lxw_worksheet* sheet = nullptr;  // owned by the workbook, as are the formats
  lxw_format* header = nullptr;
  lxw_format* integer = nullptr;
  lxw_format* decimal = nullptr;
  lxw_format* date = nullptr;
  lxw_format* wrapped = nullptr;
  lxw_row_t next_row = 0;
  std::vector<std::size_t> widths;  // characters per column

  void widen(std::size_t col, std::size_t chars) {
    if (col >= widths.size()) widths.resize(col + 1, 0);
    widths[col] = std::max(widths[col], chars);
  }
};

XlsxWriter::XlsxWriter(const std::filesystem::path& path, const std::string& sheet,
                       const std::filesystem::path& tmpdir)
    : book_(std::make_unique<Book>()) {
  book_->tmpdir = tmpdir.string();
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = book_->tmpdir.data();
  book_->workbook.reset(workbook_new_opt(path.c_str(), &options));
  if (!book_->workbook) throw std::runtime_error("xlsx: cannot create the workbook");
  lxw_workbook* wb = book_->workbook.get();
  book_->sheet = workbook_add_worksheet(wb, sheet.c_str());
  if (!book_->sheet) throw std::runtime_error("xlsx: invalid sheet name " + sheet);

  book_->header = workbook_add_format(wb);
  format_set_bold(book_->header);
  format_set_bottom(book_->header, LXW_BORDER_THIN);
  format_set_bg_color(book_->header, 0xDDEBF7);
  book_->integer = workbook_add_format(wb);
  format_set_num_format(book_->integer, "0");
  book_->decimal = workbook_add_format(wb);
  format_set_num_format(book_->decimal, "0.0");
  book_->date = workbook_add_format(wb);
  format_set_num_format(book_->date, "yyyy-mm-dd hh:mm:ss");
  book_->wrapped = workbook_add_format(wb);
  format_set_text_wrap(book_->wrapped);
  format_set_align(book_->wrapped, LXW_ALIGN_VERTICAL_TOP);
}

XlsxWriter::~XlsxWriter() = default;

void XlsxWriter::header(const std::vector<std::string>& columns) {
  Book& b = *book_;
  for (std::size_t col = 0; col < columns.size(); ++col) {
    const auto c = static_cast<lxw_col_t>(col);
    check(worksheet_write_string(b.sheet, b.next_row, c, cellText(columns[col]).c_str(), b.header),
          "header");
    b.widen(col, longestLine(columns[col]) + static_cast<std::size_t>(kFilterButton));
  }
  ++b.next_row;
}

void XlsxWriter::row(const Row& cells) {
  Book& b = *book_;
  if (b.next_row >= LXW_ROW_MAX)
    throw std::runtime_error("xlsx: more rows than an Excel sheet holds");
  for (std::size_t col = 0; col < cells.size(); ++col) {
    const Cell& cell = cells[col];
    if (cell.text.empty()) continue;
    const auto c = static_cast<lxw_col_t>(col);
    if (cell.type == CellType::Integer || cell.type == CellType::Decimal) {
      if (auto number = parseNumber(cell.text)) {
        check(worksheet_write_number(b.sheet, b.next_row, c, *number,
                                     cell.type == CellType::Integer ? b.integer : b.decimal),
              "number");
        b.widen(col, cell.text.size());
        continue;
      }
    } else if (cell.type == CellType::Date) {
      if (auto time = parseUtcTime(cell.text)) {
        check(worksheet_write_datetime(b.sheet, b.next_row, c, &*time, b.date), "date");
        b.widen(col, 19);  // yyyy-mm-dd hh:mm:ss
        continue;
      }
    }
    const bool multiLine = cell.text.find('\n') != std::string::npos;
    check(worksheet_write_string(b.sheet, b.next_row, c, cellText(cell.text).c_str(),
                                 multiLine ? b.wrapped : nullptr),
          "text");
    b.widen(col, longestLine(cell.text));
  }
  ++b.next_row;
}

void XlsxWriter::close() {
  Book& b = *book_;
  if (!b.workbook) throw std::logic_error("xlsx: closed twice");
  for (std::size_t col = 0; col < b.widths.size(); ++col) {
    const double width = std::clamp(static_cast<double>(b.widths[col]) + 1, kMinWidth, kMaxWidth);
    const auto c = static_cast<lxw_col_t>(col);
    check(worksheet_set_column(b.sheet, c, c, width, nullptr), "column width");
  }
  if (b.next_row > 0 && !b.widths.empty()) {
    worksheet_freeze_panes(b.sheet, 1, 0);
    check(worksheet_autofilter(b.sheet, 0, 0, b.next_row - 1,
                               static_cast<lxw_col_t>(b.widths.size() - 1)),
          "autofilter");
  }
  // workbook_close frees the workbook whether or not it could write the file.
  check(workbook_close(b.workbook.release()), "write");
}

std::string xlsxBytes(const std::string& sheet, const std::function<void(RowWriter&)>& fill) {
  PrivateTempDir dir;
  const auto path = dir.path() / "report.xlsx";
  {
    XlsxWriter writer(path, sheet, dir.path());
    fill(writer);
    writer.close();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("xlsx: cannot read the written file");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace mh::reports
