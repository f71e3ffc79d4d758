// SPF macro expansion (RFC 7208 §7): letters, transformers, delimiters, escapes, URL-encoding.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "checks/spf/spf_record.hpp"

namespace mh::spf {

// Where a macro-string appears: domain-specs and unknown modifiers may not use c, r, t;
// explanation strings (the TXT record that exp= points at) may (RFC 7208 §7.3).
enum class MacroScope { DomainSpec, Explanation };

// The values the macro letters stand for during one check_host() call.
struct MacroContext {
  std::string sender;                // s: <sender>, "local-part@domain"
  std::string local_part;            // l: "postmaster" when the sender had none (RFC 7208 §4.3)
  std::string sender_domain;         // o
  std::string domain;                // d: the <domain> currently evaluated
  IpAddress ip;                      // i, c, v
  std::string helo;                  // h
  std::string receiver = "unknown";  // r
  std::int64_t timestamp = 0;        // t
  // p: the validated domain name of <ip> (RFC 7208 §7.3, §5.5), computed only when a macro
  // asks for it, since it costs DNS queries. Unset => "unknown".
  std::function<std::string(std::string_view domain)> validated_ptr;
};

// Checks macro-string syntax (RFC 7208 §7.1). Returns "" when valid, else the reason:
// "%" not followed by "{", "%", "_" or "-"; an unknown or out-of-scope letter; a zero digit
// transformer; an unterminated "%{".
std::string checkMacroString(std::string_view text, MacroScope scope);

struct MacroExpansion {
  bool ok = false;
  std::string value;
  std::string error;  // when !ok: the syntax error
};

// Expands a macro-string. Upper-case letters are URL-escaped after expansion (RFC 7208 §7.3:
// every octet outside the URI "unreserved" set becomes %XX).
MacroExpansion expandMacros(std::string_view text, const MacroContext& ctx, MacroScope scope);

// Makes an expanded domain-spec a query name: drops one trailing dot and, when longer than 253
// octets, drops labels from the left until it fits (RFC 7208 §7.3).
std::string toTargetName(std::string_view expanded);

}  // namespace mh::spf
