// The ResultStore on one SQLite file: WAL, foreign keys, migrations on open, prepared statements.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "service/store/result_store.hpp"
#include "service/store/sqlite_handle.hpp"

namespace mh::service::store {

// The retention's default: raw evidence not used by any result for this many days is pruned.
inline constexpr int kDefaultKeepEvidenceDays = 90;

struct SqliteStoreOptions {
  int busy_timeout_ms = 5000;          // wait this long for another process's write lock
  std::function<std::string()> clock;  // UTC ISO 8601 "now"; the system clock when empty
  // The automatic retention pass after each complete national run (pruneEvidence); 0: none.
  int keep_evidence_days = kDefaultKeepEvidenceDays;
};

// Thread safety: one connection guarded by one mutex, so calls from several threads are
// serialised (SQLite has one writer anyway; a domain's write is a few milliseconds). Other
// processes (a report command) may read the same file at the same time thanks to WAL.
class SqliteStore final : public ResultStore {
 public:
  // Opens (creating when missing) and migrates; ":memory:" for tests. Throws StoreError when
  // the file cannot be opened, a migration fails or the database is newer than the program.
  explicit SqliteStore(const std::string& path, SqliteStoreOptions options = {});
  ~SqliteStore() override;

  std::int64_t startRun(RunKind kind, std::string_view rubric_version,
                        std::string_view program_version, std::string_view options_json) override;
  void finishRun(std::int64_t run_id, RunState state) override;
  void upsertDomains(const std::vector<DomainEntry>& entries) override;
  [[nodiscard]] WriteResult recordDomainResult(std::int64_t run_id,
                                               const DomainReportRow& row) override;

  std::set<std::string> domainsDoneInRun(std::int64_t run_id) override;
  std::set<std::string> domainsToRetry(std::int64_t run_id, int max_attempts) override;
  std::optional<RunInfo> run(std::int64_t run_id) override;
  std::optional<RunInfo> latestRun(RunKind kind) override;
  std::optional<RunInfo> unfinishedRun(RunKind kind) override;
  std::vector<RunSummary> runSummaries() override;
  std::optional<StoredDomainResult> domainResult(std::int64_t run_id,
                                                 std::string_view domain) override;
  std::vector<DomainHistoryEntry> domainHistory(std::string_view domain,
                                                std::size_t limit) override;
  std::vector<LatestDomainResult> latestDomainResults() override;
  std::vector<CheckStatusRow> checkStatusesForRun(std::int64_t run_id) override;
  std::vector<RecordChange> observedRecordChanges(std::string_view domain, std::int64_t run_a,
                                                  std::int64_t run_b) override;

  std::vector<DomainEntry> domainEntries() override;
  std::vector<RunResultRow> runResultRows(std::int64_t run_id) override;
  std::optional<RunRollup> runRollup(std::int64_t run_id) override;
  std::vector<RolledUpRun> rolledUpRuns(RunKind kind) override;
  void forEachDomainHistory(
      const std::function<void(const std::string&, const std::vector<DomainHistoryEntry>&)>& visit)
      override;
  PruneResult pruneEvidence(int keep_days) override;

  int schemaVersion();
  // Opened read-only ("file:...?mode=ro", or a file the process may not write): reads work,
  // every write fails with a StoreError.
  bool readOnly() const { return read_only_; }
  // VACUUM: gives the pages freed by pruning back to the file system (store compact).
  void vacuum();

 private:
  // The cached prepared statement for `sql` (prepared on first use), reset after the use.
  StatementUse prepared(std::string_view sql);
  std::string now() const;
  void insertResult(std::int64_t run_id, const DomainReportRow& row, int& attempt);

  // The shared content (0002): each returns the id of the row with that content, written
  // when new. `stamp` is the time of the result that uses it.
  struct ContentCheck;
  std::int64_t evidenceId(const std::string& json, std::string_view stamp);
  std::optional<std::int64_t> remediationId(const Remediation& remediation);
  std::int64_t checkSetId(const std::vector<ContentCheck>& checks, std::string_view stamp,
                          const std::function<reports::KeyFacts()>& facts);
  std::int64_t observedSetId(const std::vector<ObservedRecord>& records);
  void updateLatest(std::int64_t domain_id, std::int64_t result_id, std::int64_t run_id,
                    int attempt);
  // Without the mutex (callers hold it).
  std::vector<RunResultRow> resultRows(std::int64_t run_id);
  std::vector<std::pair<std::string, Status>> statusesOf(std::int64_t check_set_id,
                                                         const std::string& text);
  void writeRollup(std::int64_t run_id);
  std::optional<RunRollup> readRollup(std::int64_t run_id);
  PruneResult prune(int keep_days);
  PruneResult pruneInTransaction(int keep_days);
  void logPrune(int keep_days, const PruneResult& result);
  // Migration 0002: the results of 0001 into the shared tables, rollups of complete runs.
  void convertResultsOf0001();

  std::mutex mutex_;
  SqliteStoreOptions options_;
  DbPtr db_;
  bool read_only_ = false;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  // Decoded check_sets.statuses by check set id (check sets never change).
  std::unordered_map<std::int64_t, std::vector<std::pair<std::string, Status>>> statuses_;
};

}  // namespace mh::service::store
