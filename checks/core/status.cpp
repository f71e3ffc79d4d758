// Text names of check statuses as they appear in reports and JSON.
#include "checks/core/status.hpp"

namespace mh {

std::string_view toString(Status s) {
  switch (s) {
    case Status::Na: return "na";
    case Status::Info: return "info";
    case Status::Pass: return "pass";
    case Status::Warn: return "warn";
    case Status::Fail: return "fail";
    case Status::Error: return "error";
  }
  return "error";
}

std::optional<Status> parseStatus(std::string_view text) {
  for (Status s : {Status::Na, Status::Info, Status::Pass, Status::Warn, Status::Fail, Status::Error})
    if (toString(s) == text) return s;
  return std::nullopt;
}

}  // namespace mh
