// MTA-STS TXT record parser following the RFC 8461 §3.1 ABNF.
#include "checks/mta_sts/mta_sts_record.hpp"
#include "checks/core/text.hpp"

namespace mh::mta_sts {
namespace {

constexpr std::string_view kVersion = "v=STSv1";
constexpr std::size_t kMaxIdLength = 32;       // sts-id = %s"id=" 1*32(ALPHA / DIGIT)
constexpr std::size_t kMaxExtNameLength = 32;  // (ALPHA / DIGIT) *31(...)

using ascii::isAlnum;
using ascii::isWsp;

// sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): visible ASCII except "=" and ";".
bool isExtValueChar(char c) {
  return c >= 0x21 && c <= 0x7E && c != '=' && c != ';';
}

bool isExtName(std::string_view s) {
  if (s.empty() || s.size() > kMaxExtNameLength || !isAlnum(s.front())) return false;
  for (char c : s)
    if (!isAlnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

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
  if (!text.starts_with(kVersion)) return false;
  return text.size() == kVersion.size() || text[kVersion.size()] == ';' ||
         isWsp(text[kVersion.size()]);
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
  while (!text.empty() && isWsp(text.back())) text.remove_suffix(1);

  // sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
  // sts-sep = *WSP %x3B *WSP; sts-field = sts-id / sts-extension.
  std::size_t pos = kVersion.size();
  bool haveId = false;
  std::size_t fields = 0;
  while (pos < text.size()) {
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size() || text[pos] != ';')
      return invalid(std::move(r), "fields must be separated by ';'");
    ++pos;
    while (pos < text.size() && isWsp(text[pos])) ++pos;
    if (pos >= text.size()) break;  // the optional trailing separator
    std::size_t end = pos;
    while (end < text.size() && text[end] != ';' && !isWsp(text[end])) ++end;
    std::string_view field = text.substr(pos, end - pos);
    pos = end;
    auto eq = field.find('=');
    if (eq == std::string_view::npos)
      return invalid(std::move(r), "field without '=': " + std::string(field.substr(0, 40)));
    std::string_view name = field.substr(0, eq);
    std::string_view value = field.substr(eq + 1);
    ++fields;
    if (name == "id") {
      // The ABNF would also read a malformed id as an extension named "id", but id is required
      // and identifies the policy version; a malformed or repeated one leaves no usable id.
      if (haveId) return invalid(std::move(r), "id appears more than once");
      if (value.empty() || value.size() > kMaxIdLength)
        return invalid(std::move(r), "id must be 1 to 32 letters or digits");
      for (char c : value)
        if (!isAlnum(c)) return invalid(std::move(r), "id must be 1 to 32 letters or digits");
      r.id = std::string(value);
      haveId = true;
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
