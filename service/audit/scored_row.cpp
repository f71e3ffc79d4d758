// Scored rows for the store and reports rebuilt from stored rows.
#include "service/audit/scored_row.hpp"

#include "checks/audit/scoring.hpp"

namespace mh::service {

store::DomainReportRow rowWithScore(const audit::DomainReport& report) {
  auto row = store::rowFromReport(report);
  const auto score = audit::scoreReport(report);
  row.score = score.score;
  if (score.grade) row.grade = std::string(audit::toString(*score.grade));
  row.tier = std::string(audit::toString(score.tier));
  row.dmarc_phase = std::string(audit::toString(score.dmarc_phase));
  return row;
}

audit::DomainReport reportFromRow(const store::DomainReportRow& row, std::string rubric_version) {
  audit::DomainReport report;
  report.domain = row.domain;
  report.exists = row.exists;
  report.profile = row.profile;
  report.checks = row.checks;
  report.rubric_version = std::move(rubric_version);
  report.started_at = row.started_at;
  report.duration_ms = row.duration_ms;
  report.dns_queries = static_cast<std::size_t>(row.dns_queries);
  return report;
}

}  // namespace mh::service
