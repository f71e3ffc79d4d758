// TLS-RPT TXT record parser following the RFC 8460 §3 ABNF.
#include "checks/tlsrpt/tlsrpt_record.hpp"
#include "checks/core/text.hpp"
#include "checks/core/txt_fields.hpp"

#include <algorithm>

namespace mh::tlsrpt {
namespace {

constexpr std::string_view kVersion = "v=TLSRPTv1";

using ascii::isAlnum;
using ascii::isAlpha;
using ascii::isHex;

// RFC 3986 characters allowed outside pct-encoding, minus "," and "!" which RFC 8460 §3 says
// MUST be encoded (and minus ";" which would end the field).
bool isUriChar(char c) {
  if (isAlnum(c)) return true;
  return std::string_view("-._~:/?#[]@$&'()*+=").find(c) != std::string_view::npos;
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
  return txt_fields::beginsWithVersion(text, kVersion);
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
  // tlsrpt-record = tlsrpt-version 1*(tlsrpt-sep tlsrpt-field) [tlsrpt-sep]
  // tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
  bool haveRua = false;
  const std::string problem = txt_fields::readFields(
      text, kVersion, true, [&](std::string_view name, std::string_view value) -> std::string {
        if (name != "rua") {
          std::string extension = txt_fields::extensionProblem(name, value);
          if (extension.empty()) r.extensions.emplace_back(std::string(name), std::string(value));
          return extension;
        }
        // rua is one field holding a comma-separated list; a second rua= field has no defined
        // meaning (which list applies?), so the record is treated as invalid.
        if (haveRua) return "rua appears more than once";
        haveRua = true;
        while (true) {
          auto comma = value.find(',');
          std::string_view uri = ascii::trimWsp(value.substr(0, comma));
          if (!isValidUri(uri)) return "rua is not a URI: " + std::string(uri.substr(0, 60));
          std::string scheme = lowerScheme(uri);  // schemes are case-insensitive (RFC 3986 §3.1)
          if ((scheme == "mailto" || scheme == "https") && isUsableDestination(uri, scheme))
            r.rua.emplace_back(uri);
          else if (scheme == "mailto" || scheme == "https")
            return "rua " + scheme + ": URI has no destination";
          else
            r.unsupported_rua.emplace_back(uri);
          if (comma == std::string_view::npos) return "";
          value.remove_prefix(comma + 1);
        }
      });
  if (!problem.empty()) return invalid(std::move(r), problem);
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
