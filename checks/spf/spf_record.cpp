// SPF record parser (RFC 7208 §4.5, §4.6.1, §5, §6, §12 ABNF).
#include "checks/spf/spf_record.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "checks/spf/spf_macro.hpp"
#include "checks/core/text.hpp"

namespace mh::spf {
namespace {

constexpr std::string_view kVersion = "v=spf1";
constexpr int kMaxCidr4 = 32;
constexpr int kMaxCidr6 = 128;

using ascii::iequals;
using ascii::isAlnum;
using ascii::isAlpha;
using ascii::isDigit;
using ascii::lower;
std::string toLower(std::string_view s) { return ascii::lower(s); }

// RFC 7208 §12 ip4-cidr-length / ip6-cidr-length: "/" 1*DIGIT, read without leading zeros
// (as ip4-network forbids them; the OpenSPF suite's cidr4-032 expects permerror).
std::optional<int> parseCidr(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (!isDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// Takes a trailing "/" 1*DIGIT off `s`; returns the digits (still unvalidated).
std::optional<std::string_view> takeCidrSuffix(std::string_view& s) {
  std::size_t slash = s.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view digits = s.substr(slash + 1);
  if (digits.empty()) return std::nullopt;
  for (char c : digits)
    if (!isDigit(c)) return std::nullopt;
  s = s.substr(0, slash);
  return digits;
}

// RFC 7208 §12 toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" )
// alphanum ): letters, digits and inner dashes, not all digits.
bool isTopLabel(std::string_view label) {
  if (label.empty() || label.front() == '-' || label.back() == '-') return false;
  bool alpha = false;
  bool dash = false;
  for (char c : label) {
    if (c == '-') {
      dash = true;
    } else if (isAlpha(c)) {
      alpha = true;
    } else if (!isDigit(c)) {
      return false;
    }
  }
  return alpha || dash;
}

// Whether a syntactically valid macro-string ends with a macro-expand.
bool endsWithMacro(std::string_view spec) {
  bool last = false;
  for (std::size_t i = 0; i < spec.size();) {
    if (spec[i] == '%' && i + 1 < spec.size()) {
      if (spec[i + 1] == '{') {
        std::size_t close = spec.find('}', i);
        i = close == std::string_view::npos ? spec.size() : close + 1;
      } else {
        i += 2;
      }
      last = true;
    } else {
      ++i;
      last = false;
    }
  }
  return last;
}

class TermParser {
 public:
  explicit TermParser(SpfParseResult& out) : out_(out) {}

  void parse(std::string_view term) {
    for (char c : term) {
      auto u = static_cast<unsigned char>(c);
      // §4.6.1: terms are separated by SP only and are made of visible ASCII (§12).
      if (u < 0x21 || u > 0x7E) return error(term, "character outside visible ASCII");
    }
    if (parseModifier(term)) return;
    parseMechanism(term);
  }

 private:
  void error(std::string_view term, std::string reason) {
    out_.errors.push_back({std::string(term), std::move(reason)});
  }

  // modifier = redirect / explanation / unknown-modifier; name = ALPHA *( ALPHA / DIGIT / "-" /
  // "_" / "." ) followed by "=". A qualifier makes it no modifier (and so an unknown mechanism).
  bool parseModifier(std::string_view term) {
    if (term.empty() || !isAlpha(term[0])) {
      if (!term.empty() && term[0] == '=') {
        error(term, "empty modifier name");
        return true;
      }
      return false;
    }
    std::size_t i = 1;
    while (i < term.size() &&
           (isAlnum(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.'))
      ++i;
    if (i >= term.size() || term[i] != '=') return false;
    Modifier mod{toLower(term.substr(0, i)), std::string(term.substr(i + 1)), std::string(term)};
    if (mod.name == "redirect" || mod.name == "exp") {
      // §6: each MUST NOT appear more than once; §6.1/§6.2: the value is a domain-spec (known
      // modifier names never fall back to unknown-modifier, so "exp=" is an error).
      auto& slot = mod.name == "redirect" ? out_.record.redirect : out_.record.exp;
      if (slot) {
        error(term, "duplicate " + mod.name + " modifier");
        return true;
      }
      if (std::string why = checkDomainSpec(mod.value); !why.empty()) {
        error(term, why);
        return true;
      }
      slot = mod.value;
      return true;
    }
    // §6: unknown modifiers are ignored, but their macro-string must still parse (A/3).
    if (std::string why = checkMacroString(mod.value, MacroScope::Explanation); !why.empty()) {
      error(term, why);
      return true;
    }
    out_.record.unknown_modifiers.push_back(std::move(mod));
    return true;
  }

  void parseMechanism(std::string_view term) {
    Mechanism m;
    m.text = std::string(term);
    std::string_view rest = term;
    switch (rest.empty() ? ' ' : rest[0]) {
      case '+':
        m.qualifier = Qualifier::Pass;
        rest.remove_prefix(1);
        break;
      case '-':
        m.qualifier = Qualifier::Fail;
        rest.remove_prefix(1);
        break;
      case '~':
        m.qualifier = Qualifier::SoftFail;
        rest.remove_prefix(1);
        break;
      case '?':
        m.qualifier = Qualifier::Neutral;
        rest.remove_prefix(1);
        break;
      default:
        break;
    }
    std::size_t nameEnd = rest.find_first_of(":/");
    std::string_view name = rest.substr(0, nameEnd);
    std::string_view tail = nameEnd == std::string_view::npos ? "" : rest.substr(nameEnd);

    if (iequals(name, "all")) {
      m.kind = MechanismKind::All;
      if (!tail.empty()) return error(term, "\"all\" takes no argument");
    } else if (iequals(name, "include") || iequals(name, "exists")) {
      m.kind = iequals(name, "include") ? MechanismKind::Include : MechanismKind::Exists;
      if (tail.empty() || tail[0] != ':') return error(term, "domain-spec required");
      if (!takeDomainSpec(term, tail.substr(1), m)) return;
    } else if (iequals(name, "a") || iequals(name, "mx")) {
      m.kind = iequals(name, "a") ? MechanismKind::A : MechanismKind::Mx;
      if (!takeDualCidr(term, tail, m)) return;
      if (!tail.empty()) {
        if (tail[0] != ':') return error(term, "unexpected text after mechanism name");
        if (!takeDomainSpec(term, tail.substr(1), m)) return;
      }
    } else if (iequals(name, "ptr")) {
      m.kind = MechanismKind::Ptr;
      if (!tail.empty()) {
        if (tail[0] != ':') return error(term, "\"ptr\" takes no CIDR length");
        if (!takeDomainSpec(term, tail.substr(1), m)) return;
      }
    } else if (iequals(name, "ip4") || iequals(name, "ip6")) {
      bool v6 = iequals(name, "ip6");
      m.kind = v6 ? MechanismKind::Ip6 : MechanismKind::Ip4;
      if (tail.empty() || tail[0] != ':') return error(term, "address required");
      std::string_view addr = tail.substr(1);
      if (auto digits = takeCidrSuffix(addr)) {
        auto cidr = parseCidr(*digits, v6 ? kMaxCidr6 : kMaxCidr4);
        if (!cidr) return error(term, "invalid CIDR length");
        (v6 ? m.cidr6 : m.cidr4) = *cidr;
      }
      auto ip = IpAddress::parse(addr);
      if (!ip || ip->v6 != v6)
        return error(term, v6 ? "invalid IPv6 address" : "invalid IPv4 address");
      m.network = *ip;
    } else {
      return error(term, "unknown mechanism");
    }
    out_.record.mechanisms.push_back(std::move(m));
  }

  // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken off the end since a
  // domain-spec may itself contain "/" (RFC 7208 §7.1: any visible character but "%").
  bool takeDualCidr(std::string_view term, std::string_view& tail, Mechanism& m) {
    auto digits = takeCidrSuffix(tail);
    if (!digits) return true;
    if (!tail.empty() && tail.back() == '/') {
      tail.remove_suffix(1);
      auto cidr6 = parseCidr(*digits, kMaxCidr6);
      if (!cidr6) {
        error(term, "invalid IPv6 CIDR length");
        return false;
      }
      m.cidr6 = *cidr6;
      digits = takeCidrSuffix(tail);
      if (!digits) return true;
    }
    auto cidr4 = parseCidr(*digits, kMaxCidr4);
    if (!cidr4) {
      error(term, "invalid IPv4 CIDR length");
      return false;
    }
    m.cidr4 = *cidr4;
    return true;
  }

  bool takeDomainSpec(std::string_view term, std::string_view spec, Mechanism& m) {
    if (std::string why = checkDomainSpec(spec); !why.empty()) {
      error(term, why);
      return false;
    }
    m.domain_spec = std::string(spec);
    return true;
  }

  SpfParseResult& out_;
};

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text, bool mapV4) {
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    // ip4-network = qnum "." qnum "." qnum "." qnum; qnum = 0-255 without leading zeros.
    int part = 0;
    std::size_t i = 0;
    while (part < 4) {
      std::size_t start = i;
      int value = 0;
      while (i < text.size() && isDigit(text[i]) && i - start < 3)
        value = value * 10 + (text[i++] - '0');
      std::size_t len = i - start;
      if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) return std::nullopt;
      ip.bytes[part++] = static_cast<std::uint8_t>(value);
      if (part < 4) {
        if (i >= text.size() || text[i] != '.') return std::nullopt;
        ++i;
      }
    }
    if (i != text.size()) return std::nullopt;
    return ip;
  }
  if (text.size() > 64) return std::nullopt;
  std::string buf(text);
  if (inet_pton(AF_INET6, buf.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  ip.v6 = true;
  if (mapV4) {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(ip.bytes.data(), kMapped, 12) == 0) {
      IpAddress v4;
      for (int k = 0; k < 4; ++k) v4.bytes[k] = ip.bytes[12 + k];
      return v4;
    }
  }
  return ip;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

bool IpAddress::inNetwork(const IpAddress& network, int prefix) const {
  if (v6 != network.v6) return false;
  int bits = prefix;
  for (std::size_t i = 0; bits > 0 && i < bytes.size(); ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

std::string IpAddress::reverseName() const {
  std::string out;
  if (!v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(bytes[i]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out.push_back(kHex[bytes[i] & 0xF]);
    out.push_back('.');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back('.');
  }
  return out + "ip6.arpa";
}

bool Mechanism::causesLookup() const {
  return kind == MechanismKind::Include || kind == MechanismKind::A || kind == MechanismKind::Mx ||
         kind == MechanismKind::Ptr || kind == MechanismKind::Exists;
}

bool SpfRecord::hasAll() const {
  return allQualifier().has_value();
}

bool SpfRecord::usesPtr() const {
  for (const auto& m : mechanisms)
    if (m.kind == MechanismKind::Ptr) return true;
  return false;
}

std::optional<Qualifier> SpfRecord::allQualifier() const {
  for (const auto& m : mechanisms)
    if (m.kind == MechanismKind::All) return m.qualifier;
  return std::nullopt;
}

bool isSpfRecord(std::string_view text) {
  if (text.size() < kVersion.size() || !iequals(text.substr(0, kVersion.size()), kVersion))
    return false;
  return text.size() == kVersion.size() || text[kVersion.size()] == ' ';
}

SpfParseResult parseSpfRecord(std::string_view text) {
  SpfParseResult out;
  out.record.text = std::string(text);
  if (!isSpfRecord(text)) {
    out.errors.push_back({"", "record does not start with \"v=spf1\""});
    return out;
  }
  TermParser parser(out);
  std::string_view rest = text.substr(kVersion.size());
  while (!rest.empty()) {
    std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = rest.find(' ');
    parser.parse(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return out;
}

std::string checkDomainSpec(std::string_view spec) {
  if (spec.empty()) return "empty domain-spec";
  if (std::string why = checkMacroString(spec, MacroScope::DomainSpec); !why.empty()) return why;
  if (endsWithMacro(spec)) return {};
  std::string_view name = spec;
  if (name.back() == '.') name.remove_suffix(1);
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "domain-spec has no top-level label";
  if (!isTopLabel(name.substr(dot + 1))) return "invalid top-level label";
  return {};
}

std::string_view toString(Qualifier q) {
  switch (q) {
    case Qualifier::Pass:
      return "pass";
    case Qualifier::Fail:
      return "fail";
    case Qualifier::SoftFail:
      return "softfail";
    case Qualifier::Neutral:
      return "neutral";
  }
  return "neutral";
}

char qualifierChar(Qualifier q) {
  switch (q) {
    case Qualifier::Pass:
      return '+';
    case Qualifier::Fail:
      return '-';
    case Qualifier::SoftFail:
      return '~';
    case Qualifier::Neutral:
      return '?';
  }
  return '?';
}

std::string_view toString(MechanismKind k) {
  switch (k) {
    case MechanismKind::All:
      return "all";
    case MechanismKind::Include:
      return "include";
    case MechanismKind::A:
      return "a";
    case MechanismKind::Mx:
      return "mx";
    case MechanismKind::Ptr:
      return "ptr";
    case MechanismKind::Ip4:
      return "ip4";
    case MechanismKind::Ip6:
      return "ip6";
    case MechanismKind::Exists:
      return "exists";
  }
  return "all";
}

}  // namespace mh::spf
