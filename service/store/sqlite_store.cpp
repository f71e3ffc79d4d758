// SqliteStore: one connection behind a mutex, one IMMEDIATE transaction per domain result.
#include "service/store/sqlite_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>

#include <openssl/evp.h>

#include "checks/dnssec/resolver_capability.hpp"
#include "reports/report_model.hpp"
#include "service/store/schema.hpp"
#include "checks/core/text.hpp"

namespace mh::service::store {

namespace {

constexpr std::string_view kRunColumns =
    "r.id, r.kind, r.state, r.started_at, r.finished_at, r.rubric_version, r.program_version, "
    "r.options_json";
constexpr int kRunColumnCount = 8;

// A run's counts over the latest attempt of each domain (?1: the run).
constexpr std::string_view kRunCountsSql =
    "SELECT COUNT(dr.id), COALESCE(SUM(dr.domain_exists), 0), COUNT(dr.score), AVG(dr.score), "
    "COALESCE(SUM(dr.attempt > 1), 0) FROM latest_domain_results dr WHERE dr.run_id = ?1";

// Decoded status lists kept at most (a few hundred bytes each).
constexpr std::size_t kMaxCachedStatuses = 20000;

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

// The raw SHA-256 of a text: the content key of the shared tables.
std::string sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw StoreError("SHA-256 failed", 0);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Evidence as stored: without the "elapsed_ms" members (how long a probe took is not something
// the domain published, and it would make every run's evidence differ from the last).
Json withoutTimings(const Json& j) {
  if (j.isArray()) {
    Json::Array items;
    for (const Json& item : j.asArray()) items.push_back(withoutTimings(item));
    return Json(std::move(items));
  }
  if (j.isObject()) {
    Json::Object members;
    for (const auto& [key, value] : j.asObject())
      if (key != "elapsed_ms") members.emplace_back(key, withoutTimings(value));
    return Json(std::move(members));
  }
  return j;
}

// Texts joined unambiguously ("3:abc2:de"), for hashing a list of them.
std::string lengthPrefixed(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += std::to_string(p.size()) + ":" + p;
  return out;
}

// check_sets.statuses ("SPF-01=pass SPF-02=warn") back as pairs.
std::vector<std::pair<std::string, Status>> parseStatuses(std::string_view text) {
  std::vector<std::pair<std::string, Status>> out;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t space = std::min(text.find(' ', at), text.size());
    const std::string_view item = text.substr(at, space - at);
    if (const auto eq = item.find('='); eq != std::string_view::npos)
      out.emplace_back(std::string(item.substr(0, eq)),
                       parseStatus(item.substr(eq + 1)).value_or(Status::Error));
    at = space + 1;
  }
  return out;
}

// The ISO 8601 UTC time `days` before `stamp` (same format), for the retention's cutoff.
std::string daysBefore(const std::string& stamp, int days) {
  std::tm tm{};
  if (stamp.size() < 19 || !strptime(stamp.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
    throw StoreError("unreadable clock value: " + stamp, 0);
  const std::time_t t = timegm(&tm) - static_cast<std::time_t>(days) * 86400;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(text) + stamp.substr(19);
}

std::string lowerAscii(std::string_view text) { return ascii::lower(text); }

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

// A JSON text as stored (valid: the tables check json_valid), back as a Json value.
Json readJson(std::string_view text) {
  auto parsed = Json::parse(text);
  if (!parsed) throw StoreError("stored JSON does not parse", 0);
  return std::move(*parsed);
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteStoreOptions options)
    : options_(std::move(options)), db_(openDatabase(path)) {
  // Our mutex serialises this connection; other stores need a thread-safe library build.
  if (!sqlite3_threadsafe()) throw StoreError("SQLite was built without thread support", 0);
  sqlite3_busy_timeout(db_.get(), options_.busy_timeout_ms);
  read_only_ = sqlite3_db_readonly(db_.get(), "main") == 1;
  // WAL lets readers work while the audit writes; NORMAL sync is safe with WAL (a crash of the
  // process loses nothing committed; a power loss may lose the last commits, never the file).
  if (!read_only_) Statement(db_.get(), "PRAGMA journal_mode = WAL").run();
  Statement(db_.get(), "PRAGMA synchronous = NORMAL").run();
  Statement(db_.get(), "PRAGMA foreign_keys = ON").run();
  Statement check(db_.get(), "PRAGMA foreign_keys");
  if (!check.step() || check.columnInt(0) != 1)
    throw StoreError("this SQLite does not enforce foreign keys", 0);
  const int applied = migrate(db_.get(), now(), [this](int version) {
    if (version == 2) convertResultsOf0001();
  });
  storeLogger()->info("store opened path={} schema={} migrations_applied={} read_only={}", path,
                      latestSchemaVersion(), applied, read_only_);
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
  std::optional<PruneResult> pruned;
  prepared("BEGIN IMMEDIATE")->run();
  try {
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
    if (state == RunState::Complete) {
      writeRollup(run_id);
      bool national = false;
      {
        auto kind = prepared("SELECT kind FROM runs WHERE id = ?1");
        national = kind->bind(1, run_id).step() && kind->columnText(0) == toString(RunKind::National);
      }
      // The retention pass after a national run, in the same transaction: the run is seen
      // complete once its rollup and the pruning are done.
      if (national && options_.keep_evidence_days > 0)
        pruned = pruneInTransaction(options_.keep_evidence_days);
    }
    prepared("COMMIT")->run();
  } catch (...) {
    if (!sqlite3_get_autocommit(db_.get())) prepared("ROLLBACK")->run();
    throw;
  }
  storeLogger()->info("run finished run={} state={}", run_id, toString(state));
  if (pruned) logPrune(options_.keep_evidence_days, *pruned);
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

// One check as the shared tables keep it: texts, not values, so that the results of 0001 (stored
// as text) and new ones hash alike.
struct SqliteStore::ContentCheck {
  std::string id;
  Status status = Status::Na;
  Remediation remediation;
  std::string evidence_json;
  struct Item {
    std::string tag;
    Status status = Status::Info;
    std::string args_json;
  };
  std::vector<Item> findings;
};

std::int64_t SqliteStore::evidenceId(const std::string& json, std::string_view stamp) {
  const std::string hash = sha256(json);
  {
    auto s = prepared("SELECT id FROM evidence WHERE sha256 = ?1");
    s->bindBlob(1, hash);
    if (s->step()) return s->columnInt(0);
  }
  auto s = prepared("INSERT INTO evidence (sha256, json, first_seen) VALUES (?1, ?2, ?3)");
  s->bindBlob(1, hash).bind(2, json).bind(3, stamp).run();
  return sqlite3_last_insert_rowid(db_.get());
}

std::optional<std::int64_t> SqliteStore::remediationId(const Remediation& remediation) {
  if (remediation.empty()) return std::nullopt;
  const std::string hash = sha256(lengthPrefixed({remediation.vi, remediation.en}));
  {
    auto s = prepared("SELECT id FROM remediations WHERE sha256 = ?1");
    s->bindBlob(1, hash);
    if (s->step()) return s->columnInt(0);
  }
  auto s = prepared("INSERT INTO remediations (sha256, vi, en) VALUES (?1, ?2, ?3)");
  s->bindBlob(1, hash).bind(2, remediation.vi).bind(3, remediation.en).run();
  return sqlite3_last_insert_rowid(db_.get());
}

std::int64_t SqliteStore::checkSetId(const std::vector<ContentCheck>& checks,
                                     std::string_view stamp,
                                     const std::function<reports::KeyFacts()>& facts) {
  struct Row {
    std::optional<std::int64_t> remediation;
    std::int64_t evidence = 0;
  };
  std::vector<Row> rows;
  std::vector<std::string> parts;
  std::string statuses;
  bool hasError = false;
  for (const ContentCheck& c : checks) {
    Row row{remediationId(c.remediation), evidenceId(c.evidence_json, stamp)};
    parts.push_back(c.id);
    parts.emplace_back(toString(c.status));
    parts.push_back(std::to_string(row.remediation.value_or(0)));
    parts.push_back(std::to_string(row.evidence));
    parts.push_back(std::to_string(c.findings.size()));
    for (const auto& f : c.findings) {
      parts.push_back(f.tag);
      parts.emplace_back(toString(f.status));
      parts.push_back(f.args_json);
    }
    statuses += (statuses.empty() ? "" : " ") + c.id + "=" + std::string(toString(c.status));
    hasError = hasError || c.status == Status::Error;
    rows.push_back(row);
  }
  const std::string hash = sha256(lengthPrefixed(parts));
  {
    auto s = prepared("SELECT id FROM check_sets WHERE sha256 = ?1");
    s->bindBlob(1, hash);
    if (s->step()) return s->columnInt(0);
  }
  const reports::KeyFacts f = facts();
  std::int64_t id = 0;
  {
    auto s = prepared(
        "INSERT INTO check_sets (sha256, statuses, has_error, spf_all, dmarc_policy, dmarc_rua, "
        "lowest_tls, tls_enumerated, weak_tls, dkim_found, mta_sts_mode) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    s->bindBlob(1, hash).bind(2, statuses).bindBool(3, hasError).bind(4, f.spf_all);
    s->bind(5, f.dmarc_policy).bindBool(6, f.dmarc_rua).bind(7, f.lowest_tls);
    s->bindBool(8, f.tls_enumerated).bindBool(9, f.weak_tls).bindBool(10, f.dkim_found);
    s->bind(11, f.mta_sts_mode).run();
    id = sqlite3_last_insert_rowid(db_.get());
  }
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const ContentCheck& c = checks[i];
    {
      auto s = prepared(
          "INSERT INTO check_set_checks (check_set_id, position, check_id, status, "
          "remediation_id, evidence_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      s->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, c.id);
      s->bind(4, toString(c.status)).bind(5, rows[i].remediation).bind(6, rows[i].evidence).run();
    }
    for (std::size_t j = 0; j < c.findings.size(); ++j) {
      auto s = prepared(
          "INSERT INTO check_set_findings (check_set_id, position, seq, tag, status, args_json) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      s->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, static_cast<std::int64_t>(j));
      s->bind(4, c.findings[j].tag).bind(5, toString(c.findings[j].status));
      s->bind(6, c.findings[j].args_json).run();
    }
  }
  return id;
}

std::int64_t SqliteStore::observedSetId(const std::vector<ObservedRecord>& records) {
  std::vector<std::string> parts;
  for (const auto& r : records) {
    parts.push_back(r.name);
    parts.push_back(r.type);
    parts.push_back(r.value);
  }
  const std::string hash = sha256(lengthPrefixed(parts));
  {
    auto s = prepared("SELECT id FROM observed_sets WHERE sha256 = ?1");
    s->bindBlob(1, hash);
    if (s->step()) return s->columnInt(0);
  }
  prepared("INSERT INTO observed_sets (sha256) VALUES (?1)")->bindBlob(1, hash).run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto s = prepared(
        "INSERT INTO observed_set_records (observed_set_id, seq, name, type, value) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    s->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, records[i].name);
    s->bind(4, records[i].type).bind(5, records[i].value).run();
  }
  return id;
}

void SqliteStore::updateLatest(std::int64_t domain_id, std::int64_t result_id,
                               std::int64_t run_id, int attempt) {
  auto s = prepared(
      "INSERT INTO latest_results (domain_id, domain_result_id, run_id, attempt) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (domain_id) DO UPDATE SET "
      "domain_result_id = excluded.domain_result_id, run_id = excluded.run_id, "
      "attempt = excluded.attempt WHERE excluded.run_id > latest_results.run_id OR "
      "(excluded.run_id = latest_results.run_id AND excluded.attempt > latest_results.attempt)");
  s->bind(1, domain_id).bind(2, result_id).bind(3, run_id).bind(4, attempt).run();
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
  std::vector<ContentCheck> checks;
  for (const CheckResult& check : row.checks) {
    ContentCheck c{check.id, check.status, check.remediation, withoutTimings(check.evidence).dump(),
                   {}};
    for (const Finding& f : check.findings) c.findings.push_back({f.tag, f.status, argsJson(f)});
    checks.push_back(std::move(c));
  }
  const std::int64_t checkSet = checkSetId(checks, stamp, [&] { return reports::keyFacts(row.checks); });
  const std::int64_t observedSet = observedSetId(row.observed);
  std::int64_t result_id = 0;
  {
    auto s = prepared(
        "INSERT INTO domain_results (run_id, domain_id, attempt, domain_exists, receives_mail, "
        "sends_mail, profile_reasons_json, score, grade, tier, dmarc_phase, started_at, "
        "duration_ms, dns_queries, recorded_at, check_set_id, observed_set_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    s->bind(1, run_id).bind(2, domain_id).bind(3, attempt).bindBool(4, row.exists);
    s->bindBool(5, row.profile.receives_mail).bindBool(6, row.profile.sends_mail);
    s->bind(7, reasonsJson(row.profile)).bind(8, row.score).bind(9, row.grade);
    s->bind(10, row.tier).bind(11, row.dmarc_phase).bind(12, row.started_at);
    s->bind(13, row.duration_ms).bind(14, row.dns_queries).bind(15, stamp);
    s->bind(16, checkSet).bind(17, observedSet).run();
    result_id = sqlite3_last_insert_rowid(db_.get());
  }
  updateLatest(domain_id, result_id, run_id, attempt);
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
      "JOIN check_sets cs ON cs.id = dr.check_set_id "
      "WHERE dr.run_id = ?1 AND dr.attempt < ?2 AND cs.has_error = 1 AND EXISTS (SELECT 1 "
      "FROM check_set_checks c WHERE c.check_set_id = cs.id AND c.status = 'error' AND NOT "
      "EXISTS (SELECT 1 FROM check_set_findings f WHERE f.check_set_id = c.check_set_id AND "
      "f.position = c.position AND f.status = 'error' AND f.tag IN (" +
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
  std::vector<std::size_t> live;  // runs without a rollup: counted now
  {
    auto s = prepared("SELECT " + std::string(kRunColumns) +
                      ", ru.run_id IS NOT NULL, ru.domains, ru.existing, ru.scored, ru.mean_score, "
                      "ru.retried FROM runs r LEFT JOIN run_rollups ru ON ru.run_id = r.id "
                      "ORDER BY r.id");
    while (s->step()) {
      RunSummary summary;
      summary.run = readRun(*s, 0);
      if (s->columnInt(kRunColumnCount) != 0) {
        summary.domains = s->columnInt(kRunColumnCount + 1);
        summary.existing = s->columnInt(kRunColumnCount + 2);
        summary.scored = s->columnInt(kRunColumnCount + 3);
        summary.mean_score = s->columnOptDouble(kRunColumnCount + 4);
        summary.retried = s->columnInt(kRunColumnCount + 5);
      } else {
        live.push_back(out.size());
      }
      out.push_back(std::move(summary));
    }
  }
  for (std::size_t i : live) {
    auto s = prepared(kRunCountsSql);
    s->bind(1, out[i].run.id);
    if (!s->step()) continue;
    out[i].domains = s->columnInt(0);
    out[i].existing = s->columnInt(1);
    out[i].scored = s->columnInt(2);
    out[i].mean_score = s->columnOptDouble(3);
    out[i].retried = s->columnInt(4);
  }
  return out;
}

std::optional<StoredDomainResult> SqliteStore::domainResult(std::int64_t run_id,
                                                            std::string_view domain) {
  std::lock_guard lock(mutex_);
  StoredDomainResult out;
  std::int64_t checkSet = 0, observedSet = 0;
  {
    auto s = prepared(
        "SELECT dr.id, dr.attempt, d.name, dr.domain_exists, dr.receives_mail, dr.sends_mail, "
        "dr.profile_reasons_json, dr.score, dr.grade, dr.tier, dr.dmarc_phase, dr.started_at, "
        "dr.duration_ms, dr.dns_queries, dr.check_set_id, dr.observed_set_id "
        "FROM latest_domain_results dr "
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
    checkSet = s->columnInt(14);
    observedSet = s->columnInt(15);
    s->reset();
    const Json parsed = readJson(reasons);
    if (parsed.isArray())
      for (const Json& r : parsed.asArray())
        if (r.isString()) row.profile.reasons.push_back(r.asString());
  }
  std::vector<std::optional<std::string>> evidence;
  {
    auto s = prepared(
        "SELECT c.check_id, c.status, r.vi, r.en, e.json FROM check_set_checks c "
        "LEFT JOIN remediations r ON r.id = c.remediation_id "
        "LEFT JOIN evidence e ON e.id = c.evidence_id "
        "WHERE c.check_set_id = ?1 ORDER BY c.position");
    s->bind(1, checkSet);
    while (s->step()) {
      CheckResult c;
      c.id = s->columnText(0);
      c.status = parseStatus(s->columnText(1)).value_or(Status::Error);
      c.remediation.vi = s->columnText(2);
      c.remediation.en = s->columnText(3);
      evidence.push_back(s->columnOptText(4));
      out.row.checks.push_back(std::move(c));
    }
  }
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    if (evidence[i]) {
      out.row.checks[i].evidence = readJson(*evidence[i]);
    } else {
      ++out.pruned_evidence;
    }
  }
  std::vector<std::tuple<std::size_t, Finding, std::string>> findings;
  {
    auto s = prepared(
        "SELECT position, tag, status, args_json FROM check_set_findings "
        "WHERE check_set_id = ?1 ORDER BY position, seq");
    s->bind(1, checkSet);
    while (s->step()) {
      Finding f;
      f.tag = s->columnText(1);
      f.status = parseStatus(s->columnText(2)).value_or(Status::Error);
      findings.emplace_back(static_cast<std::size_t>(s->columnInt(0)), std::move(f),
                            s->columnText(3));
    }
  }
  for (auto& [position, f, args] : findings) {
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
    if (position < out.row.checks.size()) out.row.checks[position].findings.push_back(std::move(f));
  }
  {
    auto s = prepared(
        "SELECT name, type, value FROM observed_set_records WHERE observed_set_id = ?1 "
        "ORDER BY seq");
    s->bind(1, observedSet);
    while (s->step())
      out.row.observed.push_back({s->columnText(0), s->columnText(1), s->columnText(2)});
  }
  return out;
}

std::vector<std::pair<std::string, Status>> SqliteStore::statusesOf(std::int64_t check_set_id,
                                                                    const std::string& text) {
  if (auto it = statuses_.find(check_set_id); it != statuses_.end()) return it->second;
  if (statuses_.size() >= kMaxCachedStatuses) statuses_.clear();
  return statuses_.emplace(check_set_id, parseStatuses(text)).first->second;
}

namespace {

constexpr std::string_view kHistoryColumns =
    "r.id, r.kind, r.state, r.started_at, dr.started_at, dr.attempt, dr.domain_exists, "
    "dr.receives_mail, dr.sends_mail, dr.score, dr.grade, dr.tier, dr.dmarc_phase, "
    "dr.check_set_id, cs.statuses, dr.observed_set_id";

DomainHistoryEntry readHistoryEntry(const Statement& s, int first) {
  DomainHistoryEntry e;
  e.run_id = s.columnInt(first);
  e.kind = parseRunKind(s.columnText(first + 1)).value_or(RunKind::National);
  e.run_state = parseRunState(s.columnText(first + 2)).value_or(RunState::Running);
  e.run_started_at = s.columnText(first + 3);
  e.started_at = s.columnText(first + 4);
  e.attempt = static_cast<int>(s.columnInt(first + 5));
  e.exists = s.columnInt(first + 6) != 0;
  e.receives_mail = s.columnInt(first + 7) != 0;
  e.sends_mail = s.columnInt(first + 8) != 0;
  e.score = s.columnOptDouble(first + 9);
  e.grade = s.columnOptText(first + 10);
  e.tier = s.columnOptText(first + 11);
  e.dmarc_phase = s.columnOptText(first + 12);
  e.observed_set_id = s.columnInt(first + 15);
  return e;
}

}  // namespace

std::vector<DomainHistoryEntry> SqliteStore::domainHistory(std::string_view domain,
                                                           std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<DomainHistoryEntry> out;
  if (limit == 1) {  // the newest result: one lookup in latest_results
    auto s = prepared("SELECT " + std::string(kHistoryColumns) +
                      " FROM latest_results l JOIN domains d ON d.id = l.domain_id "
                      "JOIN domain_results dr ON dr.id = l.domain_result_id "
                      "JOIN runs r ON r.id = dr.run_id "
                      "LEFT JOIN check_sets cs ON cs.id = dr.check_set_id WHERE d.name = ?1");
    s->bind(1, domain);
    if (s->step()) {
      out.push_back(readHistoryEntry(*s, 0));
      out.back().statuses = statusesOf(s->columnInt(13), s->columnText(14));
    }
    return out;
  }
  auto s = prepared("SELECT " + std::string(kHistoryColumns) +
                    " FROM latest_domain_results dr JOIN runs r ON r.id = dr.run_id "
                    "JOIN domains d ON d.id = dr.domain_id "
                    "LEFT JOIN check_sets cs ON cs.id = dr.check_set_id "
                    "WHERE d.name = ?1 ORDER BY r.id DESC LIMIT ?2");
  s->bind(1, domain).bind(2, static_cast<std::int64_t>(limit));
  while (s->step()) {
    out.push_back(readHistoryEntry(*s, 0));
    out.back().statuses = statusesOf(s->columnInt(13), s->columnText(14));
  }
  return out;
}

void SqliteStore::forEachDomainHistory(
    const std::function<void(const std::string&, const std::vector<DomainHistoryEntry>&)>& visit) {
  std::lock_guard lock(mutex_);
  auto s = prepared("SELECT d.name, " + std::string(kHistoryColumns) +
                    " FROM domains d JOIN domain_results dr ON dr.domain_id = d.id "
                    "JOIN runs r ON r.id = dr.run_id "
                    "LEFT JOIN check_sets cs ON cs.id = dr.check_set_id "
                    "ORDER BY d.name, dr.run_id, dr.attempt");
  std::string current;
  std::vector<DomainHistoryEntry> entries;
  auto flush = [&] {
    if (!entries.empty()) visit(current, entries);
    entries.clear();
  };
  while (s->step()) {
    std::string name = s->columnText(0);
    if (name != current) {
      flush();
      current = std::move(name);
    }
    DomainHistoryEntry e = readHistoryEntry(*s, 1);
    // Rows come by run then attempt: a later attempt of the same run replaces the earlier.
    if (!entries.empty() && entries.back().run_id == e.run_id) entries.pop_back();
    e.statuses = statusesOf(s->columnInt(14), s->columnText(15));
    entries.push_back(std::move(e));
  }
  flush();
}

std::vector<LatestDomainResult> SqliteStore::latestDomainResults() {
  std::lock_guard lock(mutex_);
  std::vector<LatestDomainResult> out;
  auto s = prepared(
      "SELECT d.name, r.id, r.kind, dr.started_at, dr.domain_exists, dr.score, dr.grade, "
      "dr.tier, dr.dmarc_phase FROM latest_results l JOIN domains d ON d.id = l.domain_id "
      "JOIN domain_results dr ON dr.id = l.domain_result_id JOIN runs r ON r.id = dr.run_id "
      "ORDER BY d.name");
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
      "SELECT d.name, dr.check_set_id, cs.statuses FROM latest_domain_results dr "
      "JOIN domains d ON d.id = dr.domain_id JOIN check_sets cs ON cs.id = dr.check_set_id "
      "WHERE dr.run_id = ?1 ORDER BY d.name");
  s->bind(1, run_id);
  while (s->step()) {
    const std::string name = s->columnText(0);
    for (const auto& [check, status] : statusesOf(s->columnInt(1), s->columnText(2)))
      out.push_back({name, check, status});
  }
  return out;
}

std::vector<RecordChange> SqliteStore::observedRecordChanges(std::string_view domain,
                                                             std::int64_t run_a,
                                                             std::int64_t run_b) {
  std::lock_guard lock(mutex_);
  std::int64_t sets[2] = {0, 0};
  for (int side = 0; side < 2; ++side) {
    auto s = prepared(
        "SELECT dr.observed_set_id FROM latest_domain_results dr "
        "JOIN domains d ON d.id = dr.domain_id WHERE d.name = ?1 AND dr.run_id = ?2");
    s->bind(1, domain).bind(2, side == 0 ? run_a : run_b);
    if (!s->step()) return {};  // nothing to compare with
    sets[side] = s->columnInt(0);
  }
  if (sets[0] == sets[1]) return {};
  // (lower-case name, upper-case type) -> (name as seen, values in A, values in B)
  struct Sides {
    std::string name;
    std::string type;
    std::set<std::string> before;
    std::set<std::string> after;
  };
  std::map<std::pair<std::string, std::string>, Sides> records;
  for (int side = 0; side < 2; ++side) {
    auto s = prepared("SELECT name, type, value FROM observed_set_records WHERE observed_set_id = ?1");
    s->bind(1, sets[side]);
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
  for (auto& [key, sides] : records) {
    if (sides.before == sides.after) continue;
    out.push_back({sides.name,
                   sides.type,
                   {sides.before.begin(), sides.before.end()},
                   {sides.after.begin(), sides.after.end()}});
  }
  return out;
}

std::vector<RunResultRow> SqliteStore::runResultRows(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  return resultRows(run_id);
}

std::vector<RunResultRow> SqliteStore::resultRows(std::int64_t run_id) {
  std::vector<RunResultRow> out;
  auto s = prepared(
      "SELECT d.name, dr.attempt, dr.domain_exists, dr.receives_mail, dr.sends_mail, dr.score, "
      "dr.grade, dr.tier, dr.dmarc_phase, dr.check_set_id, cs.statuses, cs.spf_all, "
      "cs.dmarc_policy, cs.dmarc_rua, cs.lowest_tls, cs.tls_enumerated, cs.weak_tls, "
      "cs.dkim_found, cs.mta_sts_mode FROM latest_domain_results dr "
      "JOIN domains d ON d.id = dr.domain_id LEFT JOIN check_sets cs ON cs.id = dr.check_set_id "
      "WHERE dr.run_id = ?1 ORDER BY d.name");
  s->bind(1, run_id);
  while (s->step()) {
    RunResultRow r;
    r.domain = s->columnText(0);
    r.attempt = static_cast<int>(s->columnInt(1));
    r.exists = s->columnInt(2) != 0;
    r.receives_mail = s->columnInt(3) != 0;
    r.sends_mail = s->columnInt(4) != 0;
    r.score = s->columnOptDouble(5);
    r.grade = s->columnOptText(6);
    r.tier = s->columnOptText(7);
    r.dmarc_phase = s->columnOptText(8);
    r.statuses = statusesOf(s->columnInt(9), s->columnText(10));
    r.facts.spf_all = s->columnText(11);
    r.facts.dmarc_policy = s->columnText(12);
    r.facts.dmarc_rua = s->columnInt(13) != 0;
    r.facts.lowest_tls = s->columnText(14);
    r.facts.tls_enumerated = s->columnInt(15) != 0;
    r.facts.weak_tls = s->columnInt(16) != 0;
    r.facts.dkim_found = s->columnInt(17) != 0;
    r.facts.mta_sts_mode = s->columnText(18);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

Json aggregateJson(const reports::Aggregate& a) {
  Json metrics = Json::array();
  for (const auto& m : a.metrics) metrics.push(Json(Json::Array{Json(m.count), Json(m.of)}));
  return Json::object({{"group", a.group},
                       {"population", std::string(reports::toString(a.population))},
                       {"domains", a.domains},
                       {"scored", a.scored},
                       {"mean", a.mean_score ? Json(*a.mean_score) : Json()},
                       {"median", a.median_score ? Json(*a.median_score) : Json()},
                       {"metrics", metrics}});
}

std::int64_t intOf(const Json* j) {
  return j && j->isInt() ? j->asInt() : 0;
}

std::optional<double> numberOf(const Json* j) {
  if (j && j->isDouble()) return j->asDouble();
  if (j && j->isInt()) return static_cast<double>(j->asInt());
  return std::nullopt;
}

reports::Aggregate aggregateFrom(const Json& j) {
  reports::Aggregate a;
  if (const Json* g = j.find("group"); g && g->isString()) a.group = g->asString();
  const Json* p = j.find("population");
  for (auto pop : {reports::Population::All, reports::Population::Mail,
                   reports::Population::NonMail})
    if (p && p->isString() && reports::toString(pop) == p->asString()) a.population = pop;
  a.domains = intOf(j.find("domains"));
  a.scored = intOf(j.find("scored"));
  a.mean_score = numberOf(j.find("mean"));
  a.median_score = numberOf(j.find("median"));
  if (const Json* m = j.find("metrics"); m && m->isArray())
    for (const Json& pair : m->asArray())
      if (pair.isArray() && pair.asArray().size() == 2)
        a.metrics.push_back({intOf(&pair.asArray()[0]), intOf(&pair.asArray()[1])});
  return a;
}

// run_rollups.aggregates_json back as a RunRollup.
RunRollup parseRollup(std::string_view aggregates_json) {
  const Json j = readJson(aggregates_json);
  RunRollup out;
  if (const Json* tiers = j.find("tiers"); tiers && tiers->isObject())
    for (const auto& [tier, count] : tiers->asObject()) out.tiers[tier] = intOf(&count);
  if (const Json* list = j.find("aggregates"); list && list->isArray()) {
    for (const Json& a : list->asArray()) {
      auto aggregate = aggregateFrom(a);
      (aggregate.group.empty() ? out.national : out.by_category).push_back(std::move(aggregate));
    }
  }
  return out;
}

}  // namespace

void SqliteStore::writeRollup(std::int64_t run_id) {
  std::map<std::string, std::string> categories;
  {
    auto s = prepared("SELECT name, category FROM domains");
    while (s->step()) categories[s->columnText(0)] = s->columnText(1);
  }
  std::vector<reports::DomainRunResult> results;
  for (auto& row : resultRows(run_id)) {
    reports::DomainInfo info;
    if (auto it = categories.find(row.domain); it != categories.end()) info.category = it->second;
    results.push_back(toDomainRunResult(std::move(row), run_id, std::move(info)));
  }
  Json tiers = Json::object();
  std::map<std::string, std::int64_t> tierCounts;
  for (const auto& r : results) ++tierCounts[r.tier.value_or("none")];
  for (const auto& [tier, count] : tierCounts) tiers.set(tier, count);
  Json aggregates = Json::array();
  for (const auto& a : reports::groupAggregates(results, reports::GroupBy::Category))
    aggregates.push(aggregateJson(a));
  auto counts = prepared(kRunCountsSql);
  counts->bind(1, run_id).step();
  auto s = prepared(
      "INSERT INTO run_rollups (run_id, domains, existing, scored, mean_score, retried, "
      "aggregates_json, computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s->bind(1, run_id).bind(2, counts->columnInt(0)).bind(3, counts->columnInt(1));
  s->bind(4, counts->columnInt(2)).bind(5, counts->columnOptDouble(3));
  s->bind(6, counts->columnInt(4));
  s->bind(7, Json::object({{"tiers", tiers}, {"aggregates", aggregates}}).dump());
  s->bind(8, now()).run();
}

std::optional<RunRollup> SqliteStore::readRollup(std::int64_t run_id) {
  auto s = prepared("SELECT aggregates_json FROM run_rollups WHERE run_id = ?1");
  s->bind(1, run_id);
  if (!s->step()) return std::nullopt;
  return parseRollup(s->columnText(0));
}

std::optional<RunRollup> SqliteStore::runRollup(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  return readRollup(run_id);
}

std::vector<RolledUpRun> SqliteStore::rolledUpRuns(RunKind kind) {
  std::lock_guard lock(mutex_);
  std::vector<RolledUpRun> out;
  auto s = prepared("SELECT " + std::string(kRunColumns) +
                    ", ru.domains, ru.existing, ru.scored, ru.mean_score, ru.retried, "
                    "ru.aggregates_json FROM runs r JOIN run_rollups ru ON ru.run_id = r.id "
                    "WHERE r.kind = ?1 AND r.state = 'complete' ORDER BY r.id");
  s->bind(1, toString(kind));
  while (s->step()) {
    RolledUpRun r;
    r.summary.run = readRun(*s, 0);
    r.summary.domains = s->columnInt(kRunColumnCount);
    r.summary.existing = s->columnInt(kRunColumnCount + 1);
    r.summary.scored = s->columnInt(kRunColumnCount + 2);
    r.summary.mean_score = s->columnOptDouble(kRunColumnCount + 3);
    r.summary.retried = s->columnInt(kRunColumnCount + 4);
    r.rollup = parseRollup(s->columnText(kRunColumnCount + 5));
    out.push_back(std::move(r));
  }
  return out;
}

PruneResult SqliteStore::prune(int keep_days) {
  PruneResult result;
  if (keep_days <= 0) return result;
  prepared("BEGIN IMMEDIATE")->run();
  try {
    result = pruneInTransaction(keep_days);
    prepared("COMMIT")->run();
  } catch (...) {
    if (!sqlite3_get_autocommit(db_.get())) prepared("ROLLBACK")->run();
    throw;
  }
  logPrune(keep_days, result);
  return result;
}

void SqliteStore::logPrune(int keep_days, const PruneResult& result) {
  storeLogger()->info("evidence pruned keep_days={} cutoff={} rows={} bytes={}", keep_days,
                      result.cutoff, result.evidence_rows, result.evidence_bytes);
}

PruneResult SqliteStore::pruneInTransaction(int keep_days) {
  PruneResult result;
  result.cutoff = daysBefore(now(), keep_days);
  // The evidence of the check sets of the results recorded since the cutoff stays
  // (check_set_uses: when a result last used each check set, migration 0005).
  static constexpr std::string_view kStale =
      "FROM evidence WHERE first_seen < ?1 AND id NOT IN (SELECT c.evidence_id "
      "FROM check_set_uses u JOIN check_set_checks c ON c.check_set_id = u.check_set_id "
      "WHERE u.last_recorded_at >= ?1)";
  {
    auto s = prepared("SELECT COUNT(*), COALESCE(SUM(length(json)), 0) " + std::string(kStale));
    s->bind(1, result.cutoff).step();
    result.evidence_rows = s->columnInt(0);
    result.evidence_bytes = s->columnInt(1);
  }
  if (result.evidence_rows > 0) {
    prepared("DELETE " + std::string(kStale))->bind(1, result.cutoff).run();
    auto s = prepared(
        "INSERT INTO prune_log (pruned_at, cutoff, evidence_rows, evidence_bytes) "
        "VALUES (?1, ?2, ?3, ?4)");
    s->bind(1, now()).bind(2, result.cutoff).bind(3, result.evidence_rows);
    s->bind(4, result.evidence_bytes).run();
  }
  return result;
}

PruneResult SqliteStore::pruneEvidence(int keep_days) {
  std::lock_guard lock(mutex_);
  return prune(keep_days);
}

void SqliteStore::vacuum() {
  std::lock_guard lock(mutex_);
  statements_.clear();
  Statement(db_.get(), "VACUUM").run();
  storeLogger()->info("store vacuumed");
}

void SqliteStore::convertResultsOf0001() {
  struct OldResult {
    std::int64_t id;
    std::string recorded_at;
  };
  std::vector<OldResult> results;
  {
    Statement s(db_.get(), "SELECT id, recorded_at FROM domain_results ORDER BY id");
    while (s.step()) results.push_back({s.columnInt(0), s.columnText(1)});
  }
  Statement checksOf(db_.get(),
                     "SELECT id, check_id, status, remediation_vi, remediation_en, evidence_json "
                     "FROM check_results WHERE domain_result_id = ?1 ORDER BY id");
  Statement findingsOf(db_.get(),
                       "SELECT tag, status, args_json FROM findings WHERE check_result_id = ?1 "
                       "ORDER BY id");
  Statement observedOf(db_.get(),
                       "SELECT name, type, value FROM observed_records WHERE domain_result_id = ?1 "
                       "ORDER BY id");
  Statement setIds(db_.get(),
                   "UPDATE domain_results SET check_set_id = ?2, observed_set_id = ?3 WHERE id = ?1");
  for (const OldResult& result : results) {
    std::vector<ContentCheck> checks;
    std::vector<std::int64_t> checkRows;
    checksOf.bind(1, result.id);
    while (checksOf.step()) {
      checkRows.push_back(checksOf.columnInt(0));
      std::string evidence = checksOf.columnText(5);
      if (evidence.find("\"elapsed_ms\"") != std::string::npos)
        evidence = withoutTimings(readJson(evidence)).dump();
      checks.push_back({checksOf.columnText(1),
                        parseStatus(checksOf.columnText(2)).value_or(Status::Error),
                        {checksOf.columnText(3), checksOf.columnText(4)},
                        std::move(evidence),
                        {}});
    }
    checksOf.reset();
    for (std::size_t i = 0; i < checks.size(); ++i) {
      findingsOf.bind(1, checkRows[i]);
      while (findingsOf.step())
        checks[i].findings.push_back({findingsOf.columnText(0),
                                      parseStatus(findingsOf.columnText(1)).value_or(Status::Error),
                                      findingsOf.columnText(2)});
      findingsOf.reset();
    }
    std::vector<ObservedRecord> observed;
    observedOf.bind(1, result.id);
    while (observedOf.step())
      observed.push_back({observedOf.columnText(0), observedOf.columnText(1), observedOf.columnText(2)});
    observedOf.reset();
    const std::int64_t checkSet = checkSetId(checks, result.recorded_at, [&] {
      std::vector<CheckResult> parsed;  // only the evidence and statuses matter to keyFacts
      for (const ContentCheck& c : checks) {
        CheckResult r;
        r.id = c.id;
        r.status = c.status;
        r.evidence = readJson(c.evidence_json);
        parsed.push_back(std::move(r));
      }
      return reports::keyFacts(parsed);
    });
    const std::int64_t observedSet = observedSetId(observed);
    setIds.bind(1, result.id).bind(2, checkSet).bind(3, observedSet).run();
    setIds.reset();
  }
  Statement(db_.get(),
            "INSERT INTO latest_results (domain_id, domain_result_id, run_id, attempt) "
            "SELECT dr.domain_id, dr.id, dr.run_id, dr.attempt FROM latest_domain_results dr "
            "WHERE dr.run_id = (SELECT MAX(x.run_id) FROM domain_results x "
            "WHERE x.domain_id = dr.domain_id)")
      .run();
  std::vector<std::int64_t> complete;
  {
    Statement s(db_.get(), "SELECT id FROM runs WHERE state = 'complete' ORDER BY id");
    while (s.step()) complete.push_back(s.columnInt(0));
  }
  for (std::int64_t run : complete) writeRollup(run);
  storeLogger()->info("results converted to shared content results={} complete_runs={}",
                      results.size(), complete.size());
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
