// Report queries: runs, a run's results with key facts, domain histories, regressions and trends.
#include "service/report_data.hpp"

#include <algorithm>

#include "checks/core/rubric.hpp"

namespace mh::service {

namespace {

constexpr std::size_t kAllRuns = 1'000'000;

// A domain's history entries, oldest first.
std::vector<store::DomainHistoryEntry> entriesOldestFirst(store::ResultStore& db,
                                                          const std::string& domain) {
  auto entries = db.domainHistory(domain, kAllRuns);
  std::reverse(entries.begin(), entries.end());
  return entries;
}

reports::StatusSnapshot snapshotOf(const store::DomainHistoryEntry& e) {
  reports::StatusSnapshot s;
  s.run_id = e.run_id;
  s.kind = std::string(store::toString(e.kind));
  s.state = std::string(store::toString(e.run_state));
  s.started_at = e.started_at;
  s.attempt = e.attempt;
  s.statuses = e.statuses;
  return s;
}

std::vector<reports::RecordChange> recordChanges(store::ResultStore& db, const std::string& domain,
                                                 std::int64_t a, std::int64_t b) {
  std::vector<reports::RecordChange> out;
  for (auto& c : db.observedRecordChanges(domain, a, b))
    out.push_back({std::move(c.name), std::move(c.type), std::move(c.before), std::move(c.after)});
  return out;
}

std::vector<reports::Regression> regressionsFrom(store::ResultStore& db, const std::string& domain,
                                                 const std::vector<reports::StatusSnapshot>& h) {
  return reports::domainRegressions(
      domain, h, [&](std::int64_t a, std::int64_t b) { return recordChanges(db, domain, a, b); });
}

}  // namespace

std::vector<std::string> reportCheckIds() {
  std::vector<std::string> ids;
  for (const auto& entry : rubric()) ids.emplace_back(entry.id);
  return ids;
}

std::map<std::string, reports::DomainInfo> domainInfos(store::ResultStore& db) {
  std::map<std::string, reports::DomainInfo> out;
  for (auto& e : db.domainEntries())
    out[e.domain] = {e.domain, e.agency_vi, e.agency_en, e.category, e.group, e.legacy};
  return out;
}

std::vector<reports::RunRef> runRefs(store::ResultStore& db) {
  std::vector<reports::RunRef> out;
  for (const auto& s : db.runSummaries())
    out.push_back({s.run.id, std::string(store::toString(s.run.kind)),
                   std::string(store::toString(s.run.state)), s.run.started_at});
  return out;
}

std::vector<reports::DomainRunResult> runResults(
    store::ResultStore& db, std::int64_t run_id,
    const std::map<std::string, reports::DomainInfo>& infos) {
  std::vector<reports::DomainRunResult> out;
  for (auto& row : db.runResultRows(run_id)) {  // sorted by domain
    reports::DomainInfo info;
    if (auto it = infos.find(row.domain); it != infos.end()) info = it->second;
    out.push_back(store::toDomainRunResult(std::move(row), run_id, std::move(info)));
  }
  return out;
}

std::vector<reports::StatusSnapshot> statusHistory(store::ResultStore& db,
                                                   const std::string& domain) {
  std::vector<reports::StatusSnapshot> out;
  for (const auto& e : entriesOldestFirst(db, domain)) out.push_back(snapshotOf(e));
  return out;
}

std::vector<reports::Regression> regressionsOf(store::ResultStore& db, const std::string& domain) {
  return regressionsFrom(db, domain, statusHistory(db, domain));
}

std::vector<reports::HistoryRow> historyRows(store::ResultStore& db, const std::string& domain) {
  const auto entries = entriesOldestFirst(db, domain);
  std::vector<reports::StatusSnapshot> snapshots;
  for (const auto& e : entries) snapshots.push_back(snapshotOf(e));
  const auto regressions = regressionsFrom(db, domain, snapshots);
  std::vector<reports::HistoryRow> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    reports::HistoryRow h;
    h.snapshot = snapshots[i];
    h.score = entries[i].score;
    h.grade = entries[i].grade;
    h.tier = entries[i].tier;
    h.dmarc_phase = entries[i].dmarc_phase;
    if (i > 0 && entries[i - 1].observed_set_id != entries[i].observed_set_id)
      h.changes = recordChanges(db, domain, entries[i - 1].run_id, entries[i].run_id);
    for (const auto& r : regressions)
      if (r.run_after == entries[i].run_id) h.regressions.push_back(r);
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<reports::TrendRow> trendRows(store::ResultStore& db,
                                         const std::map<std::string, reports::DomainInfo>& infos) {
  std::vector<reports::TrendRow> out;
  db.forEachDomainHistory([&](const std::string& domain, const auto& entries) {
    const auto info = infos.find(domain);
    if (info == infos.end()) return;
    reports::TrendRow row;
    row.info = info->second;
    std::vector<reports::StatusSnapshot> snapshots;
    for (const auto& e : entries) {
      snapshots.push_back(snapshotOf(e));
      if (e.kind == store::RunKind::National && e.run_state == store::RunState::Complete) {
        row.scores[e.run_id] = e.score;
        auto& errored = row.errored_checks[e.run_id];
        for (const auto& [check, status] : snapshots.back().statuses)
          if (status == Status::Error) errored.push_back(check);
      }
    }
    // The store is busy with the walk: the record changes are read after it.
    row.regressions = reports::domainRegressions(domain, snapshots);
    out.push_back(std::move(row));
  });
  for (auto& row : out) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<reports::RecordChange>> changes;
    for (auto& r : row.regressions) {
      const auto key = std::make_pair(r.run_before, r.run_after);
      auto it = changes.find(key);
      if (it == changes.end())
        it = changes.emplace(key, recordChanges(db, row.info.domain, key.first, key.second)).first;
      for (const auto& c : it->second)
        if (reports::explains(c, r.check_id, row.info.domain)) r.record_changes.push_back(c);
    }
  }
  return out;
}

}  // namespace mh::service
