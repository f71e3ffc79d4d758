// Which domains of a national run are expected to be slow: the ones that could not be told last
// time.
#include "service/audit/run_order.hpp"

namespace mh::service {

void expectSlow(std::vector<AuditTask>& tasks, const std::set<std::string, std::less<>>& slow) {
  for (auto& t : tasks) t.expect_slow = slow.count(t.domain) > 0;
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
