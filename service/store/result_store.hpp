// Where audit results are kept: runs, per-domain and per-check results, raw records; append-only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"
#include "reports/trend.hpp"
#include "service/domain_list.hpp"

namespace mh::service::store {

enum class RunKind { National, SelfCheck };
enum class RunState { Running, Complete, Interrupted };

std::string_view toString(RunKind kind);    // "national" | "self_check"
std::string_view toString(RunState state);  // "running" | "complete" | "interrupted"
std::optional<RunKind> parseRunKind(std::string_view text);
std::optional<RunState> parseRunState(std::string_view text);

// A raw record the audit saw, e.g. {"example.gov.vn", "TXT", "v=spf1 mx -all"}.
struct ObservedRecord {
  std::string name;
  std::string type;
  std::string value;
  bool operator==(const ObservedRecord&) const = default;
};

// What is stored of one domain's audit. Score, grade, tier and DMARC phase stay empty until the
// scorer fills them (stored as NULL).
struct DomainReportRow {
  std::string domain;
  bool exists = true;
  DomainProfile profile;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
  std::string started_at;  // UTC, ISO 8601
  double duration_ms = 0;
  std::int64_t dns_queries = 0;
  std::vector<CheckResult> checks;  // in rubric order
  std::vector<ObservedRecord> observed;
};

// The row of a DomainReport: its checks and the records it saw (service/observed_records.hpp);
// the score fields are left for the caller to fill.
DomainReportRow rowFromReport(const audit::DomainReport& report);

struct RunInfo {
  std::int64_t id = 0;
  RunKind kind = RunKind::National;
  RunState state = RunState::Running;
  std::string started_at;
  std::optional<std::string> finished_at;
  std::string rubric_version;
  std::string program_version;
  std::string options_json;
};

// A run and its counts over the latest attempt of each domain.
struct RunSummary {
  RunInfo run;
  std::int64_t domains = 0;   // domains with a result
  std::int64_t existing = 0;  // of which exist in DNS
  std::int64_t scored = 0;    // of which have a score
  std::optional<double> mean_score;
  std::int64_t retried = 0;  // domains with more than one attempt
};

// A stored domain result read back: the row as written (check evidence included) plus its keys.
// Evidence pruned by retention reads back as null, counted in pruned_evidence.
struct StoredDomainResult {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  int attempt = 1;
  DomainReportRow row;
  int pruned_evidence = 0;  // checks whose evidence retention removed
};

// One domain's latest attempt in a run without its evidence: the statuses and the typed facts
// written at audit time (reports::keyFacts of its checks), which is all a report reads.
struct RunResultRow {
  std::string domain;
  int attempt = 1;
  bool exists = true;
  bool receives_mail = true;
  bool sends_mail = true;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
  std::vector<std::pair<std::string, Status>> statuses;  // check id, status; as written
  reports::KeyFacts facts;
};

// The report model's view of a run result row (moved from), with the domain's registry facts.
reports::DomainRunResult toDomainRunResult(RunResultRow row, std::int64_t run_id,
                                           reports::DomainInfo info);

// What is computed once when a run completes: its national metrics (guidance §3.4, the
// populations all, mail and non_mail), the same per category, and its tier counts.
struct RunRollup {
  std::vector<reports::Aggregate> national;  // all, mail, non_mail
  std::vector<reports::Aggregate> by_category;
  std::map<std::string, std::int64_t> tiers;  // "baseline" -> 812; "none" for no tier
};

struct RolledUpRun {
  RunSummary summary;
  RunRollup rollup;
};

// One pass of the retention: evidence not used by any result since `cutoff` was deleted.
struct PruneResult {
  std::string cutoff;
  std::int64_t evidence_rows = 0;
  std::int64_t evidence_bytes = 0;
};

// One point of a domain's history: its latest attempt in one run.
struct DomainHistoryEntry {
  std::int64_t run_id = 0;
  RunKind kind = RunKind::National;
  RunState run_state = RunState::Running;
  std::string run_started_at;
  std::string started_at;  // of the domain's audit
  int attempt = 1;
  bool exists = true;
  bool receives_mail = true;
  bool sends_mail = true;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
  std::vector<std::pair<std::string, Status>> statuses;  // check id, status; rubric order
  std::int64_t observed_set_id = 0;  // equal ids: the same observed records
};

// A domain's newest result over every run (national or self-check): what the overview lists.
struct LatestDomainResult {
  std::string domain;
  std::int64_t run_id = 0;
  RunKind kind = RunKind::National;
  std::string started_at;  // of the domain's audit
  bool exists = true;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
};

struct CheckStatusRow {
  std::string domain;
  std::string check_id;
  Status status = Status::Na;
};

// The values of one (name, type) in two runs, when they differ. Values are sorted.
struct RecordChange {
  std::string name;
  std::string type;
  std::vector<std::string> before;  // in run A (empty: not seen)
  std::vector<std::string> after;   // in run B
};

// The outcome of a write made on behalf of one job: on failure nothing of it was kept.
struct WriteResult {
  bool ok = true;
  std::string error;
  int attempt = 0;  // the attempt number written, when ok
  explicit operator bool() const { return ok; }
};

// The store. Runs and results are append-only: a result is never updated once written. A domain
// audited again in the same run (the in-run re-check of errors) is written as the next attempt,
// and every reader uses the latest attempt, so a completed run has exactly one result per domain.
// Resume: each domain's write is one transaction, so after a kill -9 a domain has its whole
// result or none. A resumed run (unfinishedRun) audits the domains not in domainsDoneInRun, then
// the retries domainsToRetry still lists; a complete run takes no more results.
// Implementations are safe to share between threads.
class ResultStore {
 public:
  virtual ~ResultStore() = default;

  // Starts a run in state running; returns its id. Throws StoreError.
  virtual std::int64_t startRun(RunKind kind, std::string_view rubric_version,
                                std::string_view program_version,
                                std::string_view options_json) = 0;
  // Sets a run's state and finish time. A complete run is final. Throws StoreError.
  virtual void finishRun(std::int64_t run_id, RunState state) = 0;
  // Inserts new domains and updates the details of known ones (matched case-insensitively).
  // Throws StoreError.
  virtual void upsertDomains(const std::vector<DomainEntry>& entries) = 0;
  // Writes one domain's result (result, checks, findings, observed records) in one transaction;
  // on failure nothing is kept and the error is returned. Unknown domains are added.
  [[nodiscard]] virtual WriteResult recordDomainResult(std::int64_t run_id,
                                                       const DomainReportRow& row) = 0;

  // Domains with at least one result in the run (lower case): what --resume skips.
  virtual std::set<std::string> domainsDoneInRun(std::int64_t run_id) = 0;
  // Domains whose latest attempt has a check in error and fewer than max_attempts attempts:
  // what the in-run re-check (or a resumed one) still has to do.
  virtual std::set<std::string> domainsToRetry(std::int64_t run_id, int max_attempts) = 0;
  virtual std::optional<RunInfo> run(std::int64_t run_id) = 0;
  // The newest complete run of a kind.
  virtual std::optional<RunInfo> latestRun(RunKind kind) = 0;
  // The newest run of a kind left running or interrupted (for --resume).
  virtual std::optional<RunInfo> unfinishedRun(RunKind kind) = 0;
  // All runs, oldest first.
  virtual std::vector<RunSummary> runSummaries() = 0;
  // The latest attempt of a domain in a run, read back in full.
  virtual std::optional<StoredDomainResult> domainResult(std::int64_t run_id,
                                                         std::string_view domain) = 0;
  // A domain's latest `limit` runs, newest first.
  virtual std::vector<DomainHistoryEntry> domainHistory(std::string_view domain,
                                                        std::size_t limit) = 0;
  // Every domain's newest result (latest attempt of its newest run), by domain name.
  virtual std::vector<LatestDomainResult> latestDomainResults() = 0;
  // Every (domain, check, status) of a run's latest attempts, by domain then rubric order.
  virtual std::vector<CheckStatusRow> checkStatusesForRun(std::int64_t run_id) = 0;
  // The observed records of a domain that differ between run A and run B, by name then type.
  virtual std::vector<RecordChange> observedRecordChanges(std::string_view domain,
                                                          std::int64_t run_a,
                                                          std::int64_t run_b) = 0;
  // Every known domain with its details from the domain list (dkim selectors included), by
  // name. For reports.
  virtual std::vector<DomainEntry> domainEntries() = 0;

  // Every domain's latest attempt in a run, sorted by domain, with the typed facts written at
  // audit time (no evidence is read).
  virtual std::vector<RunResultRow> runResultRows(std::int64_t run_id) = 0;
  // The rollup of a complete run (computed when it completed); nullopt for other runs.
  virtual std::optional<RunRollup> runRollup(std::int64_t run_id) = 0;
  // Every complete run of a kind with its summary and rollup, oldest first, in one read (the
  // trend: one rollup row a run, no result is read).
  virtual std::vector<RolledUpRun> rolledUpRuns(RunKind kind) = 0;
  // Calls `visit` with each domain (by name) and its history (as domainHistory, oldest first),
  // one domain at a time, so a report over every domain's history holds one in memory.
  virtual void forEachDomainHistory(
      const std::function<void(const std::string& domain,
                               const std::vector<DomainHistoryEntry>& oldest_first)>& visit) = 0;
  // Retention: deletes the evidence no result has used in the last `keep_days` days (statuses,
  // findings, scores, facts and observed records stay) and logs the pass. keep_days <= 0 keeps
  // everything. The only deletion the store makes.
  virtual PruneResult pruneEvidence(int keep_days) = 0;
};

}  // namespace mh::service::store
