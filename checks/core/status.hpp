// Check status: the verdict vocabulary shared by every check, ordered on purpose.
#pragma once

#include <optional>
#include <string_view>

namespace mh {

// The order is significant (as Unbound's sec_status): later values need more attention, so the
// status of a check is the maximum of its findings' statuses.
//  - Na:    the check does not apply to this domain's profile (left out of the score).
//  - Info:  an observation that neither earns nor loses points.
//  - Pass, Warn, Fail: the rubric verdicts (guidance.md §3.2).
//  - Error: we could not tell (timeout, SERVFAIL, REFUSED, network error). It ranks above Fail
//    because a verdict built on incomplete evidence must never be published as a failure; an
//    error is kept apart, retried and left out of the score.
enum class Status { Na = 0, Info = 1, Pass = 2, Warn = 3, Fail = 4, Error = 5 };

constexpr Status worst(Status a, Status b) { return a < b ? b : a; }

std::string_view toString(Status s);
std::optional<Status> parseStatus(std::string_view text);

}  // namespace mh
