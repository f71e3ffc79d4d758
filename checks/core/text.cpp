// Small text helpers shared by the checks and the reports.
#include "checks/core/text.hpp"

namespace mh {

std::string joined(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

}  // namespace mh
