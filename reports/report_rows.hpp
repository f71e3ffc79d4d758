// The row model of every report: typed cells written by one of two writers (CSV, XLSX), so the
// two formats of a report cannot differ in columns, rows or cell text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mh::reports {

// What a cell holds. The CSV writes every cell's text; the XLSX writer writes Integer and
// Decimal cells as numbers, Date cells as Excel dates and the rest as text.
enum class CellType { Text, Integer, Decimal, Date };

struct Cell {
  CellType type = CellType::Text;
  std::string text;  // as the CSV writes it ("87.5", "12", "2026-11-20T08:00:01Z"); empty: unknown

  Cell() = default;
  Cell(std::string value) : text(std::move(value)) {}  // NOLINT: a text cell
  Cell(const char* value) : text(value) {}             // NOLINT: a text cell

  static Cell integer(std::int64_t value) { return {CellType::Integer, std::to_string(value)}; }
  // `text` is a plain decimal number as reports print it (scoreText: one decimal), or empty.
  static Cell decimal(std::string text) { return {CellType::Decimal, std::move(text)}; }
  // `text` is a UTC time as the store keeps it ("2026-11-20T08:00:01Z", optionally with
  // milliseconds), or empty.
  static Cell date(std::string text) { return {CellType::Date, std::move(text)}; }

 private:
  Cell(CellType t, std::string value) : type(t), text(std::move(value)) {}
};

using Row = std::vector<Cell>;

// Where a report's rows go: the header once, then the data rows, each as wide as the header.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void header(const std::vector<std::string>& columns) = 0;
  virtual void row(const Row& cells) = 0;
};

}  // namespace mh::reports
