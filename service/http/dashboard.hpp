// The dashboard: the pages and assets of service/web/ (embedded at configure time) and the JSON
// the pages need beyond the API (national metrics per run, what changed between audits).
#pragma once

#include <string_view>
#include <vector>

#include "service/http/router.hpp"

namespace mh::service::http {

// One embedded file of service/web/, by its path there ("index.html", "assets/app.js").
struct WebFile {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

// The embedded file at `path`, or nullptr.
const WebFile* findWebFile(std::string_view path);

// Every embedded file, for tests.
std::vector<WebFile> webFiles();

// The dashboard routes, each router its own (the trend cache lives in them):
//   GET /                              the national overview (index.html)
//   GET /domain/{domain}               a domain's page (domain.html; the script reads the name)
//   GET /self-check                    the self-check form (self-check.html)
//   GET /sign-in                       the sign-in form (sign-in.html)
//   GET /assets/{name}                 scripts, style sheet, icon; unknown names are 404
//   GET /api/v1/trend                  the §3.4 metrics of every complete national run
//   GET /api/v1/overview/public        the same with the latest run's score distribution: the
//                                      national aggregates access.public_overview may publish
//   GET /api/v1/domains/{domain}/changes  what changed between a domain's audits
std::vector<Route> dashboardRoutes();

}  // namespace mh::service::http
