// One report request to CSV or XLSX bytes and a file name: the report selection shared by
// `mailhygiene report` and the HTTP downloads (/reports/...), so both give the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "service/store/result_store.hpp"

namespace mh::service {

enum class ReportKind { National, Matrix, Groups, Trend, Regressions, History };
// "national" | "matrix" | "groups" | "trend" | "regressions" | "history".
std::optional<ReportKind> parseReportKind(std::string_view text);
std::string_view toString(ReportKind kind);

// The file format of a report: the same rows (reports/report_tables.hpp) either way.
enum class ReportFormat { Csv, Xlsx };
// "csv" | "xlsx".
std::optional<ReportFormat> parseReportFormat(std::string_view text);
std::string_view toString(ReportFormat format);
// The media type of a download: "text/csv; charset=utf-8" or the OOXML spreadsheet type.
std::string_view contentType(ReportFormat format);

// A run number as a user writes it ("12"): nullopt unless a positive decimal integer.
std::optional<std::int64_t> parseRunNumber(std::string_view text);

struct ReportRequest {
  ReportKind kind = ReportKind::National;
  ReportFormat format = ReportFormat::Csv;
  // national, matrix, groups: the run (default: the latest complete national run).
  // trend: the last run to consider; regressions: only those found at this run.
  std::optional<std::int64_t> run;
  std::string domain;                 // history: as given (validated and normalised here)
  std::string group_by = "category";  // groups: "category" | "group"
  // national, matrix, trend, regressions: only the domains whose group or category equals it
  // (ASCII case-insensitive, as /api/v1/domains?group=); empty for every domain.
  std::string group;
};

struct ReportFile {
  // CSV: UTF-8 with BOM, CRLF (reports/csv_writer.hpp); XLSX: a workbook of one sheet named
  // after the kind (reports/xlsx_writer.hpp).
  std::string bytes;
  std::string file_name;           // e.g. "mailhygiene-national-run12.csv": [a-z0-9.-] only
  std::vector<std::string> notes;  // for the reader, e.g. "run 3 is running; its report is partial"
};

enum class ReportProblem { BadRequest, NotFound };

struct ReportError {
  ReportProblem problem = ReportProblem::BadRequest;
  std::string code;     // stable: "invalid_domain", "no_such_run", "no_complete_run", ...
  std::string message;  // for a person; names no file or path
};

// Reads the store and writes the report. Throws only what the store throws (broken database)
// and, for XLSX, std::runtime_error when its temporary file cannot be written.
std::variant<ReportFile, ReportError> exportReport(store::ResultStore& db,
                                                   const ReportRequest& request);

// `text` as a piece of a file name: Vietnamese letters without their marks, lower case, ASCII
// letters, digits and '.' kept, anything else one '-', at most 60 characters; `fallback` when
// nothing is left. "Tỉnh/thành" -> "tinh-thanh".
std::string fileNamePart(std::string_view text, std::string_view fallback);

}  // namespace mh::service
