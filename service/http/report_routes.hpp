// The CSV and XLSX downloads of the HTTP service (/reports/...): the same bytes as
// `mailhygiene report`.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "service/http/router.hpp"
#include "service/report_export.hpp"

namespace mh::service::http {

// GET /reports (a JSON index), and per kind /reports/<kind>.csv (latest complete national run)
// and /reports/runs/{id}/<kind>.csv for national, matrix, groups (?by=category|group), trend and
// regressions (?group= for all but groups), and /reports/domains/{domain}/history.csv; each
// also as .xlsx.
std::vector<Route> reportRoutes();

// One download: the report of `kind` for the run given as text (nullopt: the default run), with
// the request's query (group, by), as a CSV or XLSX attachment or a JSON error (400 or 404).
ApiResponse reportDownload(ApiContext& ctx, ReportKind kind, ReportFormat format,
                           const std::optional<std::string_view>& run_text, const Request& req);

}  // namespace mh::service::http
