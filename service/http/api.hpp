// The JSON API as plain functions from request values to a response value (no Poco types), so
// that the HTTP handlers stay thin adapters.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/json.hpp"
#include "service/http/admin_tokens.hpp"
#include "service/http/audit_jobs.hpp"
#include "service/http/run_manager.hpp"
#include "service/http/self_check.hpp"

namespace mh::service::http {

struct ApiResponse {
  int status = 200;
  Json body;                 // written as JSON unless `text` is set
  std::string text;          // a non-JSON body (metrics)
  std::string content_type;  // with `text`
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error": {"code": code, "message": message}}: no internals, ever.
ApiResponse errorResponse(int status, std::string_view code, std::string_view message);

class Authenticator;
struct Identity;

struct ApiContext {
  AuditEnvironment env;
  SelfCheckService& self_check;
  RunManager& runs;
  Authenticator& auth;
  // GET /api/v1/schedule (the scheduler lives in the Server).
  std::function<ApiResponse()> schedule;
};

ApiResponse health(ApiContext& ctx);
ApiResponse metrics(ApiContext& ctx);
ApiResponse openApiDocument();
// The scoring rubric in force (checks/core/rubric.cpp): checks, weights, critical tags, caps.
ApiResponse rubricDocument();
// Every registry domain with its latest score; `group` (optional) keeps the domains whose group
// or category equals it (case-insensitive).
ApiResponse listDomains(ApiContext& ctx, std::string_view group);
ApiResponse getDomain(ApiContext& ctx, std::string_view domain_text);
ApiResponse getDomainHistory(ApiContext& ctx, std::string_view domain_text);
// 200 with a fresh stored result, else 202 + Location of the job (started or joined).
// An agency self-checking one of its domains has its own rate limit; an anonymous self-check is
// kept out of the store (self_check.hpp) and its answer carries no evidence.
ApiResponse postSelfCheck(ApiContext& ctx, std::string_view body, const std::string& client,
                          const Identity& who);
ApiResponse getSelfCheckJob(ApiContext& ctx, std::string_view id, const Identity& who);
ApiResponse listRuns(ApiContext& ctx);
ApiResponse getRun(ApiContext& ctx, std::string_view id_text);
ApiResponse postRun(ApiContext& ctx);

}  // namespace mh::service::http
