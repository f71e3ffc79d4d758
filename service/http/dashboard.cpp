// The dashboard's routes: embedded pages and assets, national metrics per run, a domain's changes.
#include "service/http/dashboard.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

#include "checks/audit/domain_audit.hpp"
#include "service/report_data.hpp"

namespace mh::service::http {

namespace {

struct EmbeddedFile {
  std::string_view path;
  std::string_view body;
};

// Generated from service/web/ by service/CMakeLists.txt: {"index.html", R"mhweb(...)mhweb"}, ...
constexpr EmbeddedFile kEmbeddedFiles[] = {
#include "service/http/web_files.inc"
};

std::string_view contentTypeOf(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json; charset=utf-8";
  return "application/octet-stream";
}

ApiResponse fileResponse(const WebFile& file, bool cacheable) {
  ApiResponse r;
  r.text = std::string(file.body);
  r.content_type = std::string(file.content_type);
  // Assets change only with the binary; pages stay no-store (the router's default).
  if (cacheable) r.headers.emplace_back("Cache-Control", "public, max-age=300");
  return r;
}

ApiResponse page(std::string_view path) {
  const WebFile* file = findWebFile(path);
  if (!file) throw std::logic_error("dashboard page not embedded: " + std::string(path));
  return fileResponse(*file, false);
}

ApiResponse asset(std::string_view name) {
  const WebFile* file = findWebFile("assets/" + std::string(name));
  if (!file) return errorResponse(404, "not_found", "no such asset");
  return fileResponse(*file, true);
}

Json optionalJson(const std::optional<double>& v) {
  return v ? Json(*v) : Json();
}
Json optionalJson(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json();
}

Json statusJson(const std::optional<Status>& s) {
  return s ? Json(std::string(toString(*s))) : Json();
}

Json valuesJson(const std::vector<std::string>& values) {
  Json a = Json::array();
  for (const auto& v : values) a.push(v);
  return a;
}

Json recordChangeJson(const reports::RecordChange& c) {
  return Json::object({{"name", c.name},
                       {"type", c.type},
                       {"before", valuesJson(c.before)},
                       {"after", valuesJson(c.after)}});
}

// ---- GET /api/v1/trend ----

Json aggregateJson(const reports::Aggregate& a, bool with_metrics) {
  Json j = Json::object({{"domains", a.domains},
                         {"scored", a.scored},
                         {"mean_score", optionalJson(a.mean_score)},
                         {"median_score", optionalJson(a.median_score)}});
  if (with_metrics) {
    Json metrics = Json::object();
    const auto specs = reports::metricSpecs();
    for (std::size_t i = 0; i < specs.size() && i < a.metrics.size(); ++i)
      metrics.set(specs[i].name, Json::object({{"count", a.metrics[i].count},
                                               {"of", a.metrics[i].of},
                                               {"percent", optionalJson(a.metrics[i].percent())}}));
    j.set("metrics", metrics);
  }
  return j;
}

// The metrics of one complete national run, from the rollup stored when it completed.
Json runTrendJson(const store::RunSummary& s, const store::RunRollup& rollup) {
  const auto national = [&](reports::Population p) {
    for (const auto& a : rollup.national)
      if (a.population == p) return a;
    return reports::aggregate({}, p);
  };
  Json tiers = Json::object();
  for (const auto& [tier, count] : rollup.tiers) tiers.set(tier, count);
  Json all = aggregateJson(national(reports::Population::All), false);
  all.set("tiers", tiers);
  return Json::object({{"id", s.run.id},
                       {"started_at", s.run.started_at},
                       {"finished_at", optionalJson(s.run.finished_at)},
                       {"rubric_version", s.run.rubric_version},
                       {"all", all},
                       {"mail", aggregateJson(national(reports::Population::Mail), true)}});
}

// Each run's trend point, once (a complete run and its rollup are final).
struct TrendCache {
  std::mutex mutex;
  std::map<std::int64_t, Json> runs;
};

ApiResponse nationalTrend(ApiContext& ctx, TrendCache& cache) {
  auto& db = ctx.env.store;
  std::vector<store::RunSummary> complete;  // the complete national runs, oldest first
  for (auto& s : db.runSummaries())
    if (s.run.kind == store::RunKind::National && s.run.state == store::RunState::Complete)
      complete.push_back(std::move(s));
  Json::Array runs;
  runs.reserve(complete.size());
  std::lock_guard lock(cache.mutex);  // concurrent first requests read the rollups once
  const bool missing = std::any_of(complete.begin(), complete.end(), [&](const auto& s) {
    return !cache.runs.contains(s.run.id);
  });
  if (missing)  // one read of the runs with their rollups; no result is read
    for (const auto& r : db.rolledUpRuns(store::RunKind::National))
      if (!cache.runs.contains(r.summary.run.id))
        cache.runs.emplace(r.summary.run.id, runTrendJson(r.summary, r.rollup));
  for (const auto& s : complete) {
    auto it = cache.runs.find(s.run.id);
    if (it == cache.runs.end())  // a run without a rollup: no metrics
      it = cache.runs.emplace(s.run.id, runTrendJson(s, store::RunRollup{})).first;
    runs.push_back(it->second);
  }
  Json metrics = Json::array();
  for (const auto& spec : reports::metricSpecs())
    metrics.push(Json::object({{"name", spec.name}, {"description", spec.description}}));
  ApiResponse r;
  r.body = Json::object(
      {{"population", "mail"}, {"metrics", metrics}, {"runs", Json(std::move(runs))}});
  return r;
}

// ---- GET /api/v1/overview/public ----

// The national aggregates and nothing per domain: the trend (tier counts and §3.4 metrics of
// every complete national run) and the score distribution of the latest one, in tens.
ApiResponse publicOverview(ApiContext& ctx, TrendCache& cache) {
  ApiResponse r = nationalTrend(ctx, cache);
  const auto latest = ctx.env.store.latestRun(store::RunKind::National);
  std::vector<std::int64_t> bins(10, 0);
  std::int64_t unscored = 0;
  if (latest) {
    for (const auto& row : ctx.env.store.runResultRows(latest->id)) {
      if (!row.score) {
        ++unscored;
        continue;
      }
      bins[std::clamp(static_cast<int>(*row.score / 10), 0, 9)]++;
    }
  }
  Json counts = Json::array();
  for (auto n : bins) counts.push(n);
  r.body.set("latest_run", latest ? Json(latest->id) : Json());
  r.body.set("score_distribution",
             Json::object({{"bin_width", 10}, {"counts", counts}, {"unscored", unscored}}));
  return r;
}

// ---- GET /api/v1/domains/{domain}/changes ----

Json statusChangesJson(const reports::StatusSnapshot& before,
                       const reports::StatusSnapshot& after) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto* s : {&after, &before})
    for (const auto& [id, status] : s->statuses)
      if (seen.insert(id).second) ids.push_back(id);
  Json changes = Json::array();
  for (const auto& id : ids) {
    const auto a = before.status(id), b = after.status(id);
    if (a == b) continue;
    changes.push(Json::object({{"check", id},
                               {"before", statusJson(a)},
                               {"after", statusJson(b)},
                               {"regression", a && b && reports::isRegression(*a, *b)}}));
  }
  return changes;
}

Json regressionJson(const reports::Regression& r) {
  Json records = Json::array();
  for (const auto& c : r.record_changes) records.push(recordChangeJson(c));
  return Json::object({{"check", r.check_id},
                       {"run_before", r.run_before},
                       {"run_after", r.run_after},
                       {"before", std::string(toString(r.before))},
                       {"after", std::string(toString(r.after))},
                       {"confirmed", r.confirmed},
                       {"confirmed_by", r.confirmed_by},
                       {"record_changes", records}});
}

ApiResponse domainChanges(ApiContext& ctx, std::string_view domain_text) {
  std::string error;
  auto domain = audit::normaliseDomainArgument(domain_text, error);
  if (!domain) return errorResponse(400, "invalid_domain", "invalid domain name: " + error);
  const DomainEntry* entry = ctx.env.registry.find(*domain);
  if (!entry)
    return errorResponse(404, "unknown_domain",
                         "'" + *domain + "' is not in the registry of audited domains");
  const auto rows = historyRows(ctx.env.store, entry->domain);  // oldest first
  Json audits = Json::array();
  for (std::size_t i = rows.size(); i-- > 0;) {  // newest first, like the history
    const auto& row = rows[i];
    Json records = Json::array();
    for (const auto& c : row.changes) records.push(recordChangeJson(c));
    Json regressions = Json::array();
    for (const auto& r : row.regressions) regressions.push(regressionJson(r));
    audits.push(Json::object(
        {{"run", Json::object({{"id", row.snapshot.run_id},
                               {"kind", row.snapshot.kind},
                               {"state", row.snapshot.state}})},
         {"audited_at", row.snapshot.started_at},
         {"attempt", row.snapshot.attempt},
         {"previous_run", i > 0 ? Json(rows[i - 1].snapshot.run_id) : Json()},
         {"score", optionalJson(row.score)},
         {"previous_score", i > 0 ? optionalJson(rows[i - 1].score) : Json()},
         {"grade", optionalJson(row.grade)},
         {"tier", optionalJson(row.tier)},
         {"status_changes",
          i > 0 ? statusChangesJson(rows[i - 1].snapshot, row.snapshot) : Json::array()},
         {"record_changes", records},
         {"regressions", regressions}}));
  }
  ApiResponse r;
  r.body = Json::object({{"domain", entry->domain}, {"audits", audits}});
  return r;
}

}  // namespace

const WebFile* findWebFile(std::string_view path) {
  static const std::vector<WebFile> files = webFiles();
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

std::vector<WebFile> webFiles() {
  std::vector<WebFile> out;
  for (const auto& f : kEmbeddedFiles) out.push_back({f.path, contentTypeOf(f.path), f.body});
  return out;
}

std::vector<Route> dashboardRoutes() {
  auto cache = std::make_shared<TrendCache>();
  using A = Access;
  return {
      {"GET", "/", A::Public, [](ApiContext&, const Request&) { return page("index.html"); }},
      {"GET", "/domain/{}", A::Public,
       [](ApiContext&, const Request&) { return page("domain.html"); }},
      {"GET", "/self-check", A::Public,
       [](ApiContext&, const Request&) { return page("self-check.html"); }},
      {"GET", "/sign-in", A::Public,
       [](ApiContext&, const Request&) { return page("sign-in.html"); }},
      {"GET", "/assets/{}", A::Public,
       [](ApiContext&, const Request& r) { return asset(r.params[0]); }},
      {"GET", "/api/v1/trend", A::Auditor,
       [cache](ApiContext& c, const Request&) { return nationalTrend(c, *cache); }},
      {"GET", "/api/v1/overview/public", A::PublicOverview,
       [cache](ApiContext& c, const Request&) { return publicOverview(c, *cache); }},
      {"GET", "/api/v1/domains/{}/changes", A::DomainReader,
       [](ApiContext& c, const Request& r) { return domainChanges(c, r.params[0]); }},
  };
}

}  // namespace mh::service::http
