// MTA-STS policy file parser (RFC 8461 §3.2) and MX pattern matching (§4.1): text to struct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/json.hpp"

namespace mh::mta_sts {

enum class StsMode { Enforce, Testing, None };
std::string_view toString(StsMode m);

// max_age "MUST be less than or equal to 31557600 seconds (i.e., one year)" (§3.2).
constexpr std::int64_t kMaxMaxAge = 31557600;
// RFC 8461 sets no size; senders cap the body they read (postfix-mta-sts-resolver: 64 KiB), and
// a real policy is a few hundred bytes. Larger bodies are refused, not parsed.
constexpr std::size_t kMaxPolicyBytes = 64 * 1024;

struct MtaStsPolicy {
  bool valid = false;
  std::vector<std::string> problems;  // every error found; any one makes the policy invalid
  std::optional<std::string> version;
  std::optional<StsMode> mode;
  std::optional<std::int64_t> max_age;
  std::vector<std::string> mx;  // patterns, lower case: "mail.example.com" or "*.example.com"
  std::vector<std::pair<std::string, std::string>> extensions;  // unknown keys, ignored (§3.2)

  // True when some mx pattern matches the host (§4.1: "*." covers exactly one leftmost label).
  bool matchesMx(std::string_view host) const;
};

MtaStsPolicy parseMtaStsPolicy(std::string_view body);

// Checks one mx value: ["*."] Domain, Domain as in RFC 5321 (letters, digits, hyphens).
bool isValidMxPattern(std::string_view pattern);

Json toJson(const MtaStsPolicy& policy);

}  // namespace mh::mta_sts
