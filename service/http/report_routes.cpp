// Report downloads: route parameters to a ReportRequest, its CSV or XLSX as an attachment.
#include "service/http/report_routes.hpp"

#include <string>

namespace mh::service::http {

namespace {

constexpr ReportKind kRunReports[] = {ReportKind::National, ReportKind::Matrix, ReportKind::Groups,
                                      ReportKind::Trend, ReportKind::Regressions};

constexpr ReportFormat kFormats[] = {ReportFormat::Csv, ReportFormat::Xlsx};

std::string filePath(ReportKind kind, ReportFormat format) {
  return std::string(toString(kind)) + "." + std::string(toString(format));
}

ApiResponse reportIndex(ApiContext& ctx) {
  const auto latest = ctx.env.store.latestRun(store::RunKind::National);
  Json downloads = Json::array();
  for (auto kind : kRunReports) {
    const auto csv = filePath(kind, ReportFormat::Csv);
    const auto xlsx = filePath(kind, ReportFormat::Xlsx);
    downloads.push(Json::object({{"kind", toString(kind)},
                                 {"latest", "/reports/" + csv},
                                 {"run", "/reports/runs/{id}/" + csv},
                                 {"latest_xlsx", "/reports/" + xlsx},
                                 {"run_xlsx", "/reports/runs/{id}/" + xlsx}}));
  }
  downloads.push(Json::object({{"kind", "history"},
                               {"domain", "/reports/domains/{domain}/history.csv"},
                               {"domain_xlsx", "/reports/domains/{domain}/history.xlsx"}}));
  ApiResponse r;
  r.body = Json::object({{"latest_complete_run", latest ? Json(latest->id) : Json()},
                         {"columns", "reports/CSV_COLUMNS.md"},
                         {"downloads", downloads}});
  return r;
}

}  // namespace

ApiResponse reportDownload(ApiContext& ctx, ReportKind kind, ReportFormat format,
                           const std::optional<std::string_view>& run_text, const Request& req) {
  ReportRequest request;
  request.kind = kind;
  request.format = format;
  if (run_text) {
    request.run = parseRunNumber(*run_text);
    if (!request.run) return errorResponse(400, "invalid_run", "a run id is a positive number");
  }
  if (kind == ReportKind::History) request.domain = req.params.at(0);
  if (auto by = req.queryValue("by"); !by.empty()) request.group_by = by;
  request.group = req.queryValue("group");

  auto exported = exportReport(ctx.env.store, request);
  if (auto* error = std::get_if<ReportError>(&exported))
    return errorResponse(error->problem == ReportProblem::NotFound ? 404 : 400, error->code,
                         error->message);
  auto& file = std::get<ReportFile>(exported);
  ApiResponse r;
  r.text = std::move(file.bytes);
  r.content_type = std::string(contentType(format));
  // fileNamePart keeps file names to [a-z0-9.-]: nothing to quote or escape.
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.file_name + "\"");
  return r;
}

std::vector<Route> reportRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/reports", Access::Auditor,
                    [](ApiContext& c, const Request&) { return reportIndex(c); }});
  for (auto format : kFormats) {
    for (auto kind : kRunReports) {
      routes.push_back({"GET", "/reports/" + filePath(kind, format), Access::Auditor,
                        [kind, format](ApiContext& c, const Request& r) {
                          return reportDownload(c, kind, format, std::nullopt, r);
                        }});
      routes.push_back({"GET", "/reports/runs/{}/" + filePath(kind, format), Access::Auditor,
                        [kind, format](ApiContext& c, const Request& r) {
                          return reportDownload(c, kind, format, r.params.at(0), r);
                        }});
    }
    routes.push_back({"GET", "/reports/domains/{}/" + filePath(ReportKind::History, format),
                      Access::DomainReader,
                      [format](ApiContext& c, const Request& r) {
                        return reportDownload(c, ReportKind::History, format, std::nullopt, r);
                      }});
  }
  return routes;
}

}  // namespace mh::service::http
