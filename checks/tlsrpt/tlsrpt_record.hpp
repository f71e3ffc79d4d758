// TLS-RPT TXT record parser for _smtp._tls.<domain> (RFC 8460 §3): text to struct.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/json.hpp"

namespace mh::tlsrpt {

enum class TlsRptRecordState {
  Valid,
  Invalid,    // begins with v=TLSRPTv1 but breaks the §3 grammar or has no usable rua
  NotTlsRpt,  // does not begin with "v=TLSRPTv1": discarded by senders (§3)
};

std::string_view toString(TlsRptRecordState s);

struct TlsRptRecord {
  TlsRptRecordState state = TlsRptRecordState::NotTlsRpt;
  std::string problem;             // why Invalid or NotTlsRpt, a short English phrase
  bool looks_like_tlsrpt = false;  // mentions "v=TLSRPT" (a misformatted record, not other TXT)
  std::vector<std::string> rua;    // mailto: and https: URIs, as written
  std::vector<std::string> unsupported_rua;  // syntactically valid URIs of other schemes
  std::vector<std::pair<std::string, std::string>> extensions;  // ignored by senders
};

// True when the text begins with the version field "v=TLSRPTv1", followed by ";", WSP or the end.
bool beginsWithTlsRptVersion(std::string_view text);

// RFC 3986 URI syntax (scheme ":" rest) with RFC 8460's rule that "," and "!" are encoded.
bool isValidUri(std::string_view uri);

// Parses one TXT record (strings already joined). Never throws.
TlsRptRecord parseTlsRptRecord(std::string_view text);

Json toJson(const TlsRptRecord& record);

}  // namespace mh::tlsrpt
