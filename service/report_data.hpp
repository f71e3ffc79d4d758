// The thin query layer of the reports: store rows turned into the report model of reports/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_tables.hpp"
#include "reports/report_model.hpp"
#include "reports/trend.hpp"
#include "service/store/sqlite_store.hpp"

namespace mh::service {

// The rubric's check IDs in order: the stable status columns of the matrix and history CSVs.
std::vector<std::string> reportCheckIds();

// What the domain list said about every known domain, by name.
std::map<std::string, reports::DomainInfo> domainInfos(store::ResultStore& db);

// Every run, oldest first.
std::vector<reports::RunRef> runRefs(store::ResultStore& db);

// Every domain's latest attempt in a run, with key facts from its evidence, sorted by domain.
std::vector<reports::DomainRunResult> runResults(
    store::ResultStore& db, std::int64_t run_id,
    const std::map<std::string, reports::DomainInfo>& infos);

// A domain's audits, oldest first (every run kind; the latest attempt of each run).
std::vector<reports::StatusSnapshot> statusHistory(store::ResultStore& db,
                                                   const std::string& domain);

// The regressions of a domain over its whole history, record changes included.
std::vector<reports::Regression> regressionsOf(store::ResultStore& db, const std::string& domain);

// One domain's history rows (changes against the previous audit, regressions where found).
std::vector<reports::HistoryRow> historyRows(store::ResultStore& db, const std::string& domain);

// The trend rows of every domain over the complete national runs `runs`.
std::vector<reports::TrendRow> trendRows(store::ResultStore& db,
                                         const std::map<std::string, reports::DomainInfo>& infos);

}  // namespace mh::service
