// Tests for the store's migration 0002-0003: a store written by schema 0001 is upgraded on open
// and every result in it is found again, now in shared content with typed facts and rollups.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "reports/report_model.hpp"
#include "service/store/schema.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service::store {
namespace {

namespace fs = std::filesystem;

class TempDb {
 public:
  TempDb() {
    static std::atomic<int> counter{0};
    path_ = (fs::temp_directory_path() / ("mh_upgrade_test_" + std::to_string(::getpid()) + "_" +
                                          std::to_string(counter++) + ".db"))
                .string();
    removeAll();
  }
  ~TempDb() { removeAll(); }
  const std::string& path() const { return path_; }

 private:
  void removeAll() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  std::string path_;
};

std::int64_t scalar(sqlite3* db, const std::string& sql) {
  Statement s(db, sql);
  return s.step() ? s.columnInt(0) : -1;
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

// A store of schema 0001 as the program before 0002 wrote it: the 0001 script, then each
// result with the INSERTs of that program's SqliteStore::insertResult.
class StoreOf0001 {
 public:
  explicit StoreOf0001(const std::string& path) : db_(openDatabase(path)) {
    exec("PRAGMA synchronous = OFF");
    exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
         "applied_at TEXT NOT NULL)");
    exec(std::string(migrations()[0].sql));
    exec("INSERT INTO schema_version VALUES (1, '0001_initial', '2026-01-01T00:00:00.000Z')");
  }
  std::int64_t startRun(const std::string& kind, const std::string& started_at) {
    Statement s(db_.get(),
                "INSERT INTO runs (kind, started_at, state, rubric_version, program_version, "
                "options_json) VALUES (?1, ?2, 'running', 'rubric-1', '0.1.0', '{}')");
    s.bind(1, kind).bind(2, started_at).run();
    return sqlite3_last_insert_rowid(db_.get());
  }
  void complete(std::int64_t run) {
    exec("UPDATE runs SET state = 'complete', finished_at = '2026-01-02T00:00:00.000Z' "
         "WHERE id = " +
         std::to_string(run));
  }
  void write(std::int64_t run, const DomainReportRow& row, const std::string& stamp) {
    Statement(db_.get(),
              "INSERT INTO domains (name, first_seen, updated_at) VALUES (?1, ?2, ?2) "
              "ON CONFLICT (name) DO NOTHING")
        .bind(1, row.domain)
        .bind(2, stamp)
        .run();
    Statement id(db_.get(), "SELECT id FROM domains WHERE name = ?1");
    id.bind(1, row.domain).step();
    const std::int64_t domain = id.columnInt(0);
    Statement next(db_.get(),
                   "SELECT COALESCE(MAX(attempt), 0) + 1 FROM domain_results "
                   "WHERE run_id = ?1 AND domain_id = ?2");
    next.bind(1, run).bind(2, domain).step();
    const std::int64_t attempt = next.columnInt(0);
    Json reasons = Json::array();
    for (const auto& r : row.profile.reasons) reasons.push(r);
    Statement result(
        db_.get(),
        "INSERT INTO domain_results (run_id, domain_id, attempt, domain_exists, receives_mail, "
        "sends_mail, profile_reasons_json, score, grade, tier, dmarc_phase, started_at, "
        "duration_ms, dns_queries, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    result.bind(1, run).bind(2, domain).bind(3, attempt).bindBool(4, row.exists);
    result.bindBool(5, row.profile.receives_mail).bindBool(6, row.profile.sends_mail);
    result.bind(7, reasons.dump()).bind(8, row.score).bind(9, row.grade).bind(10, row.tier);
    result.bind(11, row.dmarc_phase).bind(12, row.started_at).bind(13, row.duration_ms);
    result.bind(14, row.dns_queries).bind(15, stamp).run();
    const std::int64_t resultId = sqlite3_last_insert_rowid(db_.get());
    for (const CheckResult& c : row.checks) {
      Statement check(db_.get(),
                      "INSERT INTO check_results (domain_result_id, check_id, status, "
                      "remediation_vi, remediation_en, evidence_json) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      check.bind(1, resultId).bind(2, c.id).bind(3, toString(c.status));
      check.bind(4, c.remediation.vi).bind(5, c.remediation.en).bind(6, c.evidence.dump()).run();
      const std::int64_t checkId = sqlite3_last_insert_rowid(db_.get());
      for (const Finding& f : c.findings) {
        Statement finding(db_.get(),
                          "INSERT INTO findings (check_result_id, tag, status, args_json) "
                          "VALUES (?1, ?2, ?3, ?4)");
        finding.bind(1, checkId).bind(2, f.tag).bind(3, toString(f.status));
        finding.bind(4, argsJson(f)).run();
      }
    }
    for (const ObservedRecord& r : row.observed) {
      Statement observed(db_.get(),
                         "INSERT INTO observed_records (domain_result_id, name, type, value) "
                         "VALUES (?1, ?2, ?3, ?4)");
      observed.bind(1, resultId).bind(2, r.name).bind(3, r.type).bind(4, r.value).run();
    }
  }

 private:
  void exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  }
  DbPtr db_;
};

CheckResult check(std::string id, Status status, Json evidence = Json()) {
  CheckResult r;
  r.id = std::move(id);
  r.status = status;
  r.evidence = std::move(evidence);
  return r;
}

// A result with facts in its evidence (SPF all, DMARC policy and rua, TLS versions).
DomainReportRow row(const std::string& domain, const std::string& dmarcPolicy, double score,
                    Status tls) {
  DomainReportRow r;
  r.domain = domain;
  r.profile.receives_mail = true;
  r.profile.sends_mail = true;
  r.profile.reasons = {"has MX"};
  r.score = score;
  r.grade = score >= 80 ? "B" : "D";
  r.tier = score >= 80 ? "baseline" : "partial";
  r.dmarc_phase = dmarcPolicy;
  r.started_at = "2026-01-01T01:00:00Z";
  r.duration_ms = 321.5;
  r.dns_queries = 17;
  CheckResult spf = check("SPF-02", Status::Pass,
                          Json::object({{"policy", Json::object({{"effective_all", "-all"}})}}));
  r.checks.push_back(spf);
  CheckResult dmarc = check(
      "DMARC-02", dmarcPolicy == "reject" ? Status::Pass : Status::Warn,
      Json::object({{"record",
                     Json::object({{"parse", Json::object({{"usable", true},
                                                           {"policy", dmarcPolicy},
                                                           {"tags", Json::object({{"rua",
                                                                                   "mailto:d@"
                                                                                   "x.vn"}})}})}})}}));
  if (dmarcPolicy != "reject") {
    dmarc.add(makeFinding("DMARC_POLICY_NOT_REJECT", Status::Warn).arg("policy", dmarcPolicy));
    dmarc.remediation = {"Đặt p=reject.", "Set p=reject."};
  }
  r.checks.push_back(dmarc);
  Json versions = Json::array();
  versions.push(Json::object({{"version", "TLSv1.0"},
                              {"support", tls == Status::Fail ? "accepted" : "rejected"}}));
  versions.push(Json::object({{"version", "TLSv1.2"}, {"support", "accepted"}}));
  r.checks.push_back(check(
      "TLS-02", tls,
      Json::object({{"hosts", Json(Json::Array{Json::object(
                                  {{"addresses",
                                    Json(Json::Array{Json::object(
                                        {{"enumeration", Json::object({{"versions", versions}})}})})}})})}})));
  r.checks.push_back(check("TLS-01", Status::Error));
  r.checks.back().add(makeFinding("TLS_TIMEOUT", Status::Error).arg("seconds", std::int64_t{10}));
  r.observed = {{domain, "TXT", "v=spf1 mx -all"},
                {"_dmarc." + domain, "TXT", "v=DMARC1; p=" + dmarcPolicy}};
  return r;
}

TEST(StoreUpgrade, AStoreOf0001IsUpgradedOnOpenAndEveryResultIsFound) {
  TempDb db;
  std::vector<std::tuple<std::int64_t, DomainReportRow, int>> written;  // run, row, attempt
  std::int64_t runs[3] = {0, 0, 0};
  {
    StoreOf0001 old(db.path());
    runs[0] = old.startRun("national", "2026-01-01T00:00:00.000Z");
    runs[1] = old.startRun("national", "2026-01-02T00:00:00.000Z");
    runs[2] = old.startRun("self_check", "2026-01-03T00:00:00.000Z");
    const std::pair<std::int64_t, DomainReportRow> results[] = {
        {runs[0], row("a.gov.vn", "reject", 90, Status::Pass)},
        {runs[0], row("b.gov.vn", "none", 40, Status::Fail)},
        {runs[0], row("b.gov.vn", "none", 42, Status::Fail)},  // its re-check: attempt 2
        {runs[1], row("a.gov.vn", "reject", 90, Status::Pass)},  // unchanged
        {runs[1], row("b.gov.vn", "quarantine", 60, Status::Fail)},
        {runs[2], row("a.gov.vn", "none", 50, Status::Pass)},
    };
    std::map<std::pair<std::int64_t, std::string>, int> attempts;
    for (const auto& [run, r] : results) {
      old.write(run, r, "2026-01-0" + std::to_string(run) + "T02:00:00.000Z");
      written.emplace_back(run, r, ++attempts[{run, r.domain}]);
    }
    old.complete(runs[0]);
    old.complete(runs[1]);
    old.complete(runs[2]);
  }

  SqliteStore store(db.path());
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  for (const auto& [run, r, attempt] : written) {
    const auto stored = store.domainResult(run, r.domain);
    ASSERT_TRUE(stored) << r.domain << " run " << run;
    const bool latest = std::none_of(written.begin(), written.end(), [&](const auto& w) {
      return std::get<0>(w) == run && std::get<1>(w).domain == r.domain && std::get<2>(w) > attempt;
    });
    if (!latest) continue;  // readers see the latest attempt of a run
    EXPECT_EQ(stored->attempt, attempt);
    EXPECT_EQ(stored->pruned_evidence, 0);
    const DomainReportRow& back = stored->row;
    EXPECT_EQ(back.score, r.score);
    EXPECT_EQ(back.tier, r.tier);
    EXPECT_EQ(back.profile.reasons, r.profile.reasons);
    EXPECT_EQ(back.started_at, r.started_at);
    ASSERT_EQ(back.checks.size(), r.checks.size());
    for (std::size_t i = 0; i < r.checks.size(); ++i)
      EXPECT_EQ(toJson(back.checks[i]).dump(), toJson(r.checks[i]).dump()) << r.checks[i].id;
    EXPECT_EQ(back.observed, r.observed);
  }
  // Every result row kept (attempts included), all pointing at shared content.
  DbPtr raw = openDatabase(db.path());
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(*) FROM domain_results"),
            static_cast<std::int64_t>(written.size()));
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(*) FROM domain_results WHERE check_set_id IS NULL "
                              "OR observed_set_id IS NULL"),
            0);
  // a.gov.vn's unchanged second national result shares the first's checks and records.
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(DISTINCT check_set_id) FROM domain_results dr "
                              "JOIN domains d ON d.id = dr.domain_id WHERE d.name = 'a.gov.vn' "
                              "AND dr.run_id IN (1, 2)"),
            1);
  // The same remediation text is kept once for b.gov.vn's three results.
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(*) FROM remediations"), 1);
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                              "('check_results', 'findings', 'observed_records')"),
            0);

  // The typed facts, as keyFacts read them from the evidence.
  const auto rows = store.runResultRows(runs[0]);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].domain, "a.gov.vn");
  EXPECT_EQ(rows[0].facts.spf_all, "-all");
  EXPECT_EQ(rows[0].facts.dmarc_policy, "reject");
  EXPECT_TRUE(rows[0].facts.dmarc_rua);
  EXPECT_EQ(rows[0].facts.lowest_tls, "TLSv1.2");
  EXPECT_FALSE(rows[0].facts.weak_tls);
  EXPECT_EQ(rows[1].domain, "b.gov.vn");
  EXPECT_EQ(rows[1].attempt, 2);
  EXPECT_EQ(rows[1].score, 42);
  EXPECT_EQ(rows[1].facts.dmarc_policy, "none");
  EXPECT_EQ(rows[1].facts.lowest_tls, "TLSv1.0");
  const auto expected = reports::keyFacts(std::get<1>(written[2]).checks);
  EXPECT_EQ(rows[1].facts.lowest_tls, expected.lowest_tls);
  EXPECT_EQ(rows[1].facts.tls_enumerated, expected.tls_enumerated);

  // Rollups of the complete runs, computed at the upgrade.
  const auto summaries = store.runSummaries();
  ASSERT_EQ(summaries.size(), 3u);
  EXPECT_EQ(summaries[0].domains, 2);
  EXPECT_EQ(summaries[0].retried, 1);
  EXPECT_DOUBLE_EQ(*summaries[0].mean_score, 66);
  const auto rollup = store.runRollup(runs[0]);
  ASSERT_TRUE(rollup);
  ASSERT_EQ(rollup->national.size(), 3u);
  EXPECT_EQ(rollup->national[0].domains, 2);
  EXPECT_EQ(rollup->tiers.at("baseline"), 1);
  EXPECT_EQ(rollup->tiers.at("partial"), 1);

  // The newest result of each domain, and its history.
  const auto latest = store.latestDomainResults();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].run_id, runs[2]);  // a.gov.vn's self-check
  EXPECT_EQ(latest[1].run_id, runs[1]);
  EXPECT_EQ(latest[1].score, 60);
  const auto history = store.domainHistory("b.gov.vn", 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].attempt, 2);
  ASSERT_EQ(history[1].statuses.size(), 4u);
  EXPECT_EQ(history[1].statuses[3], (std::pair<std::string, Status>{"TLS-01", Status::Error}));
  EXPECT_EQ(store.domainsToRetry(runs[1], 2), (std::set<std::string>{"a.gov.vn", "b.gov.vn"}));
  const auto changes = store.observedRecordChanges("b.gov.vn", runs[0], runs[1]);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].after, std::vector<std::string>{"v=DMARC1; p=quarantine"});

  // New results after the upgrade share what the converted ones stored.
  const auto next = store.startRun(RunKind::National, "rubric-1", "0.2.0", "{}");
  ASSERT_TRUE(store.recordDomainResult(next, row("a.gov.vn", "reject", 90, Status::Pass)));
  EXPECT_EQ(scalar(raw.get(), "SELECT COUNT(DISTINCT check_set_id) FROM domain_results dr "
                              "JOIN domains d ON d.id = dr.domain_id WHERE d.name = 'a.gov.vn' "
                              "AND dr.run_id IN (1, 2, 4)"),
            1);
}

}  // namespace
}  // namespace mh::service::store
