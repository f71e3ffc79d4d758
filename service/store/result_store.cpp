// Names of run kinds and states, and the stored row of a domain report.
#include "service/store/result_store.hpp"

#include "service/observed_records.hpp"

namespace mh::service::store {

std::string_view toString(RunKind kind) {
  switch (kind) {
    case RunKind::National:
      return "national";
    case RunKind::SelfCheck:
      return "self_check";
  }
  return "national";
}

std::string_view toString(RunState state) {
  switch (state) {
    case RunState::Running:
      return "running";
    case RunState::Complete:
      return "complete";
    case RunState::Interrupted:
      return "interrupted";
  }
  return "running";
}

std::optional<RunKind> parseRunKind(std::string_view text) {
  for (RunKind k : {RunKind::National, RunKind::SelfCheck})
    if (toString(k) == text) return k;
  return std::nullopt;
}

std::optional<RunState> parseRunState(std::string_view text) {
  for (RunState s : {RunState::Running, RunState::Complete, RunState::Interrupted})
    if (toString(s) == text) return s;
  return std::nullopt;
}

DomainReportRow rowFromReport(const audit::DomainReport& report) {
  DomainReportRow row;
  row.domain = report.domain;
  row.exists = report.exists;
  row.profile = report.profile;
  row.started_at = report.started_at;
  row.duration_ms = report.duration_ms;
  row.dns_queries = static_cast<std::int64_t>(report.dns_queries);
  row.checks = report.checks;
  row.observed = observedRecords(report);
  return row;
}

reports::DomainRunResult toDomainRunResult(RunResultRow row, std::int64_t run_id,
                                           reports::DomainInfo info) {
  reports::DomainRunResult r;
  r.info = std::move(info);
  r.info.domain = row.domain;
  r.run_id = run_id;
  r.attempt = row.attempt;
  r.exists = row.exists;
  r.receives_mail = row.receives_mail;
  r.sends_mail = row.sends_mail;
  r.score = row.score;
  r.grade = std::move(row.grade);
  r.tier = std::move(row.tier);
  r.dmarc_phase = std::move(row.dmarc_phase);
  r.statuses = std::move(row.statuses);
  r.facts = std::move(row.facts);
  return r;
}

}  // namespace mh::service::store
