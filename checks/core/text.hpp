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

// ASCII character classes and case folding for the record parsers (RFC 5234 core rules): one
// copy for every area, locale-free, so that "I" lower-cases to "i" whatever the machine's locale.
namespace mh::ascii {

constexpr bool isWsp(char c) { return c == ' ' || c == '\t'; }  // WSP
constexpr bool isSpace(char c) { return isWsp(c) || c == '\r' || c == '\n'; }  // WSP, CR, LF
constexpr bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool isDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool isAlnum(char c) { return isAlpha(c) || isDigit(c); }
constexpr bool isHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr char lower(char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` with every ASCII upper-case letter lowered; other bytes (UTF-8 included) unchanged.
std::string lower(std::string_view s);
// Equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
// `s` without leading and trailing WSP (space, tab).
std::string_view trimWsp(std::string_view s);
// `s` without leading and trailing space, tab, CR and LF.
std::string_view trim(std::string_view s);

}  // namespace mh::ascii
