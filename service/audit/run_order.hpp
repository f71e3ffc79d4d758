// Which domains of a national run are expected to be slow: the ones that could not be told last
// time start first on threads of their own, so their timeouts overlap with the bulk of the run
// instead of making its tail.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "service/audit/audit_runner.hpp"
#include "service/store/result_store.hpp"

namespace mh::service {

// Marks the tasks whose domain is in `slow` (AuditTask::expect_slow) and clears the others. Pure.
void expectSlow(std::vector<AuditTask>& tasks, const std::set<std::string, std::less<>>& slow);

// The domains with a check in `error` (a timeout, SERVFAIL, an MX that could not be reached) in
// the latest complete national run of `store` other than `current_run`; empty when there is none.
// Such a domain most likely costs a whole timeout budget again, and then its re-check
// one more: started at once on its own thread, the first budget is spent while the others are
// audited.
std::set<std::string, std::less<>> domainsWithErrorsLastRun(store::ResultStore& store,
                                                            std::int64_t current_run);

}  // namespace mh::service
