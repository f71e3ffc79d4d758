// Regression re-check selection: compare a fresh report with the previous national run.
#include "service/audit/regression_recheck.hpp"

#include <memory>

#include "reports/trend.hpp"

namespace mh::service {

std::vector<std::string> regressedChecks(const CheckStatuses& baseline,
                                         const audit::DomainReport& report) {
  std::vector<std::string> out;
  for (const auto& check : report.checks) {
    const auto before = baseline.find(check.id);
    if (before != baseline.end() && reports::isRegression(before->second, check.status))
      out.push_back(check.id);
  }
  return out;
}

std::map<std::string, CheckStatuses, std::less<>> statusesByDomain(
    const std::vector<store::CheckStatusRow>& rows) {
  std::map<std::string, CheckStatuses, std::less<>> out;
  for (const auto& row : rows) out[row.domain][row.check_id] = row.status;
  return out;
}

std::function<bool(const audit::DomainReport&)> regressionRecheck(store::ResultStore& store,
                                                                  std::int64_t current_run) {
  const auto baselineRun = store.latestRun(store::RunKind::National);
  if (!baselineRun || baselineRun->id == current_run) return {};
  auto baseline = std::make_shared<const std::map<std::string, CheckStatuses, std::less<>>>(
      statusesByDomain(store.checkStatusesForRun(baselineRun->id)));
  return [baseline](const audit::DomainReport& report) {
    const auto it = baseline->find(report.domain);
    return it != baseline->end() && !regressedChecks(it->second, report).empty();
  };
}

}  // namespace mh::service
