// MTA-STS policy file parser following the RFC 8461 §3.2 ABNF, lenient only where noted.
#include "checks/mta_sts/mta_sts_policy.hpp"
#include "checks/core/text.hpp"

#include <algorithm>

namespace mh::mta_sts {
namespace {

constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxMaxAgeDigits = 10;  // sts-policy-max-age-value = 1*10(DIGIT)

using ascii::isAlnum;
using ascii::isDigit;
using ascii::isWsp;
using ascii::lower;

// sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool isKeyName(std::string_view s) {
  if (s.empty() || s.size() > 32 || !isAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; });
}

// RFC 5321 sub-domain = Let-dig [Ldh-str]: no leading or trailing hyphen.
bool isLabel(std::string_view l) {
  if (l.empty() || l.size() > kMaxLabelLength) return false;
  if (l.front() == '-' || l.back() == '-') return false;
  return std::all_of(l.begin(), l.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

}  // namespace

std::string_view toString(StsMode m) {
  switch (m) {
    case StsMode::Enforce:
      return "enforce";
    case StsMode::Testing:
      return "testing";
    case StsMode::None:
      return "none";
  }
  return "none";
}

bool isValidMxPattern(std::string_view pattern) {
  // sts-policy-mx-value = ["*."] Domain; a wildcard is only the whole leftmost label.
  if (pattern.starts_with("*.")) pattern.remove_prefix(2);
  if (pattern.empty() || pattern.size() > 253) return false;
  while (true) {
    auto dot = pattern.find('.');
    if (!isLabel(pattern.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    pattern.remove_prefix(dot + 1);
  }
}

bool MtaStsPolicy::matchesMx(std::string_view hostIn) const {
  std::string host = lower(hostIn);
  if (!host.empty() && host.back() == '.') host.pop_back();
  for (const auto& p : mx) {
    if (p.starts_with("*.")) {
      // "*.example.com" matches "mail.example.com" but not "example.com" or "a.b.example.com".
      auto dot = host.find('.');
      if (dot != std::string::npos && dot > 0 && host.substr(dot + 1) == p.substr(2)) return true;
    } else if (host == p) {
      return true;
    }
  }
  return false;
}

MtaStsPolicy parseMtaStsPolicy(std::string_view body) {
  MtaStsPolicy p;
  if (body.size() > kMaxPolicyBytes) {
    p.problems.push_back("policy larger than 64 KiB");
    return p;
  }
  bool duplicate = false;
  auto once = [&](bool seen, std::string_view key) {
    if (seen && !duplicate) p.problems.push_back("duplicate key " + std::string(key));
    duplicate = duplicate || seen;
  };
  // sts-policy-term = LF / CRLF. Blank lines are outside the ABNF but skipped, as senders do:
  // a trailing empty line should not void a policy.
  std::size_t lineNo = 0;
  while (!body.empty()) {
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Trailing WSP after a field is allowed (sts-policy-field *WSP).
    while (!line.empty() && isWsp(line.back())) line.remove_suffix(1);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      p.problems.push_back("line " + std::to_string(lineNo) + " has no ':'");
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && isWsp(value.front())) value.remove_prefix(1);  // ":" *WSP
    if (!isKeyName(key)) {
      p.problems.push_back("line " + std::to_string(lineNo) + ": bad key name");
      continue;
    }
    // Field names and the version/mode values are case-sensitive (%s in the ABNF).
    if (key == "version") {
      once(p.version.has_value(), key);
      p.version = std::string(value);
      if (value != "STSv1") p.problems.push_back("version is not STSv1");
    } else if (key == "mode") {
      once(p.mode.has_value(), key);
      if (value == "enforce") {
        p.mode = StsMode::Enforce;
      } else if (value == "testing") {
        p.mode = StsMode::Testing;
      } else if (value == "none") {
        p.mode = StsMode::None;
      } else {
        p.mode = StsMode::None;  // marks "seen" for the duplicate check; the policy is invalid
        p.problems.push_back("mode must be enforce, testing or none");
      }
    } else if (key == "max_age") {
      once(p.max_age.has_value(), key);
      bool digits = !value.empty() && value.size() <= kMaxMaxAgeDigits &&
                    std::all_of(value.begin(), value.end(), isDigit);
      if (!digits) {
        p.max_age = -1;
        p.problems.push_back("max_age must be a non-negative integer of at most 10 digits");
      } else {
        p.max_age = std::stoll(std::string(value));
        if (*p.max_age > kMaxMaxAge) p.problems.push_back("max_age exceeds 31557600 (one year)");
      }
    } else if (key == "mx") {
      // One mx line per allowed pattern; repetition is the design, not a duplicate.
      if (!isValidMxPattern(value)) {
        p.problems.push_back("invalid mx pattern: " + std::string(value.substr(0, 80)));
      } else {
        p.mx.push_back(lower(value));
      }
    } else {
      // "Additional key/value pairs can be included ... unknown fields MUST be ignored."
      p.extensions.emplace_back(std::string(key), std::string(value));
    }
  }
  if (!p.version) p.problems.push_back("version is missing");
  if (!p.mode) p.problems.push_back("mode is missing");
  if (!p.max_age) p.problems.push_back("max_age is missing");
  // mx is needed to match hosts in enforce and testing; with mode none the policy only
  // withdraws a previous one, and senders do not consult mx (§5), so none may omit it.
  if (p.mx.empty() && p.mode && *p.mode != StsMode::None)
    p.problems.push_back("no mx pattern (required unless mode is none)");
  p.valid = p.problems.empty();
  return p;
}

Json toJson(const MtaStsPolicy& policy) {
  Json out = Json::object({{"valid", policy.valid}});
  if (!policy.problems.empty()) {
    Json probs = Json::array();
    for (const auto& s : policy.problems) probs.push(s);
    out.set("problems", probs);
  }
  if (policy.version) out.set("version", *policy.version);
  if (policy.mode) out.set("mode", std::string(toString(*policy.mode)));
  if (policy.max_age) out.set("max_age", *policy.max_age);
  Json mx = Json::array();
  for (const auto& m : policy.mx) mx.push(m);
  out.set("mx", mx);
  return out;
}

}  // namespace mh::mta_sts
