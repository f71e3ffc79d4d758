// The report selection: which run, which domains and which writer for a request, and the
// file name of the result.
#include "service/report_export.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <unordered_map>

#include "checks/audit/domain_audit.hpp"
#include "reports/report_csv.hpp"
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

std::string csvName(std::string_view stem) {
  return "mailhygiene-" + std::string(stem) + ".csv";
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
  file.file_name = csvName(stem);

  auto results = runResults(db, run.id, infos);
  const DomainFilter filter(request.group);
  std::erase_if(results, [&](const auto& r) { return !filter.keeps(r.info); });
  std::ostringstream csv;
  if (request.kind == ReportKind::National) {
    reports::writeNationalCsv(csv, std::move(results));
  } else if (request.kind == ReportKind::Matrix) {
    reports::writeMatrixCsv(csv, std::move(results), reportCheckIds());
  } else {
    const auto by = *reports::parseGroupBy(request.group_by);
    reports::writeGroupsCsv(csv, run.id, by, reports::groupAggregates(results, by));
  }
  file.csv = csv.str();
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
  std::ostringstream csv;
  if (request.kind == ReportKind::Trend) {
    reports::writeTrendCsv(csv, runs, rows);
    file.file_name =
        csvName("trend" + (only ? "-to-run" + std::to_string(*only) : "") + groupSuffix(request));
  } else {
    std::vector<reports::Regression> all;
    for (const auto& row : rows)
      for (const auto& r : row.regressions)
        if (!only || r.run_after == *only) all.push_back(r);
    reports::writeRegressionsCsv(csv, all, infos);
    file.file_name = csvName("regressions" + (only ? "-run" + std::to_string(*only) : "") +
                             groupSuffix(request));
  }
  file.csv = csv.str();
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
  std::ostringstream csv;
  reports::writeHistoryCsv(csv, *domain, rows, reportCheckIds());
  return ReportFile{csv.str(), csvName("history-" + fileNamePart(*domain, "domain")), {}};
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

// The next code point of UTF-8 `text` at `at` (advanced); U+FFFD for a malformed sequence.
char32_t nextCodePoint(std::string_view text, std::size_t& at) {
  const auto lead = static_cast<unsigned char>(text[at++]);
  if (lead < 0x80) return lead;
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
  if (extra < 0 || lead > 0xF4) return U'\uFFFD';
  char32_t c = lead & (0x3F >> extra);
  for (; extra > 0; --extra) {
    if (at >= text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80)
      return U'\uFFFD';
    c = (c << 6) | (static_cast<unsigned char>(text[at++]) & 0x3F);
  }
  return c;
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
