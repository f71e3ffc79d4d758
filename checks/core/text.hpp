// Small text helpers shared by the checks and the reports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mh {

// The items with `sep` between them ("a, b, c"); an empty string for none. A separator is only
// written after a non-empty start, so leading empty items leave no separator behind.
std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ");

// The next code point of UTF-8 `text` at `at` (advanced past it); U+FFFD for a malformed
// sequence. `at` must be below text.size().
char32_t nextCodePoint(std::string_view text, std::size_t& at);

}  // namespace mh
