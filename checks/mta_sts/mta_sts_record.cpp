// MTA-STS TXT record parser following the RFC 8461 §3.1 ABNF.
#include "checks/mta_sts/mta_sts_record.hpp"
#include "checks/core/text.hpp"
#include "checks/core/txt_fields.hpp"

#include <algorithm>

namespace mh::mta_sts {
namespace {

constexpr std::string_view kVersion = "v=STSv1";
constexpr std::size_t kMaxIdLength = 32;       // sts-id = %s"id=" 1*32(ALPHA / DIGIT)

using ascii::isAlnum;

MtaStsRecord invalid(MtaStsRecord r, std::string problem) {
  r.state = StsRecordState::Invalid;
  r.problem = std::move(problem);
  r.id.clear();  // an invalid record has no id a sender would use
  return r;
}

}  // namespace

std::string_view toString(StsRecordState s) {
  switch (s) {
    case StsRecordState::Valid:
      return "valid";
    case StsRecordState::Invalid:
      return "invalid";
    case StsRecordState::NotSts:
      return "not_sts";
  }
  return "not_sts";
}

bool beginsWithStsVersion(std::string_view text) {
  return txt_fields::beginsWithVersion(text, kVersion);
}

MtaStsRecord parseMtaStsRecord(std::string_view text) {
  MtaStsRecord r;
  r.looks_like_sts = text.find("v=STS") != std::string_view::npos;
  if (!beginsWithStsVersion(text)) {
    if (text.starts_with("v=STS")) {
      r.problem = "version is not STSv1";
    } else if (text.find(kVersion) != std::string_view::npos) {
      r.problem = "v=STSv1 is not the first field";
    } else {
      r.problem = "does not begin with v=STSv1";
    }
    return r;
  }
  // Trailing whitespace is tolerated (the ABNF has none after the last field or separator);
  // a publisher's stray space is not worth declaring the record absent.
  // sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
  // sts-field = sts-id / sts-extension.
  bool haveId = false;
  std::size_t fields = 0;
  const std::string problem = txt_fields::readFields(
      text, kVersion, false, [&](std::string_view name, std::string_view value) -> std::string {
        ++fields;
        if (name != "id") {
          std::string extension = txt_fields::extensionProblem(name, value);
          if (extension.empty()) r.extensions.emplace_back(std::string(name), std::string(value));
          return extension;
        }
        // The ABNF would also read a malformed id as an extension named "id", but id is
        // required and identifies the policy version; a malformed or repeated one leaves no
        // usable id.
        if (haveId) return "id appears more than once";
        if (value.empty() || value.size() > kMaxIdLength ||
            !std::all_of(value.begin(), value.end(), isAlnum))
          return "id must be 1 to 32 letters or digits";
        r.id = std::string(value);
        haveId = true;
        return "";
      });
  if (!problem.empty()) return invalid(std::move(r), problem);
  if (fields == 0 || !haveId) return invalid(std::move(r), "id is missing (required)");
  r.state = StsRecordState::Valid;
  return r;
}

Json toJson(const MtaStsRecord& record) {
  Json out = Json::object({{"state", std::string(toString(record.state))}});
  if (!record.problem.empty()) out.set("problem", record.problem);
  if (!record.id.empty()) out.set("id", record.id);
  if (!record.extensions.empty()) {
    Json ext = Json::object();
    for (const auto& [k, v] : record.extensions) ext.set(k, v);
    out.set("extensions", ext);
  }
  return out;
}

}  // namespace mh::mta_sts
