// Reading the fields of MTA-STS and TLS-RPT TXT records (RFC 8461 §3.1, RFC 8460 §3).
#include "checks/core/txt_fields.hpp"

#include <algorithm>

#include "checks/core/text.hpp"

namespace mh::txt_fields {

namespace {

using ascii::isAlnum;
using ascii::isWsp;

constexpr std::size_t kMaxExtNameLength = 32;

// ext-value: visible ASCII except "=" and ";".
bool isExtValueChar(char c) {
  return c >= 0x21 && c <= 0x7E && c != '=' && c != ';';
}

bool isExtName(std::string_view s) {
  if (s.empty() || s.size() > kMaxExtNameLength || !isAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

bool beginsWithVersion(std::string_view text, std::string_view version) {
  if (!text.starts_with(version)) return false;
  return text.size() == version.size() || text[version.size()] == ';' ||
         isWsp(text[version.size()]);
}

std::string readFields(
    std::string_view text, std::string_view version, bool wsp_in_values,
    const std::function<std::string(std::string_view name, std::string_view value)>& field) {
  while (!text.empty() && isWsp(text.back())) text.remove_suffix(1);
  // record = version 1*(sep field) [sep]; sep = *WSP %x3B *WSP
  std::size_t pos = version.size();
  while (pos < text.size()) {
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size() || text[pos] != ';') return "fields must be separated by ';'";
    ++pos;
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size()) break;  // the optional trailing separator
    std::size_t end = pos;
    while (end < text.size() && text[end] != ';' && (wsp_in_values || !isWsp(text[end]))) ++end;
    std::string_view f = text.substr(pos, end - pos);
    while (!f.empty() && isWsp(f.back())) f.remove_suffix(1);
    pos += f.size();
    const auto eq = f.find('=');
    if (eq == std::string_view::npos) return "field without '=': " + std::string(f.substr(0, 40));
    if (std::string problem = field(f.substr(0, eq), f.substr(eq + 1)); !problem.empty())
      return problem;
  }
  return "";
}

std::string extensionProblem(std::string_view name, std::string_view value) {
  if (!isExtName(name)) return "bad field name: " + std::string(name.substr(0, 40));
  if (value.empty()) return "empty value for " + std::string(name);
  if (!std::all_of(value.begin(), value.end(), isExtValueChar))
    return "bad character in the value of " + std::string(name);
  return "";
}

}  // namespace mh::txt_fields
