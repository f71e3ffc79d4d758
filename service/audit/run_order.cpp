// The order in which a national run audits its domains: the ones that could not be told last
// time first, so their timeouts overlap with the bulk of the run instead of making its tail.
#include "service/audit/run_order.hpp"

#include <algorithm>

namespace mh::service {

void putFirst(std::vector<AuditTask>& tasks, const std::set<std::string, std::less<>>& slow_first) {
  if (slow_first.empty()) return;
  std::stable_partition(tasks.begin(), tasks.end(),
                        [&](const AuditTask& t) { return slow_first.count(t.domain) > 0; });
}

std::set<std::string, std::less<>> domainsWithErrorsLastRun(store::ResultStore& store,
                                                            std::int64_t current_run) {
  std::set<std::string, std::less<>> errored;
  const auto previous = store.latestRun(store::RunKind::National);
  if (!previous || previous->id == current_run) return errored;
  for (const auto& row : store.checkStatusesForRun(previous->id))
    if (row.status == Status::Error) errored.insert(row.domain);
  return errored;
}

}  // namespace mh::service
