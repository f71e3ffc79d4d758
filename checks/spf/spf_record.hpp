// SPF record parser (RFC 7208 §4.5, §4.6.1, §5, §6, §12 ABNF): TXT text to a term list plus syntax
// errors.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mh::spf {

// An IPv4 or IPv6 address. IPv4 addresses keep their four octets in bytes[0..3].
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  // Strict dotted quad (RFC 7208 §12 ip4-network: no leading zeros) or IPv6 text.
  // With mapV4, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address
  // (RFC 7208 §5: such a client "MUST still be considered an IPv4 address").
  static std::optional<IpAddress> parse(std::string_view text, bool mapV4 = false);
  // Dotted quad, or RFC 5952 text (lower case, compressed).
  std::string toString() const;
  // True when the first `prefix` bits equal those of `network` (same family only).
  bool inNetwork(const IpAddress& network, int prefix) const;
  // The reverse-lookup name: d.c.b.a.in-addr.arpa or the 32 nibbles under ip6.arpa.
  std::string reverseName() const;
  bool operator==(const IpAddress&) const = default;
};

// The result qualifier of a mechanism (RFC 7208 §4.6.2).
enum class Qualifier { Pass, Fail, SoftFail, Neutral };

enum class MechanismKind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };

struct Mechanism {
  Qualifier qualifier = Qualifier::Pass;
  MechanismKind kind = MechanismKind::All;
  std::string text;         // the term as written, qualifier included
  std::string domain_spec;  // include/a/mx/ptr/exists target; empty means <domain>
  int cidr4 = 32;           // a, mx, ip4
  int cidr6 = 128;          // a, mx, ip6
  IpAddress network;        // ip4, ip6

  // True for the terms that count against the 10-lookup limit (RFC 7208 §4.6.4).
  bool causesLookup() const;
};

// A modifier (RFC 7208 §6): redirect, exp or an unknown modifier (kept, otherwise ignored).
struct Modifier {
  std::string name;   // lower case
  std::string value;  // macro-string as written
  std::string text;
};

struct SpfSyntaxError {
  std::string term;    // the offending term ("" for record-level errors)
  std::string reason;  // short English reason
};

struct SpfRecord {
  std::string text;
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;  // redirect= domain-spec
  std::optional<std::string> exp;       // exp= domain-spec
  std::vector<Modifier> unknown_modifiers;

  bool hasAll() const;
  bool usesPtr() const;
  // The qualifier of the first "all", if any.
  std::optional<Qualifier> allQualifier() const;
};

struct SpfParseResult {
  SpfRecord record;
  std::vector<SpfSyntaxError> errors;  // non-empty => check_host() gives permerror
  bool ok() const { return errors.empty(); }
};

// RFC 7208 §4.5: a record is selected when it starts with "v=spf1" (case-insensitive) followed
// by a space or the end of the text.
bool isSpfRecord(std::string_view text);

// Parses a whole record ("v=spf1 ..."). Every term is checked, so an error after an "all" is
// still reported (RFC 7208 §4.6: syntax errors anywhere in the record MUST be detected).
SpfParseResult parseSpfRecord(std::string_view text);

// RFC 7208 §7.1 domain-spec = macro-string domain-end; domain-end = ("." toplabel ["."]) /
// macro-expand. Returns an empty string when valid, else the reason. c, r and t macros are not
// allowed outside explanation strings (§7.3), so they are rejected here.
std::string checkDomainSpec(std::string_view spec);

std::string_view toString(Qualifier q);
char qualifierChar(Qualifier q);
std::string_view toString(MechanismKind k);

}  // namespace mh::spf
