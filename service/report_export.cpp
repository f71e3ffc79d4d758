// The report selection: which run, which domains and which writer for a request, and the
// file name of the result.
#include "service/report_export.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <sstream>
#include <unordered_map>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/text.hpp"
#include "reports/csv_writer.hpp"
#include "reports/report_tables.hpp"
#include "reports/xlsx_writer.hpp"
#include "service/report_data.hpp"

namespace mh::service {

namespace {

constexpr std::size_t kMaxFileNamePart = 60;

ReportError badRequest(std::string code, std::string message) {
  return {ReportProblem::BadRequest, std::move(code), std::move(message)};
}

ReportError notFound(std::string code, std::string message) {
  return {ReportProblem::NotFound, std::move(code), std::move(message)};
}

std::string asciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The domains a request keeps: every one, or those whose group or category is the wanted one.
class DomainFilter {
 public:
  explicit DomainFilter(std::string_view group) : wanted_(asciiLower(group)) {}
  bool all() const { return wanted_.empty(); }
  bool keeps(const reports::DomainInfo& info) const {
    return all() || asciiLower(info.group) == wanted_ || asciiLower(info.category) == wanted_;
  }

 private:
  std::string wanted_;
};

// The run of a single-run report: the one asked for, or the latest complete national run.
std::variant<store::RunInfo, ReportError> chooseRun(store::ResultStore& db,
                                                    const ReportRequest& request) {
  if (request.run) {
    auto info = db.run(*request.run);
    if (!info) return notFound("no_such_run", "no run " + std::to_string(*request.run));
    return *info;
  }
  auto latest = db.latestRun(store::RunKind::National);
  if (!latest) return notFound("no_complete_run", "no complete national run");
  return *latest;
}

// The suffix of a file name: "-<group>" when filtered.
std::string groupSuffix(const ReportRequest& request) {
  return request.group.empty() ? "" : "-" + fileNamePart(request.group, "group");
}

std::string fileName(std::string_view stem, ReportFormat format) {
  return "mailhygiene-" + std::string(stem) + "." + std::string(toString(format));
}

// The bytes of the rows `fill` writes, in the request's format; an XLSX sheet is named after
// the report's kind.
std::string render(const ReportRequest& request,
                   const std::function<void(reports::RowWriter&)>& fill) {
  if (request.format == ReportFormat::Xlsx)
    return reports::xlsxBytes(std::string(toString(request.kind)), fill);
  std::ostringstream out;
  reports::CsvWriter csv(out);
  fill(csv);
  return out.str();
}

std::variant<ReportFile, ReportError> singleRunReport(
    store::ResultStore& db, const ReportRequest& request,
    const std::map<std::string, reports::DomainInfo>& infos) {
  auto chosen = chooseRun(db, request);
  if (auto* error = std::get_if<ReportError>(&chosen)) return *error;
  const auto& run = std::get<store::RunInfo>(chosen);
  ReportFile file;
  std::string stem = std::string(toString(request.kind));
  if (request.kind == ReportKind::Groups) {
    auto by = reports::parseGroupBy(request.group_by);  // validated by exportReport
    stem += "-by-" + std::string(reports::toString(*by));
  }
  stem += "-run" + std::to_string(run.id) + groupSuffix(request);
  if (run.state != store::RunState::Complete) {
    file.notes.push_back("run " + std::to_string(run.id) + " is " +
                         std::string(store::toString(run.state)) + "; its report is partial");
    stem += "-partial";
  }
  file.file_name = fileName(stem, request.format);

  auto results = runResults(db, run.id, infos);
  const DomainFilter filter(request.group);
  std::erase_if(results, [&](const auto& r) { return !filter.keeps(r.info); });
  file.bytes = render(request, [&](reports::RowWriter& out) {
    if (request.kind == ReportKind::National) {
      reports::writeNational(out, std::move(results));
    } else if (request.kind == ReportKind::Matrix) {
      reports::writeMatrix(out, std::move(results), reportCheckIds());
    } else {
      const auto by = *reports::parseGroupBy(request.group_by);
      reports::writeGroups(out, run.id, by, reports::groupAggregates(results, by));
    }
  });
  return file;
}

std::variant<ReportFile, ReportError> trendReport(
    store::ResultStore& db, const ReportRequest& request,
    const std::map<std::string, reports::DomainInfo>& infos) {
  const auto& only = request.run;
  if (only && !db.run(*only)) return notFound("no_such_run", "no run " + std::to_string(*only));
  std::vector<reports::RunRef> runs;
  for (auto& r : runRefs(db))
    if (r.kind == "national" && r.state == "complete" && (!only || r.id <= *only))
      runs.push_back(std::move(r));
  const DomainFilter filter(request.group);
  auto rows = trendRows(db, infos);
  std::erase_if(rows, [&](const auto& row) { return !filter.keeps(row.info); });
  if (only)
    for (auto& row : rows)
      std::erase_if(row.regressions, [&](const auto& r) { return r.run_after > *only; });

  ReportFile file;
  if (request.kind == ReportKind::Trend) {
    file.bytes =
        render(request, [&](reports::RowWriter& out) { reports::writeTrend(out, runs, rows); });
    file.file_name =
        fileName("trend" + (only ? "-to-run" + std::to_string(*only) : "") + groupSuffix(request),
                 request.format);
  } else {
    std::vector<reports::Regression> all;
    for (const auto& row : rows)
      for (const auto& r : row.regressions)
        if (!only || r.run_after == *only) all.push_back(r);
    file.bytes = render(
        request, [&](reports::RowWriter& out) { reports::writeRegressions(out, all, infos); });
    file.file_name = fileName(
        "regressions" + (only ? "-run" + std::to_string(*only) : "") + groupSuffix(request),
        request.format);
  }
  return file;
}

std::variant<ReportFile, ReportError> historyReport(store::ResultStore& db,
                                                    const ReportRequest& request) {
  if (request.domain.empty())
    return badRequest("missing_domain", "the history report needs a domain name");
  std::string error;
  auto domain = audit::normaliseDomainArgument(request.domain, error);
  if (!domain) return badRequest("invalid_domain", "invalid domain name: " + error);
  auto rows = historyRows(db, *domain);
  if (rows.empty()) return notFound("no_history", "no result for " + *domain);
  auto bytes = render(request, [&](reports::RowWriter& out) {
    reports::writeHistory(out, *domain, rows, reportCheckIds());
  });
  return ReportFile{
      std::move(bytes), fileName("history-" + fileNamePart(*domain, "domain"), request.format), {}};
}

// The code points of Vietnamese (and other Latin) letters with marks, by their base letter.
const std::unordered_map<char32_t, char>& foldedLetters() {
  static const auto table = [] {
    const std::pair<char, std::u32string_view> letters[] = {
        {'a', U"àáảãạăằắẳẵặâầấẩẫậäå"},
        {'a', U"ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÄÅ"},
        {'e', U"èéẻẽẹêềếểễệë"},
        {'e', U"ÈÉẺẼẸÊỀẾỂỄỆË"},
        {'i', U"ìíỉĩịîï"},
        {'i', U"ÌÍỈĨỊÎÏ"},
        {'o', U"òóỏõọôồốổỗộơờớởỡợö"},
        {'o', U"ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÖ"},
        {'u', U"ùúủũụưừứửữựûü"},
        {'u', U"ÙÚỦŨỤƯỪỨỬỮỰÛÜ"},
        {'y', U"ỳýỷỹỵÿ"},
        {'y', U"ỲÝỶỸỴ"},
        {'d', U"đĐ"},
        {'c', U"çÇ"},
        {'n', U"ñÑ"},
    };
    std::unordered_map<char32_t, char> out;
    for (const auto& [base, marked] : letters)
      for (char32_t c : marked) out.emplace(c, base);
    return out;
  }();
  return table;
}

}  // namespace

std::optional<ReportKind> parseReportKind(std::string_view text) {
  for (auto kind : {ReportKind::National, ReportKind::Matrix, ReportKind::Groups, ReportKind::Trend,
                    ReportKind::Regressions, ReportKind::History})
    if (toString(kind) == text) return kind;
  return std::nullopt;
}

std::string_view toString(ReportKind kind) {
  switch (kind) {
    case ReportKind::National:
      return "national";
    case ReportKind::Matrix:
      return "matrix";
    case ReportKind::Groups:
      return "groups";
    case ReportKind::Trend:
      return "trend";
    case ReportKind::Regressions:
      return "regressions";
    case ReportKind::History:
      return "history";
  }
  return "national";
}

std::optional<ReportFormat> parseReportFormat(std::string_view text) {
  for (auto format : {ReportFormat::Csv, ReportFormat::Xlsx})
    if (toString(format) == text) return format;
  return std::nullopt;
}

std::string_view toString(ReportFormat format) {
  return format == ReportFormat::Xlsx ? "xlsx" : "csv";
}

std::string_view contentType(ReportFormat format) {
  return format == ReportFormat::Xlsx
             ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
             : "text/csv; charset=utf-8";
}

std::optional<std::int64_t> parseRunNumber(std::string_view text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) return std::nullopt;
  return id;
}

std::string fileNamePart(std::string_view text, std::string_view fallback) {
  std::string out;
  bool pendingDash = false;  // a run of other characters: one '-' before the next kept one
  for (std::size_t at = 0; at < text.size() && out.size() < kMaxFileNamePart;) {
    const char32_t c = nextCodePoint(text, at);
    char ascii = 0;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
      ascii = static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      ascii = static_cast<char>(c - 'A' + 'a');
    } else if (auto it = foldedLetters().find(c); it != foldedLetters().end()) {
      ascii = it->second;
    }
    if (!ascii) {
      pendingDash = !out.empty();
      continue;
    }
    if (out.empty() && (ascii == '.' || ascii == '-')) continue;  // never a hidden file
    if (pendingDash && ascii != '-' && out.back() != '-') out += '-';
    pendingDash = false;
    out += ascii;
  }
  if (out.size() > kMaxFileNamePart) out.resize(kMaxFileNamePart);
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out.empty() ? std::string(fallback) : out;
}

std::variant<ReportFile, ReportError> exportReport(store::ResultStore& db,
                                                   const ReportRequest& request) {
  if (request.kind == ReportKind::Groups && !reports::parseGroupBy(request.group_by))
    return badRequest("invalid_group_by",
                      "unknown grouping '" + request.group_by + "' (category or group)");
  if (!request.group.empty() &&
      (request.kind == ReportKind::Groups || request.kind == ReportKind::History))
    return badRequest("group_not_applicable",
                      "a group applies to the national, matrix, trend and regressions reports");
  if (request.kind == ReportKind::History) return historyReport(db, request);

  const auto infos = domainInfos(db);
  if (!request.group.empty()) {
    const DomainFilter filter(request.group);
    if (std::none_of(infos.begin(), infos.end(),
                     [&](const auto& entry) { return filter.keeps(entry.second); }))
      return notFound("no_such_group",
                      "no domain has the group or category '" + request.group + "'");
  }
  if (request.kind == ReportKind::Trend || request.kind == ReportKind::Regressions)
    return trendReport(db, request, infos);
  return singleRunReport(db, request, infos);
}

}  // namespace mh::service
