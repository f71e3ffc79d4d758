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

struct SqliteStoreOptions {
  int busy_timeout_ms = 5000;          // wait this long for another process's write lock
  std::function<std::string()> clock;  // UTC ISO 8601 "now"; the system clock when empty
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

  int schemaVersion();

 private:
  // The cached prepared statement for `sql` (prepared on first use), reset after the use.
  StatementUse prepared(std::string_view sql);
  std::string now() const;
  void insertResult(std::int64_t run_id, const DomainReportRow& row, int& attempt);
  // A JSON text as stored, back as a Json value (parsed by SQLite's json_tree, order kept).
  Json readJson(std::string_view text);

  std::mutex mutex_;
  SqliteStoreOptions options_;
  DbPtr db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace mh::service::store
