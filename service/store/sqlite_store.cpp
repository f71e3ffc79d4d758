// SqliteStore: one connection behind a mutex, one IMMEDIATE transaction per domain result.
#include "service/store/sqlite_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>

#include "checks/dnssec/resolver_capability.hpp"
#include "service/store/schema.hpp"

namespace mh::service::store {

namespace {

constexpr std::string_view kRunColumns =
    "r.id, r.kind, r.state, r.started_at, r.finished_at, r.rubric_version, r.program_version, "
    "r.options_json";
constexpr int kRunColumnCount = 8;

std::string systemNow() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(millis));
  return out;
}

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

RunInfo readRun(const Statement& s, int first) {
  RunInfo info;
  info.id = s.columnInt(first);
  info.kind = parseRunKind(s.columnText(first + 1)).value_or(RunKind::National);
  info.state = parseRunState(s.columnText(first + 2)).value_or(RunState::Running);
  info.started_at = s.columnText(first + 3);
  info.finished_at = s.columnOptText(first + 4);
  info.rubric_version = s.columnText(first + 5);
  info.program_version = s.columnText(first + 6);
  info.options_json = s.columnText(first + 7);
  return info;
}

std::string argsJson(const Finding& f) {
  Json args = Json::object();
  for (const auto& [name, value] : f.args) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      args.set(name, *text);
    } else {
      args.set(name, std::get<std::int64_t>(value));
    }
  }
  return args.dump();
}

std::string reasonsJson(const DomainProfile& profile) {
  Json reasons = Json::array();
  for (const auto& r : profile.reasons) reasons.push(r);
  return reasons.dump();
}

// One node of SQLite's json_tree() output.
struct JsonNode {
  std::int64_t id = 0;
  std::optional<std::int64_t> parent;
  std::string key;
  std::string type;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  std::vector<std::size_t> children;
};

Json buildJson(const std::vector<JsonNode>& nodes, std::size_t at) {
  const JsonNode& n = nodes[at];
  if (n.type == "true") return Json(true);
  if (n.type == "false") return Json(false);
  if (n.type == "integer") return Json(static_cast<long long>(n.integer));
  if (n.type == "real") return Json(n.real);
  if (n.type == "text") return Json(n.text);
  if (n.type == "array") {
    Json::Array items;
    for (std::size_t c : n.children) items.push_back(buildJson(nodes, c));
    return Json(std::move(items));
  }
  if (n.type == "object") {
    Json::Object members;
    for (std::size_t c : n.children) members.emplace_back(nodes[c].key, buildJson(nodes, c));
    return Json(std::move(members));
  }
  return Json();
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteStoreOptions options)
    : options_(std::move(options)), db_(openDatabase(path)) {
  // Our mutex serialises this connection; other stores need a thread-safe library build.
  if (!sqlite3_threadsafe()) throw StoreError("SQLite was built without thread support", 0);
  sqlite3_busy_timeout(db_.get(), options_.busy_timeout_ms);
  // WAL lets readers work while the audit writes; NORMAL sync is safe with WAL (a crash of the
  // process loses nothing committed; a power loss may lose the last commits, never the file).
  Statement(db_.get(), "PRAGMA journal_mode = WAL").run();
  Statement(db_.get(), "PRAGMA synchronous = NORMAL").run();
  Statement(db_.get(), "PRAGMA foreign_keys = ON").run();
  Statement check(db_.get(), "PRAGMA foreign_keys");
  if (!check.step() || check.columnInt(0) != 1)
    throw StoreError("this SQLite does not enforce foreign keys", 0);
  const int applied = migrate(db_.get(), now());
  storeLogger()->info("store opened path={} schema={} migrations_applied={}", path,
                      latestSchemaVersion(), applied);
}

SqliteStore::~SqliteStore() = default;

StatementUse SqliteStore::prepared(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    it = statements_.emplace(std::string(sql), std::make_unique<Statement>(db_.get(), sql)).first;
  }
  return StatementUse(*it->second);
}

std::string SqliteStore::now() const {
  return options_.clock ? options_.clock() : systemNow();
}

int SqliteStore::schemaVersion() {
  std::lock_guard lock(mutex_);
  return store::schemaVersion(db_.get());
}

std::int64_t SqliteStore::startRun(RunKind kind, std::string_view rubric_version,
                                   std::string_view program_version,
                                   std::string_view options_json) {
  std::lock_guard lock(mutex_);
  auto s = prepared(
      "INSERT INTO runs (kind, started_at, state, rubric_version, program_version, options_json) "
      "VALUES (?1, ?2, 'running', ?3, ?4, ?5)");
  s->bind(1, toString(kind)).bind(2, now()).bind(3, rubric_version).bind(4, program_version);
  s->bind(5, options_json.empty() ? std::string_view("{}") : options_json).run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  storeLogger()->info("run started run={} kind={} rubric={}", id, toString(kind), rubric_version);
  return id;
}

void SqliteStore::finishRun(std::int64_t run_id, RunState state) {
  std::lock_guard lock(mutex_);
  auto s = prepared("UPDATE runs SET state = ?2, finished_at = ?3 WHERE id = ?1");
  s->bind(1, run_id).bind(2, toString(state));
  if (state == RunState::Running) {
    s->bind(3, nullptr);
  } else {
    s->bind(3, now());
  }
  s->run();
  if (sqlite3_changes(db_.get()) != 1)
    throw StoreError("no run with id " + std::to_string(run_id), 0);
  storeLogger()->info("run finished run={} state={}", run_id, toString(state));
}

void SqliteStore::upsertDomains(const std::vector<DomainEntry>& entries) {
  std::lock_guard lock(mutex_);
  const std::string stamp = now();
  prepared("BEGIN IMMEDIATE")->run();
  try {
    for (const DomainEntry& e : entries) {
      std::string selectors;
      for (const auto& sel : e.dkim_selectors) selectors += (selectors.empty() ? "" : " ") + sel;
      auto s = prepared(
          "INSERT INTO domains (name, agency_vi, agency_en, category, grp, dkim_selectors, "
          "legacy, successor, first_seen, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
          "ON CONFLICT (name) DO UPDATE SET agency_vi = excluded.agency_vi, "
          "agency_en = excluded.agency_en, category = excluded.category, grp = excluded.grp, "
          "dkim_selectors = excluded.dkim_selectors, legacy = excluded.legacy, "
          "successor = excluded.successor, updated_at = excluded.updated_at "
          "WHERE agency_vi IS NOT excluded.agency_vi OR agency_en IS NOT excluded.agency_en "
          "OR category IS NOT excluded.category OR grp IS NOT excluded.grp "
          "OR dkim_selectors IS NOT excluded.dkim_selectors OR legacy IS NOT excluded.legacy "
          "OR successor IS NOT excluded.successor");
      s->bind(1, e.domain).bind(2, e.agency_vi).bind(3, e.agency_en).bind(4, e.category);
      s->bind(5, e.group).bind(6, selectors).bindBool(7, e.legacy).bind(8, e.successor);
      s->bind(9, stamp).run();
    }
    prepared("COMMIT")->run();
  } catch (...) {
    if (!sqlite3_get_autocommit(db_.get())) prepared("ROLLBACK")->run();
    throw;
  }
  storeLogger()->info("domains upserted count={}", entries.size());
}

void SqliteStore::insertResult(std::int64_t run_id, const DomainReportRow& row, int& attempt) {
  const std::string stamp = now();
  {
    auto s = prepared(
        "INSERT INTO domains (name, first_seen, updated_at) VALUES (?1, ?2, ?2) "
        "ON CONFLICT (name) DO NOTHING");
    s->bind(1, row.domain).bind(2, stamp).run();
  }
  std::int64_t domain_id = 0;
  {
    auto s = prepared("SELECT id FROM domains WHERE name = ?1");
    s->bind(1, row.domain);
    if (!s->step()) throw StoreError("domain vanished: " + row.domain, 0);
    domain_id = s->columnInt(0);
  }
  {
    auto s = prepared(
        "SELECT COALESCE(MAX(attempt), 0) + 1 FROM domain_results "
        "WHERE run_id = ?1 AND domain_id = ?2");
    s->bind(1, run_id).bind(2, domain_id).step();
    attempt = static_cast<int>(s->columnInt(0));
  }
  std::int64_t result_id = 0;
  {
    auto s = prepared(
        "INSERT INTO domain_results (run_id, domain_id, attempt, domain_exists, receives_mail, "
        "sends_mail, profile_reasons_json, score, grade, tier, dmarc_phase, started_at, "
        "duration_ms, dns_queries, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    s->bind(1, run_id).bind(2, domain_id).bind(3, attempt).bindBool(4, row.exists);
    s->bindBool(5, row.profile.receives_mail).bindBool(6, row.profile.sends_mail);
    s->bind(7, reasonsJson(row.profile)).bind(8, row.score).bind(9, row.grade);
    s->bind(10, row.tier).bind(11, row.dmarc_phase).bind(12, row.started_at);
    s->bind(13, row.duration_ms).bind(14, row.dns_queries).bind(15, stamp).run();
    result_id = sqlite3_last_insert_rowid(db_.get());
  }
  for (const CheckResult& check : row.checks) {
    std::int64_t check_row = 0;
    {
      auto s = prepared(
          "INSERT INTO check_results (domain_result_id, check_id, status, remediation_vi, "
          "remediation_en, evidence_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      s->bind(1, result_id).bind(2, check.id).bind(3, toString(check.status));
      s->bind(4, check.remediation.vi).bind(5, check.remediation.en);
      s->bind(6, check.evidence.dump()).run();
      check_row = sqlite3_last_insert_rowid(db_.get());
    }
    for (const Finding& f : check.findings) {
      auto s = prepared(
          "INSERT INTO findings (check_result_id, tag, status, args_json) "
          "VALUES (?1, ?2, ?3, ?4)");
      s->bind(1, check_row).bind(2, f.tag).bind(3, toString(f.status)).bind(4, argsJson(f)).run();
    }
  }
  for (const ObservedRecord& r : row.observed) {
    auto s = prepared(
        "INSERT INTO observed_records (domain_result_id, name, type, value) "
        "VALUES (?1, ?2, ?3, ?4)");
    s->bind(1, result_id).bind(2, r.name).bind(3, r.type).bind(4, r.value).run();
  }
}

WriteResult SqliteStore::recordDomainResult(std::int64_t run_id, const DomainReportRow& row) {
  std::lock_guard lock(mutex_);
  WriteResult result;
  try {
    prepared("BEGIN IMMEDIATE")->run();
    insertResult(run_id, row, result.attempt);
    prepared("COMMIT")->run();
  } catch (const std::exception& e) {
    if (!sqlite3_get_autocommit(db_.get())) {
      try {
        prepared("ROLLBACK")->run();
      } catch (const StoreError& rollback_error) {
        storeLogger()->error("rollback failed run={} domain={} error={}", run_id, row.domain,
                             rollback_error.what());
      }
    }
    result.ok = false;
    result.attempt = 0;
    result.error = e.what();
    storeLogger()->warn("result not stored run={} domain={} error={}", run_id, row.domain,
                        result.error);
  }
  return result;
}

std::set<std::string> SqliteStore::domainsDoneInRun(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  std::set<std::string> done;
  auto s = prepared(
      "SELECT DISTINCT d.name FROM domain_results dr JOIN domains d ON d.id = dr.domain_id "
      "WHERE dr.run_id = ?1");
  s->bind(1, run_id);
  while (s->step()) done.insert(s->columnText(0));
  return done;
}

std::set<std::string> SqliteStore::domainsToRetry(std::int64_t run_id, int max_attempts) {
  std::lock_guard lock(mutex_);
  std::set<std::string> retry;
  // A check in error whose error is run-level (the resolver returns no DNSSEC records) is not
  // retried: a second look through the same resolver cannot clear it.
  std::string runLevel;
  for (std::string_view tag : dnssec::kRunLevelErrorTags)
    runLevel += (runLevel.empty() ? "'" : ", '") + std::string(tag) + "'";
  auto s = prepared(
      "SELECT d.name FROM latest_domain_results dr JOIN domains d ON d.id = dr.domain_id "
      "WHERE dr.run_id = ?1 AND dr.attempt < ?2 AND EXISTS (SELECT 1 FROM check_results c "
      "WHERE c.domain_result_id = dr.id AND c.status = 'error' AND NOT EXISTS (SELECT 1 FROM "
      "findings f WHERE f.check_result_id = c.id AND f.status = 'error' AND f.tag IN (" +
      runLevel + ")))");
  s->bind(1, run_id).bind(2, max_attempts);
  while (s->step()) retry.insert(s->columnText(0));
  return retry;
}

std::optional<RunInfo> SqliteStore::run(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kRunColumns) + " FROM runs r WHERE r.id = ?1");
  s->bind(1, run_id);
  if (!s->step()) return std::nullopt;
  return readRun(*s, 0);
}

std::optional<RunInfo> SqliteStore::latestRun(RunKind kind) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kRunColumns) +
                    " FROM runs r WHERE r.kind = ?1 AND r.state = 'complete' "
                    "ORDER BY r.id DESC LIMIT 1");
  s->bind(1, toString(kind));
  if (!s->step()) return std::nullopt;
  return readRun(*s, 0);
}

std::optional<RunInfo> SqliteStore::unfinishedRun(RunKind kind) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT " + std::string(kRunColumns) +
                    " FROM runs r WHERE r.kind = ?1 AND r.state IN ('running', 'interrupted') "
                    "ORDER BY r.id DESC LIMIT 1");
  s->bind(1, toString(kind));
  if (!s->step()) return std::nullopt;
  return readRun(*s, 0);
}

std::vector<RunSummary> SqliteStore::runSummaries() {
  std::lock_guard lock(mutex_);
  std::vector<RunSummary> out;
  auto s = prepared("SELECT " + std::string(kRunColumns) +
                    ", COUNT(dr.id), COALESCE(SUM(dr.domain_exists), 0), COUNT(dr.score), "
                    "AVG(dr.score), COALESCE(SUM(dr.attempt > 1), 0) "
                    "FROM runs r LEFT JOIN latest_domain_results dr ON dr.run_id = r.id "
                    "GROUP BY r.id ORDER BY r.id");
  while (s->step()) {
    RunSummary summary;
    summary.run = readRun(*s, 0);
    summary.domains = s->columnInt(kRunColumnCount);
    summary.existing = s->columnInt(kRunColumnCount + 1);
    summary.scored = s->columnInt(kRunColumnCount + 2);
    summary.mean_score = s->columnOptDouble(kRunColumnCount + 3);
    summary.retried = s->columnInt(kRunColumnCount + 4);
    out.push_back(std::move(summary));
  }
  return out;
}

Json SqliteStore::readJson(std::string_view text) {
  std::vector<JsonNode> nodes;
  std::map<std::int64_t, std::size_t> by_id;
  auto s = prepared("SELECT id, parent, key, type, atom FROM json_tree(?1)");
  s->bind(1, text);
  while (s->step()) {
    JsonNode n;
    n.id = s->columnInt(0);
    if (!s->isNull(1)) n.parent = s->columnInt(1);
    n.key = s->columnText(2);
    n.type = s->columnText(3);
    if (n.type == "integer") n.integer = s->columnInt(4);
    if (n.type == "real") n.real = s->columnDouble(4);
    if (n.type == "text") n.text = s->columnText(4);
    by_id[n.id] = nodes.size();
    if (n.parent) {
      auto parent = by_id.find(*n.parent);
      if (parent != by_id.end()) nodes[parent->second].children.push_back(nodes.size());
    }
    nodes.push_back(std::move(n));
  }
  if (nodes.empty()) return Json();
  return buildJson(nodes, 0);
}

std::optional<StoredDomainResult> SqliteStore::domainResult(std::int64_t run_id,
                                                            std::string_view domain) {
  std::lock_guard lock(mutex_);
  StoredDomainResult out;
  {
    auto s = prepared(
        "SELECT dr.id, dr.attempt, d.name, dr.domain_exists, dr.receives_mail, dr.sends_mail, "
        "dr.profile_reasons_json, dr.score, dr.grade, dr.tier, dr.dmarc_phase, dr.started_at, "
        "dr.duration_ms, dr.dns_queries FROM latest_domain_results dr "
        "JOIN domains d ON d.id = dr.domain_id WHERE dr.run_id = ?1 AND d.name = ?2");
    s->bind(1, run_id).bind(2, domain);
    if (!s->step()) return std::nullopt;
    out.id = s->columnInt(0);
    out.run_id = run_id;
    out.attempt = static_cast<int>(s->columnInt(1));
    DomainReportRow& row = out.row;
    row.domain = s->columnText(2);
    row.exists = s->columnInt(3) != 0;
    row.profile.receives_mail = s->columnInt(4) != 0;
    row.profile.sends_mail = s->columnInt(5) != 0;
    const std::string reasons = s->columnText(6);
    row.score = s->columnOptDouble(7);
    row.grade = s->columnOptText(8);
    row.tier = s->columnOptText(9);
    row.dmarc_phase = s->columnOptText(10);
    row.started_at = s->columnText(11);
    row.duration_ms = s->columnDouble(12);
    row.dns_queries = s->columnInt(13);
    s->reset();
    const Json parsed = readJson(reasons);
    if (parsed.isArray())
      for (const Json& r : parsed.asArray())
        if (r.isString()) row.profile.reasons.push_back(r.asString());
  }
  struct CheckRow {
    std::int64_t id;
    CheckResult check;
    std::string evidence;
  };
  std::vector<CheckRow> checks;
  {
    auto s = prepared(
        "SELECT id, check_id, status, remediation_vi, remediation_en, evidence_json "
        "FROM check_results WHERE domain_result_id = ?1 ORDER BY id");
    s->bind(1, out.id);
    while (s->step()) {
      CheckRow c;
      c.id = s->columnInt(0);
      c.check.id = s->columnText(1);
      c.check.status = parseStatus(s->columnText(2)).value_or(Status::Error);
      c.check.remediation.vi = s->columnText(3);
      c.check.remediation.en = s->columnText(4);
      c.evidence = s->columnText(5);
      checks.push_back(std::move(c));
    }
  }
  for (CheckRow& c : checks) {
    c.check.evidence = readJson(c.evidence);
    std::vector<std::pair<Finding, std::string>> findings;
    {
      auto s = prepared(
          "SELECT tag, status, args_json FROM findings WHERE check_result_id = ?1 ORDER BY id");
      s->bind(1, c.id);
      while (s->step()) {
        Finding f;
        f.tag = s->columnText(0);
        f.status = parseStatus(s->columnText(1)).value_or(Status::Error);
        findings.emplace_back(std::move(f), s->columnText(2));
      }
    }
    for (auto& [f, args] : findings) {
      const Json parsed = readJson(args);
      if (parsed.isObject()) {
        for (const auto& [name, value] : parsed.asObject()) {
          if (value.isInt()) {
            f.arg(name, value.asInt());
          } else if (value.isString()) {
            f.arg(name, value.asString());
          }
        }
      }
      c.check.findings.push_back(std::move(f));
    }
    out.row.checks.push_back(std::move(c.check));
  }
  {
    auto s = prepared(
        "SELECT name, type, value FROM observed_records WHERE domain_result_id = ?1 ORDER BY id");
    s->bind(1, out.id);
    while (s->step())
      out.row.observed.push_back({s->columnText(0), s->columnText(1), s->columnText(2)});
  }
  return out;
}

std::vector<DomainHistoryEntry> SqliteStore::domainHistory(std::string_view domain,
                                                           std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<DomainHistoryEntry> out;
  std::vector<std::int64_t> result_ids;
  {
    auto s = prepared(
        "SELECT r.id, r.kind, r.state, r.started_at, dr.id, dr.started_at, dr.attempt, "
        "dr.domain_exists, dr.receives_mail, dr.sends_mail, dr.score, dr.grade, dr.tier, "
        "dr.dmarc_phase FROM latest_domain_results dr JOIN runs r ON r.id = dr.run_id "
        "JOIN domains d ON d.id = dr.domain_id WHERE d.name = ?1 ORDER BY r.id DESC LIMIT ?2");
    s->bind(1, domain).bind(2, static_cast<std::int64_t>(limit));
    while (s->step()) {
      DomainHistoryEntry e;
      e.run_id = s->columnInt(0);
      e.kind = parseRunKind(s->columnText(1)).value_or(RunKind::National);
      e.run_state = parseRunState(s->columnText(2)).value_or(RunState::Running);
      e.run_started_at = s->columnText(3);
      result_ids.push_back(s->columnInt(4));
      e.started_at = s->columnText(5);
      e.attempt = static_cast<int>(s->columnInt(6));
      e.exists = s->columnInt(7) != 0;
      e.receives_mail = s->columnInt(8) != 0;
      e.sends_mail = s->columnInt(9) != 0;
      e.score = s->columnOptDouble(10);
      e.grade = s->columnOptText(11);
      e.tier = s->columnOptText(12);
      e.dmarc_phase = s->columnOptText(13);
      out.push_back(std::move(e));
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto s = prepared(
        "SELECT check_id, status FROM check_results WHERE domain_result_id = ?1 ORDER BY id");
    s->bind(1, result_ids[i]);
    while (s->step())
      out[i].statuses.emplace_back(s->columnText(0),
                                   parseStatus(s->columnText(1)).value_or(Status::Error));
  }
  return out;
}

std::vector<LatestDomainResult> SqliteStore::latestDomainResults() {
  std::lock_guard lock(mutex_);
  std::vector<LatestDomainResult> out;
  auto s = prepared(
      "SELECT d.name, r.id, r.kind, dr.started_at, dr.domain_exists, dr.score, dr.grade, "
      "dr.tier, dr.dmarc_phase FROM latest_domain_results dr "
      "JOIN domains d ON d.id = dr.domain_id JOIN runs r ON r.id = dr.run_id "
      "WHERE dr.run_id = (SELECT MAX(x.run_id) FROM domain_results x "
      "WHERE x.domain_id = dr.domain_id) ORDER BY d.name");
  while (s->step()) {
    LatestDomainResult e;
    e.domain = s->columnText(0);
    e.run_id = s->columnInt(1);
    e.kind = parseRunKind(s->columnText(2)).value_or(RunKind::National);
    e.started_at = s->columnText(3);
    e.exists = s->columnInt(4) != 0;
    e.score = s->columnOptDouble(5);
    e.grade = s->columnOptText(6);
    e.tier = s->columnOptText(7);
    e.dmarc_phase = s->columnOptText(8);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<CheckStatusRow> SqliteStore::checkStatusesForRun(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  std::vector<CheckStatusRow> out;
  auto s = prepared(
      "SELECT d.name, c.check_id, c.status FROM latest_domain_results dr "
      "JOIN domains d ON d.id = dr.domain_id JOIN check_results c ON c.domain_result_id = dr.id "
      "WHERE dr.run_id = ?1 ORDER BY d.name, c.id");
  s->bind(1, run_id);
  while (s->step())
    out.push_back({s->columnText(0), s->columnText(1),
                   parseStatus(s->columnText(2)).value_or(Status::Error)});
  return out;
}

std::vector<RecordChange> SqliteStore::observedRecordChanges(std::string_view domain,
                                                             std::int64_t run_a,
                                                             std::int64_t run_b) {
  std::lock_guard lock(mutex_);
  // (lower-case name, upper-case type) -> (name as seen, values in A, values in B)
  struct Sides {
    std::string name;
    std::string type;
    std::set<std::string> before;
    std::set<std::string> after;
  };
  std::map<std::pair<std::string, std::string>, Sides> records;
  bool seen[2] = {false, false};
  for (int side = 0; side < 2; ++side) {
    {
      auto s = prepared(
          "SELECT 1 FROM latest_domain_results dr JOIN domains d ON d.id = dr.domain_id "
          "WHERE d.name = ?1 AND dr.run_id = ?2");
      s->bind(1, domain).bind(2, side == 0 ? run_a : run_b);
      seen[side] = s->step();
    }
    auto s = prepared(
        "SELECT o.name, o.type, o.value FROM observed_records o "
        "JOIN latest_domain_results dr ON dr.id = o.domain_result_id "
        "JOIN domains d ON d.id = dr.domain_id WHERE d.name = ?1 AND dr.run_id = ?2");
    s->bind(1, domain).bind(2, side == 0 ? run_a : run_b);
    while (s->step()) {
      std::string type = s->columnText(1);
      std::transform(type.begin(), type.end(), type.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      Sides& entry = records[{lowerAscii(s->columnText(0)), type}];
      if (entry.name.empty()) entry.name = s->columnText(0);
      entry.type = type;
      (side == 0 ? entry.before : entry.after).insert(s->columnText(2));
    }
  }
  std::vector<RecordChange> out;
  if (!seen[0] || !seen[1]) return out;  // nothing to compare with
  for (auto& [key, sides] : records) {
    if (sides.before == sides.after) continue;
    out.push_back({sides.name,
                   sides.type,
                   {sides.before.begin(), sides.before.end()},
                   {sides.after.begin(), sides.after.end()}});
  }
  return out;
}

std::vector<DomainEntry> SqliteStore::domainEntries() {
  std::lock_guard lock(mutex_);
  std::vector<DomainEntry> out;
  auto s = prepared(
      "SELECT name, agency_vi, agency_en, category, grp, dkim_selectors, legacy, successor "
      "FROM domains ORDER BY name");
  while (s->step()) {
    DomainEntry e;
    e.domain = s->columnText(0);
    e.agency_vi = s->columnText(1);
    e.agency_en = s->columnText(2);
    e.category = s->columnText(3);
    e.group = s->columnText(4);
    const std::string selectors = s->columnText(5);
    for (std::size_t at = 0; at < selectors.size();) {
      const std::size_t space = std::min(selectors.find(' ', at), selectors.size());
      if (space > at) e.dkim_selectors.push_back(selectors.substr(at, space - at));
      at = space + 1;
    }
    e.legacy = s->columnInt(6) != 0;
    e.successor = s->columnText(7);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace mh::service::store
