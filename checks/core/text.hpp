// Small text helpers shared by the checks and the reports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mh {

// The items with `sep` between them ("a, b, c"); an empty string for none. A separator is only
// written after a non-empty start, so leading empty items leave no separator behind.
std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace mh
