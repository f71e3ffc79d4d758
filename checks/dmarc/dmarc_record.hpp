// DMARC policy record parser: TXT text to struct plus findings (RFC 9989 §4.7-4.8, RFC 7489
// §6.3-6.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/check_result.hpp"

namespace mh::dmarc {

// dmarc-request (RFC 9989 §4.8), ordered by strength so that a < b means "a is weaker".
enum class Policy { None = 0, Quarantine = 1, Reject = 2 };
std::string_view toString(Policy p);

// dmarc-rors.
enum class Alignment { Relaxed, Strict };

// One entry of a rua/ruf list (dmarc-urilist, RFC 9989 §4.8; RFC 7489 §6.2).
struct ReportUri {
  std::string text;        // as written, without the obsolete "!size" suffix
  std::string scheme;      // lower case; empty when the entry is not a URI
  std::string address;     // mailto: the addr-spec (local@domain), query part removed
  std::string domain;      // mailto: the domain of the address, lower case, no trailing dot
  std::string size_limit;  // the obsolete RFC 7489 "!10m" suffix when given ("10m"), else ""
  bool valid = false;      // a syntactically valid URI (RFC 3986 scheme ":" ...)
  bool mailto = false;     // valid and a mailto: URI with a usable domain
};

// The tags of a DMARC record after parsing. Optional fields are empty when the tag is absent or
// its value was discarded as invalid (RFC 9989 §4.7: "Syntax errors in the remainder of the
// record MUST be discarded in favor of default values (if any) or ignored outright").
struct DmarcRecord {
  std::optional<Policy> p;
  std::optional<Policy> sp;
  std::optional<Policy> np;
  // RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6): no valid p, or an invalid sp/np, with at least one
  // valid rua URI: the receiver acts as if the record were "v=DMARC1; p=none".
  bool acts_as_none = false;
  Alignment adkim = Alignment::Relaxed;
  Alignment aspf = Alignment::Relaxed;
  std::optional<int> pct;      // legacy (RFC 7489 §6.3; historic in RFC 9989)
  bool testing = false;        // t=y (RFC 9989 §4.7)
  char psd = 'u';              // psd=y|n|u (RFC 9989 §4.7)
  std::vector<ReportUri> rua;  // every entry as written, valid or not
  std::vector<ReportUri> ruf;
  std::string fo = "0";            // RFC 9989 §4.7 default
  std::optional<std::string> rf;   // legacy
  std::optional<std::int64_t> ri;  // legacy
  // Every tag as written (name lower-cased, value trimmed), in order; "v" first.
  std::vector<std::pair<std::string, std::string>> tags;

  // The policy a receiver applies to the domain the record was published for.
  Policy policy() const { return acts_as_none || !p ? Policy::None : *p; }
  // The policy for existing subdomains: sp, else p (RFC 9989 §4.7 "sp").
  Policy subdomainPolicy() const;
  // The policy for non-existent subdomains: np, else sp, else p (RFC 9989 §4.7 "np").
  Policy nonExistentPolicy() const;
  bool hasTag(std::string_view name) const;
};

struct DmarcParse {
  bool is_dmarc = false;  // the text starts with the v=DMARC1 tag (selected for DMARC at all)
  bool usable = false;    // a receiver applies it as a policy record (no Fail finding)
  DmarcRecord record;
  std::vector<Finding> findings;  // tags in dmarcTagSpecs(); Fail only when !usable

  Status worst() const;
};

// RFC 9989 §4.10 step 2: "Records that do not start with a valid v tag are discarded". True when
// the text starts (after optional leading whitespace, see parseDmarcRecord) with v=DMARC1.
bool startsWithDmarcVersion(std::string_view text);

// Parses one TXT record text (the character-strings already joined without separators).
// Never throws; any input gives a result.
DmarcParse parseDmarcRecord(std::string_view text);

}  // namespace mh::dmarc
