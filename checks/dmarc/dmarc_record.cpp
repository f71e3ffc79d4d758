// DMARC policy record parser (RFC 9989 §4.7-4.8 and §4.10.1; legacy tags from RFC 7489 §6.3-6.4).
//
// Decisions taken from the RFC text (each is repeated where it is implemented):
//  - Tag names and keyword values are case-insensitive: the ABNF of RFC 9989 §4.8 is RFC 5234,
//    whose quoted strings are case-insensitive (RFC 5234 §2.3), and the one case-sensitive part
//    is marked with RFC 7405's %s: `dmarc-version = "v" equals %s"DMARC1"`. So "V=DMARC1; P=REJECT"
//    is valid and "v=dmarc1" is not a DMARC record.
//  - v must be the first tag; p may appear anywhere after it (RFC 9989 §4.7-4.8; RFC 7489 §6.4
//    wanted p second, noted as info).
//  - Unknown tags are ignored (RFC 9989 §4.7), reported as info. pct, rf and ri are historic in
//    RFC 9989 (receivers treat them as unknown) but still read as RFC 7489 legacy tags.
//  - An invalid value of any other tag is discarded in favour of the default (RFC 9989 §4.7),
//    reported as warn: the record still works, but a receiver had to throw part of it away.
//  - A duplicated tag invalidates the whole record: DMARC uses the DKIM tag-value syntax (RFC 9989
//    §4.7), and RFC 6376 §3.2 says "if a tag name does occur more than once, the entire tag-list
//    is invalid".
//  - No valid p, or an invalid sp or np: with a valid rua URI the receiver acts as p=none,
//    otherwise it applies no DMARC processing (RFC 9989 §4.10.1; RFC 7489 §6.6.3 step 6).
#include "checks/dmarc/dmarc_record.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "checks/dns/dns_types.hpp"
#include "checks/core/text.hpp"

namespace mh::dmarc {
namespace {

constexpr std::size_t kMaxEcho = 120;  // longest value echoed into a finding argument

using ascii::iequals;
using ascii::isAlpha;
using ascii::isDigit;
using ascii::isWsp;
using ascii::lower;
using ascii::trimWsp;
std::string toLower(std::string_view s) { return ascii::lower(s); }

std::string echo(std::string_view s) {
  if (s.size() <= kMaxEcho) return std::string(s);
  return std::string(s.substr(0, kMaxEcho)) + "...";
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::optional<Policy> parsePolicy(std::string_view v) {
  if (iequals(v, "none")) return Policy::None;
  if (iequals(v, "quarantine")) return Policy::Quarantine;
  if (iequals(v, "reject")) return Policy::Reject;
  return std::nullopt;
}

// 1*N DIGIT as a number, or nullopt.
std::optional<std::int64_t> parseDigits(std::string_view v, std::size_t maxDigits) {
  if (v.empty() || v.size() > maxDigits) return std::nullopt;
  std::int64_t n = 0;
  for (char c : v) {
    if (!isDigit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// dmarc-fo (RFC 9989 §4.8): 0, 1, d, s separated by ':', each at most once, 0 and 1 exclusive.
// RFC 7489 §6.4 allowed "0:1"; RFC 9989 made 0 and 1 mutually exclusive.
std::optional<std::string> parseFo(std::string_view v) {
  std::string seen;
  for (std::string_view part : split(v, ':')) {
    part = trimWsp(part);  // RFC 7489 §6.4 allowed *WSP around ':'
    if (part.size() != 1) return std::nullopt;
    char c = lower(part[0]);
    if (c != '0' && c != '1' && c != 'd' && c != 's') return std::nullopt;
    if (seen.find(c) != std::string::npos) return std::nullopt;
    seen.push_back(c);
  }
  bool both = seen.find('0') != std::string::npos && seen.find('1') != std::string::npos;
  if (both) return std::nullopt;
  std::string norm;
  for (char c : seen) {
    if (!norm.empty()) norm.push_back(':');
    norm.push_back(c);
  }
  return norm;
}

bool validHostName(std::string_view host) {
  if (host.empty() || !dns::isValidDnsName(host)) return false;
  for (char c : host)
    if (!(isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

// One dmarc-uri with its optional obsolete size suffix (RFC 7489 §6.2; RFC 9989 §4.8
// obs-dmarc-report-size). ',' and '!' must be percent-encoded inside the URI, so the first '!'
// starts the suffix.
ReportUri parseUri(std::string_view entry) {
  ReportUri u;
  std::string_view uri = entry;
  if (auto bang = entry.find('!'); bang != std::string_view::npos) {
    uri = entry.substr(0, bang);
    std::string_view size = entry.substr(bang + 1);
    std::size_t digits = 0;
    while (digits < size.size() && isDigit(size[digits])) ++digits;
    std::string_view unit = size.substr(digits);
    bool unitOk = unit.empty() || (unit.size() == 1 && std::string_view("kmgtKMGT").find(unit[0]) !=
                                                           std::string_view::npos);
    u.text = std::string(uri);
    u.size_limit = std::string(size);
    if (digits == 0 || !unitOk) return u;  // invalid
  }
  u.text = std::string(uri);
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || !isAlpha(uri[0])) return u;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.')) return u;
  }
  std::string_view rest = uri.substr(colon + 1);
  if (rest.empty()) return u;
  for (char c : uri) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f || std::string_view("\"<>\\^`{|}").find(c) != std::string_view::npos)
      return u;
  }
  u.scheme = toLower(uri.substr(0, colon));
  if (u.scheme != "mailto") {
    u.valid = true;
    return u;
  }
  // mailto: addr-spec [ "?" hfields ] (RFC 6068); only the first address is used.
  std::string_view addr = rest.substr(0, rest.find('?'));
  auto at = addr.rfind('@');
  if (at == std::string_view::npos || at == 0) return u;
  std::string domain = toLower(addr.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (!validHostName(domain)) return u;
  u.address = std::string(addr);
  u.domain = std::move(domain);
  u.valid = true;
  u.mailto = true;
  return u;
}

struct Parser {
  DmarcParse& out;

  Finding& add(std::string tag, Status status) {
    out.findings.push_back(makeFinding(std::move(tag), status));
    return out.findings.back();
  }
  void invalidValue(std::string_view tag, std::string_view value) {
    add("DMARC_TAG_INVALID_VALUE", Status::Warn)
        .arg("tag", std::string(tag))
        .arg("value", echo(value));
  }

  void parseUriList(std::string_view name, std::string_view value, std::vector<ReportUri>& into) {
    for (std::string_view entry : split(value, ',')) {
      entry = trimWsp(entry);
      ReportUri u = parseUri(entry);
      if (!u.valid) {
        add("DMARC_URI_INVALID", Status::Warn)
            .arg("tag", std::string(name))
            .arg("uri", echo(entry));
      } else if (!u.mailto) {
        // RFC 9989 §4.7 (rua): receivers MUST support mailto:; other schemes MAY be ignored.
        add("DMARC_URI_UNSUPPORTED_SCHEME", Status::Warn)
            .arg("tag", std::string(name))
            .arg("uri", echo(entry));
      }
      if (u.valid && !u.size_limit.empty()) {
        // RFC 9989 §4.8 obs-dmarc-report-size: "ignore if found"; valid in RFC 7489 §6.2.
        add("DMARC_URI_SIZE_LIMIT", Status::Info)
            .arg("tag", std::string(name))
            .arg("uri", u.text)
            .arg("size", u.size_limit);
      }
      into.push_back(std::move(u));
    }
    auto valid =
        std::count_if(into.begin(), into.end(), [](const ReportUri& u) { return u.valid; });
    if (valid > 2) {
      // RFC 7489 §6.2: receivers "MAY impose a limit on the number of URIs ... but MUST support the
      // ability to send to at least two". A third destination may get nothing.
      add("DMARC_URI_MANY", Status::Info)
          .arg("tag", std::string(name))
          .arg("count", std::int64_t{valid});
    }
  }

  void run(std::string_view text) {
    std::size_t lead = 0;
    while (lead < text.size() && isWsp(text[lead])) ++lead;
    if (!startsWithDmarcVersion(text)) {
      noteNearMiss(text.substr(lead));
      return;
    }
    out.is_dmarc = true;
    if (lead > 0) {
      // RFC 9989 §4.8 starts dmarc-record with dmarc-version (no leading WSP) and §4.10 step 2
      // discards records that "do not start with a valid v tag"; the DKIM tag-spec it builds on
      // (RFC 6376 §3.2) allows leading FWS. Lenient receivers accept it, strict ones may not.
      add("DMARC_RECORD_LEADING_WHITESPACE", Status::Warn);
    }
    auto elements = split(text.substr(lead), ';');
    DmarcRecord& r = out.record;
    r.tags.emplace_back("v", "DMARC1");
    std::set<std::string> seen{"v"};
    std::optional<std::string> badP, badSp, badNp;
    std::string firstTag;
    for (std::size_t k = 1; k < elements.size(); ++k) {
      std::string_view element = trimWsp(elements[k]);
      if (element.empty()) {
        // A trailing ';' is allowed by the ABNF ([dmarc-sep]); an empty element in the middle is
        // not.
        if (k + 1 != elements.size()) add("DMARC_EMPTY_ELEMENT", Status::Info);
        continue;
      }
      auto eq = element.find('=');
      std::string_view rawName =
          eq == std::string_view::npos ? element : trimWsp(element.substr(0, eq));
      bool nameOk = !rawName.empty() && std::all_of(rawName.begin(), rawName.end(), isAlpha);
      if (eq == std::string_view::npos || !nameOk) {
        // dmarc-tag = 1*ALPHA equals 1*dmarc-value: not a tag; discarded (RFC 9989 §4.7).
        add("DMARC_TAG_SYNTAX", Status::Warn).arg("element", echo(element));
        continue;
      }
      std::string name = toLower(rawName);
      std::string_view value = trimWsp(element.substr(eq + 1));
      if (seen.count(name) != 0) {
        add("DMARC_DUPLICATE_TAG", Status::Fail).arg("tag", name);
        continue;
      }
      seen.insert(name);
      if (firstTag.empty()) firstTag = name;
      r.tags.emplace_back(name, std::string(value));
      bool printable = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        auto b = static_cast<unsigned char>(c);
        return b >= 0x20 && b <= 0x7e;  // dmarc-value = %x20-3A / %x3C-7E (';' cannot occur here)
      });
      if (name == "p" || name == "sp" || name == "np") {
        auto policy = printable ? parsePolicy(value) : std::nullopt;
        auto& slot = name == "p" ? r.p : name == "sp" ? r.sp : r.np;
        auto& bad = name == "p" ? badP : name == "sp" ? badSp : badNp;
        if (policy)
          slot = policy;
        else
          bad = std::string(value);
        continue;
      }
      if (!printable) {
        invalidValue(name, value);
        continue;
      }
      if (name == "adkim" || name == "aspf") {
        auto& slot = name == "adkim" ? r.adkim : r.aspf;
        if (iequals(value, "r"))
          slot = Alignment::Relaxed;
        else if (iequals(value, "s"))
          slot = Alignment::Strict;
        else
          invalidValue(name, value);
      } else if (name == "t") {
        if (iequals(value, "y"))
          r.testing = true;
        else if (!iequals(value, "n"))
          invalidValue(name, value);
      } else if (name == "psd") {
        char c = value.size() == 1 ? lower(value[0]) : '\0';
        if (c == 'y' || c == 'n' || c == 'u')
          r.psd = c;
        else
          invalidValue(name, value);
      } else if (name == "fo") {
        if (auto fo = parseFo(value))
          r.fo = *fo;
        else
          invalidValue(name, value);
      } else if (name == "rua") {
        parseUriList(name, value, r.rua);
      } else if (name == "ruf") {
        parseUriList(name, value, r.ruf);
      } else if (name == "pct" || name == "rf" || name == "ri") {
        // Historic in RFC 9989 (§C.5.2; receivers treat them as unknown tags), defined by
        // RFC 7489 §6.3, which many receivers still implement: read and validated, noted.
        add("DMARC_LEGACY_TAG", Status::Info).arg("tag", name);
        if (name == "pct") {
          // RFC 7489 §6.3: "integer from 0 to 100"; ABNF 1*3DIGIT.
          auto n = parseDigits(value, 3);
          if (n && *n <= 100)
            r.pct = static_cast<int>(*n);
          else
            invalidValue(name, value);
        } else if (name == "ri") {
          // RFC 7489 §6.3: "32-bit unsigned integer"; ABNF 1*DIGIT.
          auto n = parseDigits(value, 10);
          if (n && *n <= 0xffffffffLL)
            r.ri = *n;
          else
            invalidValue(name, value);
        } else {
          // RFC 7489 §6.3 (rf): values "MUST be present in the registry of reporting formats";
          // "afrf" is the only registered one. A receiver "MAY ignore the entire DMARC record".
          bool ok = true;
          for (std::string_view f : split(value, ':')) ok = ok && iequals(trimWsp(f), "afrf");
          if (ok)
            r.rf = toLower(value);
          else
            invalidValue(name, value);
        }
      } else {
        // RFC 9989 §4.7: "Unknown tags MUST be ignored."
        add("DMARC_UNKNOWN_TAG", Status::Info).arg("tag", name);
      }
    }
    if (r.p && firstTag != "p") {
      // RFC 7489 §6.4 required p right after v; RFC 9989 §4.8 allows any order after v.
      add("DMARC_POLICY_NOT_SECOND", Status::Info);
    }
    applyPolicyFallback(badP, badSp, badNp);
    out.usable = out.worst() < Status::Fail;
  }

  // RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6).
  void applyPolicyFallback(const std::optional<std::string>& badP,
                           const std::optional<std::string>& badSp,
                           const std::optional<std::string>& badNp) {
    DmarcRecord& r = out.record;
    if (r.p && !badSp && !badNp) return;
    bool anyRua =
        std::any_of(r.rua.begin(), r.rua.end(), [](const ReportUri& u) { return u.valid; });
    if (!r.p && !badP) {
      // p is RECOMMENDED, not REQUIRED, in RFC 9989 §4.7; the record reads as p=none with a rua.
      add("DMARC_POLICY_MISSING", anyRua ? Status::Info : Status::Fail);
    }
    Status badStatus = anyRua ? Status::Warn : Status::Fail;
    if (badP) add("DMARC_POLICY_INVALID", badStatus).arg("tag", "p").arg("value", echo(*badP));
    if (badSp) add("DMARC_POLICY_INVALID", badStatus).arg("tag", "sp").arg("value", echo(*badSp));
    if (badNp) add("DMARC_POLICY_INVALID", badStatus).arg("tag", "np").arg("value", echo(*badNp));
    if (anyRua) {
      // "act as if a record containing a valid v tag and p=none was retrieved"
      r.acts_as_none = true;
      r.sp.reset();
      r.np.reset();
    }
  }

  // A TXT record that looks like an attempt at DMARC but is not selected (v=DMARC2, v=dmarc1).
  void noteNearMiss(std::string_view text) {
    if (text.empty() || lower(text[0]) != 'v') return;
    std::string_view rest = trimWsp(text.substr(1));
    if (rest.empty() || rest[0] != '=') return;
    rest = trimWsp(rest.substr(1));
    if (rest.size() < 5 || !iequals(rest.substr(0, 5), "dmarc")) return;
    std::string_view value = rest.substr(0, rest.find(';'));
    add("DMARC_VERSION_INVALID", Status::Info).arg("value", echo(trimWsp(value)));
  }
};

}  // namespace

std::string_view toString(Policy p) {
  switch (p) {
    case Policy::None:
      return "none";
    case Policy::Quarantine:
      return "quarantine";
    case Policy::Reject:
      return "reject";
  }
  return "none";
}

Policy DmarcRecord::subdomainPolicy() const {
  if (acts_as_none) return Policy::None;
  return sp ? *sp : policy();
}

Policy DmarcRecord::nonExistentPolicy() const {
  if (acts_as_none) return Policy::None;
  return np ? *np : subdomainPolicy();
}

bool DmarcRecord::hasTag(std::string_view name) const {
  for (const auto& [k, v] : tags)
    if (k == name) return true;
  return false;
}

Status DmarcParse::worst() const {
  Status s = Status::Na;
  for (const auto& f : findings) s = mh::worst(s, f.status);
  return s;
}

bool startsWithDmarcVersion(std::string_view text) {
  std::size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && isWsp(text[i])) ++i;
  };
  skip();
  if (i >= text.size() || lower(text[i]) != 'v') return false;
  ++i;
  skip();
  if (i >= text.size() || text[i] != '=') return false;
  ++i;
  skip();
  // %s"DMARC1": case-sensitive (RFC 9989 §4.8, RFC 7405).
  if (text.substr(i, 6) != "DMARC1") return false;
  i += 6;
  skip();
  return i == text.size() || text[i] == ';';
}

DmarcParse parseDmarcRecord(std::string_view text) {
  DmarcParse out;
  Parser{out}.run(text);
  return out;
}

}  // namespace mh::dmarc
