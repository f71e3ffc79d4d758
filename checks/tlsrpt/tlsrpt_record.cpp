// TLS-RPT TXT record parser following the RFC 8460 §3 ABNF.
#include "checks/tlsrpt/tlsrpt_record.hpp"
#include "checks/core/text.hpp"

#include <algorithm>

namespace mh::tlsrpt {
namespace {

constexpr std::string_view kVersion = "v=TLSRPTv1";
constexpr std::size_t kMaxExtNameLength = 32;

using ascii::isAlnum;
using ascii::isAlpha;
using ascii::isDigit;
using ascii::isHex;
using ascii::isWsp;

// tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): visible ASCII except "=" and ";".
bool isExtValueChar(char c) {
  return c >= 0x21 && c <= 0x7E && c != '=' && c != ';';
}

// RFC 3986 characters allowed outside pct-encoding, minus "," and "!" which RFC 8460 §3 says
// MUST be encoded (and minus ";" which would end the field).
bool isUriChar(char c) {
  if (isAlnum(c)) return true;
  return std::string_view("-._~:/?#[]@$&'()*+=").find(c) != std::string_view::npos;
}

bool isExtName(std::string_view s) {
  if (s.empty() || s.size() > kMaxExtNameLength || !isAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; });
}

std::string lowerScheme(std::string_view uri) {
  return ascii::lower(uri.substr(0, uri.find(':')));
}

// mailto: needs an addr-spec (RFC 6068); https: needs an authority (RFC 9110 §4.2.2).
bool isUsableDestination(std::string_view uri, const std::string& scheme) {
  std::string_view rest = uri.substr(scheme.size() + 1);
  if (scheme == "mailto") {
    rest = rest.substr(0, rest.find('?'));
    auto at = rest.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < rest.size();
  }
  if (!rest.starts_with("//")) return false;
  rest.remove_prefix(2);
  return !rest.empty() && rest.front() != '/' && rest.front() != '?' && rest.front() != '#';
}

TlsRptRecord invalid(TlsRptRecord r, std::string problem) {
  r.state = TlsRptRecordState::Invalid;
  r.problem = std::move(problem);
  r.rua.clear();  // an invalid record has no destination a sender would use
  return r;
}

}  // namespace

std::string_view toString(TlsRptRecordState s) {
  switch (s) {
    case TlsRptRecordState::Valid:
      return "valid";
    case TlsRptRecordState::Invalid:
      return "invalid";
    case TlsRptRecordState::NotTlsRpt:
      return "not_tlsrpt";
  }
  return "not_tlsrpt";
}

bool beginsWithTlsRptVersion(std::string_view text) {
  if (!text.starts_with(kVersion)) return false;
  return text.size() == kVersion.size() || text[kVersion.size()] == ';' ||
         isWsp(text[kVersion.size()]);
}

bool isValidUri(std::string_view uri) {
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" and a non-empty rest.
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || !isAlpha(uri.front())) return false;
  for (char c : uri.substr(0, colon))
    if (!isAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  std::string_view rest = uri.substr(colon + 1);
  if (rest.empty()) return false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%') {
      if (i + 2 >= rest.size()) return false;
      if (!isHex(rest[i + 1]) || !isHex(rest[i + 2])) return false;
      i += 2;
    } else if (!isUriChar(rest[i])) {
      return false;
    }
  }
  return true;
}

TlsRptRecord parseTlsRptRecord(std::string_view text) {
  TlsRptRecord r;
  r.looks_like_tlsrpt = text.find("v=TLSRPT") != std::string_view::npos;
  if (!beginsWithTlsRptVersion(text)) {
    if (text.starts_with("v=TLSRPT")) {
      r.problem = "version is not TLSRPTv1";
    } else if (text.find(kVersion) != std::string_view::npos) {
      r.problem = "v=TLSRPTv1 is not the first field";
    } else {
      r.problem = "does not begin with v=TLSRPTv1";
    }
    return r;
  }
  // Trailing whitespace is tolerated, as for MTA-STS records.
  while (!text.empty() && isWsp(text.back())) text.remove_suffix(1);

  // tlsrpt-record = tlsrpt-version 1*(tlsrpt-sep tlsrpt-field) [tlsrpt-sep]
  // tlsrpt-sep = *WSP %x3B *WSP; tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
  std::size_t pos = kVersion.size();
  bool haveRua = false;
  while (pos < text.size()) {
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size() || text[pos] != ';')
      return invalid(std::move(r), "fields must be separated by ';'");
    ++pos;
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size()) break;
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view field = text.substr(pos, end - pos);
    while (!field.empty() && isWsp(field.back())) field.remove_suffix(1);
    pos = pos + field.size();
    auto eq = field.find('=');
    if (eq == std::string_view::npos)
      return invalid(std::move(r), "field without '=': " + std::string(field.substr(0, 40)));
    std::string_view name = field.substr(0, eq);
    std::string_view value = field.substr(eq + 1);
    if (name == "rua") {
      // rua is one field holding a comma-separated list; a second rua= field has no defined
      // meaning (which list applies?), so the record is treated as invalid.
      if (haveRua) return invalid(std::move(r), "rua appears more than once");
      haveRua = true;
      while (true) {
        auto comma = value.find(',');
        std::string_view uri = value.substr(0, comma);
        while (!uri.empty() && isWsp(uri.front())) uri.remove_prefix(1);
        while (!uri.empty() && isWsp(uri.back())) uri.remove_suffix(1);
        if (!isValidUri(uri))
          return invalid(std::move(r), "rua is not a URI: " + std::string(uri.substr(0, 60)));
        std::string scheme = lowerScheme(uri);  // schemes are case-insensitive (RFC 3986 §3.1)
        if ((scheme == "mailto" || scheme == "https") && isUsableDestination(uri, scheme)) {
          r.rua.emplace_back(uri);
        } else if (scheme == "mailto" || scheme == "https") {
          return invalid(std::move(r), "rua " + scheme + ": URI has no destination");
        } else {
          r.unsupported_rua.emplace_back(uri);
        }
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
      continue;
    }
    if (!isExtName(name))
      return invalid(std::move(r), "bad field name: " + std::string(name.substr(0, 40)));
    if (value.empty()) return invalid(std::move(r), "empty value for " + std::string(name));
    for (char c : value)
      if (!isExtValueChar(c))
        return invalid(std::move(r), "bad character in the value of " + std::string(name));
    r.extensions.emplace_back(std::string(name), std::string(value));
  }
  // "The tlsrpt-rua field is required" (§3, note 1); "Two URI schemes are supported: "mailto"
  // and "https"" - a record whose only destinations use other schemes reports to no one.
  if (!haveRua) return invalid(std::move(r), "rua is missing (required)");
  if (r.rua.empty()) return invalid(std::move(r), "no rua URI uses mailto: or https:");
  r.state = TlsRptRecordState::Valid;
  return r;
}

Json toJson(const TlsRptRecord& record) {
  Json out = Json::object({{"state", std::string(toString(record.state))}});
  if (!record.problem.empty()) out.set("problem", record.problem);
  if (!record.rua.empty()) {
    Json rua = Json::array();
    for (const auto& u : record.rua) rua.push(u);
    out.set("rua", rua);
  }
  if (!record.unsupported_rua.empty()) {
    Json rua = Json::array();
    for (const auto& u : record.unsupported_rua) rua.push(u);
    out.set("unsupported_rua", rua);
  }
  return out;
}

}  // namespace mh::tlsrpt
