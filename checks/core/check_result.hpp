// What every check returns: a status, stable-tag findings with named arguments, evidence, remediation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "checks/core/json.hpp"
#include "checks/core/status.hpp"

namespace mh {

// A named argument of a finding: text or an integer (SPF_TOO_MANY_LOOKUPS{count=12}).
using ArgValue = std::variant<std::string, std::int64_t>;

// One diagnostic. The tag is stable and append-only (never renamed once stored); the human text
// is rendered at the edge from the tag's template, so wording can change without a migration.
struct Finding {
  std::string tag;
  Status status = Status::Info;
  std::vector<std::pair<std::string, ArgValue>> args;

  Finding& arg(std::string name, std::string value);
  Finding& arg(std::string name, std::int64_t value);
  // The argument's value as text, or "" when absent.
  std::string argText(std::string_view name) const;
};

Finding makeFinding(std::string tag, Status status);

// Bilingual advice on what to publish or change.
struct Remediation {
  std::string vi;
  std::string en;
  bool empty() const { return vi.empty() && en.empty(); }
};

// The catalogue entry of a tag: its message templates and remediation. Templates use {name}
// placeholders filled from the finding's arguments; message_vi uses the same placeholders as
// message and is last so that entries without it still initialise.
struct TagSpec {
  std::string_view tag;
  std::string_view check_id;
  std::string_view message;         // English, e.g. "{count} DNS-querying terms (limit 10)"
  std::string_view remediation_en;  // empty when the finding needs no action
  std::string_view remediation_vi;
  std::string_view message_vi;  // Vietnamese, the same {placeholders} as message
};

struct CheckResult {
  std::string id;  // rubric ID, e.g. "SPF-02"
  Status status = Status::Na;
  std::vector<Finding> findings;
  Json evidence;  // the queries and answers (or other observations) the verdict used
  Remediation remediation;

  // Adds a finding and raises the check status to at least the finding's status.
  Finding& add(Finding f);
  bool hasTag(std::string_view tag) const;
};

// Fills {name} placeholders of a template from a finding's arguments; unknown names stay as-is.
std::string renderTemplate(std::string_view tmpl, const Finding& f);

// Looks up a tag in a catalogue; nullptr when unknown.
const TagSpec* findTagSpec(std::span<const TagSpec> catalogue, std::string_view tag);

// Sets result.remediation from the catalogue entries of the findings that need action
// (status warn or fail), joined one per line, each rendered with the finding's arguments.
void fillRemediation(CheckResult& result, std::span<const TagSpec> catalogue);

Json toJson(const Finding& f);
Json toJson(const CheckResult& r);

}  // namespace mh
