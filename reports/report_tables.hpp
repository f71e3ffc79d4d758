// The reports (national run, check matrix, group summary, trend, regressions, domain history) as
// typed rows for a RowWriter: the CSV and the XLSX of a report are the same rows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reports/report_model.hpp"
#include "reports/report_rows.hpp"
#include "reports/trend.hpp"

namespace mh::reports {

// Each writes the header, then the rows, to `out` (CsvWriter: UTF-8 with BOM, RFC 4180 quoting,
// CRLF, formula cells neutralised; XlsxWriter: numbers, dates, text). Column names are stable
// (reports/CSV_COLUMNS.md); new columns are only appended.

// (a) One row per domain of a run, sorted by domain.
std::vector<std::string> nationalColumns();
void writeNational(RowWriter& out, std::vector<DomainRunResult> results);

// (b) domain x check ID -> status. `check_ids` are the columns (the rubric's IDs, in order).
std::vector<std::string> matrixColumns(const std::vector<std::string>& check_ids);
void writeMatrix(RowWriter& out, std::vector<DomainRunResult> results,
                 const std::vector<std::string>& check_ids);

// (c) The §3.4 metrics of a run: national rows then each group's, for all, mail and non_mail.
std::vector<std::string> groupsColumns();
void writeGroups(RowWriter& out, std::int64_t run_id, GroupBy by,
                 const std::vector<Aggregate>& aggregates);

// (d) domain x run -> score, with the latest change and every regression of the domain.
struct TrendRow {
  DomainInfo info;
  std::map<std::int64_t, std::optional<double>> scores;  // run id -> score (absent: no result)
  std::vector<Regression> regressions;
  // Run ID -> checks in `error` in the domain's result of that complete national run (an entry
  // for every such run it has a result in): the unreachable_checks column (unreachableChecks).
  std::map<std::int64_t, std::vector<std::string>> errored_checks;
};
std::vector<std::string> trendColumns(const std::vector<RunRef>& runs);
void writeTrend(RowWriter& out, const std::vector<RunRef>& runs, const std::vector<TrendRow>& rows);

// Every regression, one row each.
std::vector<std::string> regressionsColumns();
void writeRegressions(RowWriter& out, const std::vector<Regression>& regressions,
                      const std::map<std::string, DomainInfo>& infos);

// (e) One domain's history, oldest run first.
struct HistoryRow {
  StatusSnapshot snapshot;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
  std::vector<RecordChange> changes;    // against the previous row (empty for the first)
  std::vector<Regression> regressions;  // found at this run
};
std::vector<std::string> historyColumns(const std::vector<std::string>& check_ids);
void writeHistory(RowWriter& out, const std::string& domain, const std::vector<HistoryRow>& rows,
                  const std::vector<std::string>& check_ids);

}  // namespace mh::reports
