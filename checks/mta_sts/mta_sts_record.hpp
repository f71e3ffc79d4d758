// MTA-STS TXT record parser for _mta-sts.<domain> (RFC 8461 §3.1): text to struct.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/json.hpp"

namespace mh::mta_sts {

enum class StsRecordState {
  Valid,
  Invalid,  // begins with v=STSv1 but breaks the §3.1 grammar (id missing or malformed, ...)
  NotSts,   // does not begin with "v=STSv1": discarded by senders (§3.1)
};

std::string_view toString(StsRecordState s);

struct MtaStsRecord {
  StsRecordState state = StsRecordState::NotSts;
  std::string problem;          // why Invalid or NotSts, a short English phrase
  bool looks_like_sts = false;  // mentions "v=STS" (a misformatted STS record, not other TXT)
  std::string id;               // 1*32 ALPHA / DIGIT
  std::vector<std::pair<std::string, std::string>> extensions;  // ignored by senders
};

// True when the text begins with the version field "v=STSv1", followed by ";", WSP or the end.
bool beginsWithStsVersion(std::string_view text);

// Parses one TXT record (strings already joined). Never throws.
MtaStsRecord parseMtaStsRecord(std::string_view text);

Json toJson(const MtaStsRecord& record);

}  // namespace mh::mta_sts
