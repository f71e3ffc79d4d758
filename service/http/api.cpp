// The API queries: registry and store lookups, self-check and run control, as JSON values.
#include "service/http/api.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "checks/core/rubric.hpp"
#include "checks/core/text.hpp"
#include "service/audit/scored_row.hpp"
#include "service/http/access.hpp"
#include "service/http/json_body.hpp"

namespace mh::service::http {

namespace {

constexpr std::size_t kHistoryLimit = 200;

// Generated from service/http/openapi.json by service/CMakeLists.txt.
constexpr std::string_view kOpenApi =
#include "service/http/openapi.inc"
    ;

Json optionalJson(const std::optional<double>& v) {
  return v ? Json(*v) : Json();
}
Json optionalJson(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json();
}
// A run-level reason, null when there is none.
Json nullIfEmpty(const std::string& reason) {
  return reason.empty() ? Json() : Json(reason);
}

using ascii::lower;

// The registry entry of a domain given by a client, or the error response.
std::variant<const DomainEntry*, ApiResponse> registryDomain(ApiContext& ctx,
                                                             std::string_view text) {
  std::string error;
  auto domain = audit::normaliseDomainArgument(text, error);
  if (!domain) return errorResponse(400, "invalid_domain", "invalid domain name: " + error);
  const DomainEntry* entry = ctx.env.registry.find(*domain);
  if (!entry)
    return errorResponse(404, "unknown_domain",
                         "'" + *domain + "' is not in the registry of audited domains");
  return entry;
}

Json domainJson(const DomainEntry& e) {
  return Json::object({{"domain", e.domain},
                       {"agency_vi", e.agency_vi},
                       {"agency_en", e.agency_en},
                       {"category", e.category},
                       {"group", e.group},
                       {"legacy", e.legacy}});
}

Json runJson(const store::RunSummary& s, const std::optional<AuditProgress>& progress,
             const std::optional<RunFailure>& failure) {
  Json j = Json::object({{"id", s.run.id},
                         {"kind", store::toString(s.run.kind)},
                         {"state", store::toString(s.run.state)},
                         {"started_at", s.run.started_at},
                         {"finished_at", optionalJson(s.run.finished_at)},
                         {"rubric_version", s.run.rubric_version},
                         {"program_version", s.run.program_version},
                         {"domains", s.domains},
                         {"existing", s.existing},
                         {"scored", s.scored},
                         {"mean_score", optionalJson(s.mean_score)},
                         {"retried", s.retried}});
  if (progress)
    j.set("progress",
          Json::object({{"total", progress->total},
                        {"done", progress->done},
                        {"with_errors", progress->with_errors},
                        {"elapsed_seconds", progress->elapsed_seconds},
                        {"dnssec_unavailable", nullIfEmpty(progress->dnssec_unavailable)},
                        {"tcp_unavailable", nullIfEmpty(progress->tcp_unavailable)},
                        {"edns_unavailable", nullIfEmpty(progress->edns_unavailable)}}));
  if (failure && failure->run_id == s.run.id && s.run.state != store::RunState::Complete)
    j.set("failure", Json::object({{"reason", failure->reason}, {"at", failure->at}}));
  return j;
}

// A domain result for anonymous users: the findings and remediation of each check, without the
// raw evidence (what the service saw is for the agency and the auditors).
Json withoutEvidence(const Json& result) {
  if (!result.isObject()) return result;
  Json::Object members;
  for (const auto& [key, value] : result.asObject()) {
    if (key != "checks" || !value.isArray()) {
      members.emplace_back(key, value);
      continue;
    }
    Json checks = Json::array();
    for (const Json& check : value.asArray()) {
      if (!check.isObject()) continue;
      Json::Object kept;
      for (const auto& [k, v] : check.asObject())
        if (k != "evidence") kept.emplace_back(k, v);
      checks.push(Json(std::move(kept)));
    }
    members.emplace_back(key, checks);
  }
  return Json(std::move(members));
}

}  // namespace

ApiResponse errorResponse(int status, std::string_view code, std::string_view message) {
  ApiResponse r;
  r.status = status;
  r.body = Json::object({{"error", Json::object({{"code", code}, {"message", message}})}});
  return r;
}

ApiResponse health(ApiContext& ctx) {
  ctx.env.store.latestRun(store::RunKind::National);  // throws (500) when the store is broken
  ApiResponse r;
  r.body = Json::object({{"status", "ok"},
                         {"version", MH_VERSION},
                         {"domains", ctx.env.registry.entries.size()},
                         {"run_in_progress", ctx.runs.running()},
                         {"store_writable", !ctx.env.store_read_only}});
  const auto failure = ctx.runs.lastFailure();
  r.body.set("run_failure", failure ? Json::object({{"run_id", failure->run_id},
                                                    {"reason", failure->reason},
                                                    {"at", failure->at}})
                                    : Json());
  return r;
}

ApiResponse metrics(ApiContext& ctx) {
  ApiResponse r;
  r.text = ctx.env.metrics.render(ctx.runs.running());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

ApiResponse openApiDocument() {
  ApiResponse r;
  r.text = std::string(kOpenApi);
  r.content_type = "application/json; charset=utf-8";
  return r;
}

ApiResponse rubricDocument() {
  ApiResponse r;
  r.body = rubricJson();
  return r;
}

ApiResponse listDomains(ApiContext& ctx, std::string_view group) {
  // The store's list by lower-case name (it comes sorted), walked beside the registry's.
  auto latest = ctx.env.store.latestDomainResults();
  for (auto& e : latest) e.domain = lower(e.domain);
  std::sort(latest.begin(), latest.end(),
            [](const auto& a, const auto& b) { return a.domain < b.domain; });
  auto next = latest.begin();
  const std::string wanted = lower(group);
  Json::Array domains;
  domains.reserve(ctx.env.registry.entries.size());
  for (const auto& entry : ctx.env.registry.entries) {
    if (!wanted.empty() && lower(entry.group) != wanted && lower(entry.category) != wanted)
      continue;
    const store::LatestDomainResult* l = nullptr;
    // The registry's order is not the store's: look the name up whenever the walk misses it.
    if (next == latest.end() || next->domain != entry.domain)
      next = std::lower_bound(latest.begin(), latest.end(), entry.domain,
                              [](const auto& e, const std::string& name) { return e.domain < name; });
    if (next != latest.end() && next->domain == entry.domain) l = &*next++;
    Json::Object j{{"domain", entry.domain},
                   {"agency_vi", entry.agency_vi},
                   {"agency_en", entry.agency_en},
                   {"category", entry.category},
                   {"group", entry.group},
                   {"legacy", entry.legacy},
                   {"score", l ? optionalJson(l->score) : Json()},
                   {"grade", l ? optionalJson(l->grade) : Json()},
                   {"tier", l ? optionalJson(l->tier) : Json()},
                   {"dmarc_phase", l ? optionalJson(l->dmarc_phase) : Json()},
                   {"exists", l ? Json(l->exists) : Json()},
                   {"audited_at", l ? Json(l->started_at) : Json()},
                   {"run", l ? Json::object({{"id", l->run_id}, {"kind", store::toString(l->kind)}})
                             : Json()}};
    domains.emplace_back(std::move(j));
  }
  ApiResponse r;
  const std::size_t count = domains.size();
  r.body = Json::object({{"count", count}, {"domains", Json(std::move(domains))}});
  return r;
}

ApiResponse getDomain(ApiContext& ctx, std::string_view domain_text) {
  auto found = registryDomain(ctx, domain_text);
  if (auto* error = std::get_if<ApiResponse>(&found)) return *error;
  const DomainEntry& entry = *std::get<const DomainEntry*>(found);
  auto latest = ctx.env.store.domainHistory(entry.domain, 1);
  std::optional<store::RunInfo> run;
  std::optional<store::StoredDomainResult> stored;
  if (!latest.empty()) {
    run = ctx.env.store.run(latest.front().run_id);
    stored = ctx.env.store.domainResult(latest.front().run_id, entry.domain);
  }
  if (!run || !stored)
    return errorResponse(404, "not_audited", "'" + entry.domain + "' has not been audited yet");
  ApiResponse r;
  r.body = domainResultJson(reportFromRow(stored->row, run->rubric_version),
                            runCheckedNetwork(*run), run->id, run->kind);
  r.body.set("registry", domainJson(entry));
  return r;
}

ApiResponse getDomainHistory(ApiContext& ctx, std::string_view domain_text) {
  auto found = registryDomain(ctx, domain_text);
  if (auto* error = std::get_if<ApiResponse>(&found)) return *error;
  const DomainEntry& entry = *std::get<const DomainEntry*>(found);
  Json history = Json::array();
  for (const auto& h : ctx.env.store.domainHistory(entry.domain, kHistoryLimit)) {
    Json statuses = Json::object();
    for (const auto& [check, status] : h.statuses) statuses.set(check, toString(status));
    history.push(Json::object({{"run", Json::object({{"id", h.run_id},
                                                     {"kind", store::toString(h.kind)},
                                                     {"state", store::toString(h.run_state)},
                                                     {"started_at", h.run_started_at}})},
                               {"audited_at", h.started_at},
                               {"attempt", h.attempt},
                               {"exists", h.exists},
                               {"receives_mail", h.receives_mail},
                               {"sends_mail", h.sends_mail},
                               {"score", optionalJson(h.score)},
                               {"grade", optionalJson(h.grade)},
                               {"tier", optionalJson(h.tier)},
                               {"dmarc_phase", optionalJson(h.dmarc_phase)},
                               {"statuses", statuses}}));
  }
  ApiResponse r;
  r.body = Json::object({{"domain", entry.domain}, {"history", history}});
  return r;
}

ApiResponse postSelfCheck(ApiContext& ctx, std::string_view body, const std::string& client,
                          const Identity& who) {
  const auto domainText = selfCheckDomainField(body);
  // An agency checking one of its own domains has a bucket of its own.
  const bool ownDomain =
      domainText && who.role == Role::Agency && who.account_id &&
      decide(Access::DomainReader, who, {*domainText}, false) == Decision::Allow;
  const int wait = ownDomain ? ctx.self_check.admitAgency(*who.account_id)
                             : ctx.self_check.admitClient(client);
  if (wait > 0) {
    ctx.env.metrics.countSelfCheck("rate_limited");
    auto r = errorResponse(429, "rate_limited", "too many self-checks from this address");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  if (!domainText) {
    ctx.env.metrics.countSelfCheck("invalid");
    return errorResponse(400, "invalid_request", "send a JSON object {\"domain\": \"...\"}");
  }
  auto found = registryDomain(ctx, *domainText);
  if (auto* error = std::get_if<ApiResponse>(&found)) {
    ctx.env.metrics.countSelfCheck(error->status == 404 ? "unknown_domain" : "invalid");
    return *error;
  }
  const DomainEntry& entry = *std::get<const DomainEntry*>(found);
  if (ctx.env.store_read_only) {
    ctx.env.metrics.countSelfCheck("store_read_only");
    return errorResponse(503, "store_read_only",
                         "the store is read-only: a self-check cannot be stored");
  }
  const bool anonymous = who.role == Role::Anonymous;
  auto result = ctx.self_check.check(entry.domain, client, anonymous);
  ApiResponse r;
  switch (result.outcome) {
    case SelfCheckOutcome::Cached:
      ctx.env.metrics.countSelfCheck("cached");
      r.body = anonymous ? withoutEvidence(result.result) : result.result;
      return r;
    case SelfCheckOutcome::Started:
    case SelfCheckOutcome::Joined:
      ctx.env.metrics.countSelfCheck(result.outcome == SelfCheckOutcome::Started ? "started"
                                                                                 : "joined");
      r = getSelfCheckJob(ctx, result.job_id, who);
      r.status = 202;
      r.headers.emplace_back("Location", "/api/v1/self-check/" + result.job_id);
      return r;
    case SelfCheckOutcome::NotInRegistry:
      ctx.env.metrics.countSelfCheck("unknown_domain");
      return errorResponse(404, "unknown_domain",
                           "'" + entry.domain + "' is not in the registry of audited domains");
    case SelfCheckOutcome::RateLimited:
      ctx.env.metrics.countSelfCheck("rate_limited");
      r = result.why == "jobs_per_client"
              ? errorResponse(429, "rate_limited",
                              "this address already has self-checks in progress; retry later")
              : errorResponse(429, "rate_limited",
                              "this domain was audited moments ago; retry later");
      break;
    case SelfCheckOutcome::Busy:
      ctx.env.metrics.countSelfCheck("busy");
      r = errorResponse(503, "busy", "too many self-checks in progress; retry later");
      break;
  }
  r.headers.emplace_back("Retry-After", std::to_string(result.retry_after));
  return r;
}

ApiResponse getSelfCheckJob(ApiContext& ctx, std::string_view id, const Identity& who) {
  auto job = ctx.self_check.job(std::string(id));
  if (!job) return errorResponse(404, "unknown_job", "no such self-check job (or too old)");
  static constexpr const char* kStates[] = {"running", "done", "failed", "timeout"};
  ApiResponse r;
  r.body = Json::object({{"id", job->id},
                         {"domain", job->domain},
                         {"state", kStates[static_cast<int>(job->state)]},
                         {"elapsed_seconds", job->elapsed_seconds}});
  switch (job->state) {
    case SelfCheckJobState::Running:
      r.headers.emplace_back("Retry-After", "1");
      break;
    case SelfCheckJobState::Done:
      r.body.set("result", who.role == Role::Anonymous ? withoutEvidence(job->result) : job->result);
      break;
    case SelfCheckJobState::Failed:
      r.body.set("error", Json::object({{"code", "internal"},
                                        {"message", "the audit could not be completed"}}));
      break;
    case SelfCheckJobState::TimedOut:
      r.body.set("error",
                 Json::object({{"code", "timeout"},
                               {"message",
                                "the audit is taking long; it goes on and its result will be "
                                "served from the store when you retry"}}));
      break;
  }
  return r;
}

ApiResponse listRuns(ApiContext& ctx) {
  auto summaries = ctx.env.store.runSummaries();
  const auto failure = ctx.runs.lastFailure();
  Json runs = Json::array();
  for (auto it = summaries.rbegin(); it != summaries.rend(); ++it)
    runs.push(runJson(*it, ctx.runs.progress(it->run.id), failure));
  ApiResponse r;
  r.body = Json::object({{"runs", runs}});
  return r;
}

ApiResponse getRun(ApiContext& ctx, std::string_view id_text) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || p != id_text.data() + id_text.size() || id <= 0)
    return errorResponse(400, "invalid_run_id", "a run id is a positive whole number");
  for (const auto& s : ctx.env.store.runSummaries()) {
    if (s.run.id != id) continue;
    ApiResponse r;
    r.body = runJson(s, ctx.runs.progress(id), ctx.runs.lastFailure());
    return r;
  }
  return errorResponse(404, "unknown_run", "no run " + std::to_string(id));
}

ApiResponse postRun(ApiContext& ctx) {
  auto start = ctx.runs.start();
  if (!start.started)
    return errorResponse(409, "run_in_progress",
                         "run " + std::to_string(start.run_id) + " is in progress");
  ApiResponse r;
  r.status = 202;
  r.body = Json::object({{"run_id", start.run_id}, {"resumed", start.resumed}});
  r.headers.emplace_back("Location", "/api/v1/runs/" + std::to_string(start.run_id));
  return r;
}

}  // namespace mh::service::http
