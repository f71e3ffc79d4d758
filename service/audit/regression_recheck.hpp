// Which domains a national run audits a second time because a check got worse than in the
// previous complete national run (issue 4: regressions are confirmed by a re-check).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "service/store/result_store.hpp"

namespace mh::service {

// Check ID -> status of one domain in the baseline run.
using CheckStatuses = std::map<std::string, Status, std::less<>>;

// The checks of `report` that are worse than in `baseline` (pass -> warn/fail, warn -> fail, as
// reports::isRegression defines it). A check missing from either side is not a regression.
std::vector<std::string> regressedChecks(const CheckStatuses& baseline,
                                         const audit::DomainReport& report);

// The per-domain statuses of a run, from store rows.
std::map<std::string, CheckStatuses, std::less<>> statusesByDomain(
    const std::vector<store::CheckStatusRow>& rows);

// The predicate for AuditRunOptions::recheck: true for a domain with a regressed check against
// the latest complete national run in `store` (read once, now). Empty when there is no such run
// (a first run has nothing to regress from). `current_run` is never used as the baseline.
std::function<bool(const audit::DomainReport&)> regressionRecheck(store::ResultStore& store,
                                                                  std::int64_t current_run);

}  // namespace mh::service
