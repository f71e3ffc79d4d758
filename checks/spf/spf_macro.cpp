// SPF macro expansion (RFC 7208 §7).
#include "checks/spf/spf_macro.hpp"
#include "checks/core/text.hpp"

#include <algorithm>
#include <vector>

namespace mh::spf {
namespace {

constexpr std::string_view kDelimiters = ".-+,/_=";
constexpr std::size_t kMaxDomainLength = 253;

using ascii::isDigit;
using ascii::isUpper;
using ascii::lower;

// RFC 7208 §7.1: macro-letter; c, r and t only in explanation strings.
bool letterAllowed(char letter, MacroScope scope) {
  switch (lower(letter)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
      return true;
    case 'c':
    case 'r':
    case 't':
      return scope == MacroScope::Explanation;
    default:
      return false;
  }
}

// One parsed "%{...}" body.
struct MacroSpec {
  char letter = 0;
  std::size_t digits = 0;  // 0 = all parts
  bool reverse = false;
  std::string delimiters;
};

// Parses the body between "%{" and "}" (exclusive). Returns "" or the error.
std::string parseBody(std::string_view body, MacroScope scope, MacroSpec& out) {
  if (body.empty()) return "empty macro";
  out.letter = body[0];
  if (!letterAllowed(out.letter, scope)) {
    return std::string("macro letter '") + out.letter + "' not allowed here";
  }
  std::size_t i = 1;
  if (i < body.size() && isDigit(body[i])) {
    std::size_t value = 0;
    while (i < body.size() && isDigit(body[i])) {
      value = std::min<std::size_t>(value * 10 + static_cast<std::size_t>(body[i] - '0'), 1000);
      ++i;
    }
    // §7.3: "If a DIGIT is specified, the value MUST be nonzero."
    if (value == 0) return "zero digit transformer";
    out.digits = value;
  }
  if (i < body.size() && lower(body[i]) == 'r') {
    out.reverse = true;
    ++i;
  }
  for (; i < body.size(); ++i) {
    if (kDelimiters.find(body[i]) == std::string_view::npos) {
      return std::string("invalid macro delimiter '") + body[i] + "'";
    }
    out.delimiters.push_back(body[i]);
  }
  return {};
}

std::string ipDotted(const IpAddress& ip) {
  if (!ip.v6) return ip.toString();
  // §7.3: IPv6 "i" is the dot-format of the 32 nibbles. Upper-case hex digits, as the OpenSPF
  // suite's v-macro-ip6 explanation expects; DNS names are case-insensitive anyway.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::uint8_t b : ip.bytes) {
    if (!out.empty()) out.push_back('.');
    out.push_back(kHex[b >> 4]);
    out.push_back('.');
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string letterValue(char letter, const MacroContext& ctx) {
  switch (lower(letter)) {
    case 's':
      return ctx.sender;
    case 'l':
      return ctx.local_part;
    case 'o':
      return ctx.sender_domain;
    case 'd':
      return ctx.domain;
    case 'i':
      return ipDotted(ctx.ip);
    case 'p':
      return ctx.validated_ptr ? ctx.validated_ptr(ctx.domain) : "unknown";
    case 'v':
      return ctx.ip.v6 ? "ip6" : "in-addr";
    case 'h':
      return ctx.helo;
    case 'c':
      return ctx.ip.toString();
    case 'r':
      return ctx.receiver;
    case 't':
      return std::to_string(ctx.timestamp);
    default:
      return {};
  }
}

// §7.3 transformers: split on the delimiters, optionally reverse, keep the rightmost N parts,
// join with ".".
std::string transform(const std::string& value, const MacroSpec& spec) {
  if (spec.digits == 0 && !spec.reverse && spec.delimiters.empty()) return value;
  const std::string delims = spec.delimiters.empty() ? std::string(".") : spec.delimiters;
  std::vector<std::string> parts;
  std::string current;
  for (char c : value) {
    if (delims.find(c) != std::string::npos) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  parts.push_back(std::move(current));
  if (spec.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (spec.digits != 0 && spec.digits < parts.size()) first = parts.size() - spec.digits;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i != first) out.push_back('.');
    out += parts[i];
  }
  return out;
}

std::string urlEscape(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// Walks a macro-string; calls onLiteral(text) and onMacro(spec). Returns "" or the error.
template <typename Literal, typename Macro>
std::string walk(std::string_view text, MacroScope scope, Literal onLiteral, Macro onMacro) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t pct = text.find('%', i);
    if (pct == std::string_view::npos) {
      onLiteral(text.substr(i));
      break;
    }
    if (pct > i) onLiteral(text.substr(i, pct - i));
    if (pct + 1 >= text.size()) return "'%' at end of macro-string";
    char next = text[pct + 1];
    if (next == '%') {
      onLiteral("%");
      i = pct + 2;
    } else if (next == '_') {
      onLiteral(" ");
      i = pct + 2;
    } else if (next == '-') {
      onLiteral("%20");
      i = pct + 2;
    } else if (next == '{') {
      std::size_t close = text.find('}', pct + 2);
      if (close == std::string_view::npos) return "unterminated '%{'";
      MacroSpec spec;
      std::string err = parseBody(text.substr(pct + 2, close - pct - 2), scope, spec);
      if (!err.empty()) return err;
      onMacro(spec);
      i = close + 1;
    } else {
      return std::string("'%' followed by '") + next + "'";
    }
  }
  return {};
}

}  // namespace

std::string checkMacroString(std::string_view text, MacroScope scope) {
  return walk(
      text, scope, [](std::string_view) {}, [](const MacroSpec&) {});
}

MacroExpansion expandMacros(std::string_view text, const MacroContext& ctx, MacroScope scope) {
  MacroExpansion result;
  std::string out;
  std::string err = walk(
      text, scope, [&](std::string_view lit) { out += lit; },
      [&](const MacroSpec& spec) {
        std::string value = transform(letterValue(spec.letter, ctx), spec);
        out += isUpper(spec.letter) ? urlEscape(value) : value;
      });
  if (!err.empty()) {
    result.error = std::move(err);
    return result;
  }
  result.ok = true;
  result.value = std::move(out);
  return result;
}

std::string toTargetName(std::string_view expanded) {
  if (!expanded.empty() && expanded.back() == '.') expanded.remove_suffix(1);
  while (expanded.size() > kMaxDomainLength) {
    std::size_t dot = expanded.find('.');
    if (dot == std::string_view::npos) break;
    expanded.remove_prefix(dot + 1);
  }
  return std::string(expanded);
}

}  // namespace mh::spf
