// The scoring rubric as data, in one place (guidance.md §3.2-3.3 with the 2026-12 revision §3.6):
// every check's names, weight, severity and profile; the severity of the findings that weigh
// more than their check; the caps, grade bounds and version. scoring.cpp applies it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "checks/core/check_result.hpp"
#include "checks/core/json.hpp"

namespace mh {

// Ordered on purpose: later values weigh more in caps and reports.
enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };

// Which domains a check applies to (guidance §3.1); for the others it is N/A.
enum class Applies { All, Receiving, Sending };

struct RubricEntry {
  std::string_view id;
  std::string_view title_en;
  std::string_view title_vi;
  int weight;  // points out of 100 for a sending and receiving domain
  Severity severity;
  Applies applies;
  // False while no check of the audit produces this ID (ACC-01, issue 15): it is then never in a
  // score's denominator, and the rubric says so rather than pretending it is judged.
  bool runs = true;
};

// What a critical finding does to the grade (guidance §3.3 caps).
enum class Cap {
  Critical,          // at most D: any "C" failure
  BreaksDelivery,    // at most D: bogus DNSSEC or DANE, mail from validating senders fails
  LegacySslNoDmarc,  // F when DMARC is also absent: SSLv2/SSLv3 offered
};

// A finding tag whose warn or fail carries a severity of its own, above its check's (the "C"
// cells of guidance §3.2 and the decisions of §3.6). With `arg` set, only the findings whose
// argument `arg` is one of `values` ('|'-separated) are meant.
struct TagRule {
  std::string_view tag;
  Severity severity;
  Cap cap;
  std::string_view arg = {};
  std::string_view values = {};
};

// A score cap: the highest score a domain can show when the cap applies.
struct CapRule {
  Cap cap;
  double max_score;
  std::string_view en;
  std::string_view vi;
};

// The lowest score of each grade, best grade first (guidance §3.3).
struct GradeBound {
  std::string_view grade;
  double min_score;
};

// Bumped whenever a weight, severity, tag rule, cap, grade bound or applicability changes, and
// stored with every run so that trends compare like with like; results stored under an earlier
// version keep the score they were given. The fingerprint test (tests/checks/core/rubric_test.cpp)
// fails when the data below changes without a new version.
// 2026.11-2: SPF "+all" caps the grade at D.
// 2026.12-1: guidance §3.6: SPF permerror of any cause and SPF passing arbitrary senders are
// critical; no resolvable MX host on a receiving domain is critical; RSA-2048 passes TLS-04;
// DMARC-04 warns about report destinations that cannot receive mail; a resolver that strips
// DNSSEC makes DNSSEC-01 and DANE-01 a run-level error.
inline constexpr std::string_view kRubricVersion = "2026.12-1";

// A warn earns this share of the check's weight (guidance §3.3).
inline constexpr double kWarnShare = 0.5;

std::span<const RubricEntry> rubric();
const RubricEntry* findRubricEntry(std::string_view id);
std::span<const TagRule> tagRules();
std::span<const CapRule> capRules();
const CapRule& capRule(Cap cap);
std::span<const GradeBound> gradeBounds();

// The tag rule a finding falls under, or nullptr when it weighs as its check.
const TagRule* findTagRule(const Finding& f);

std::string_view toString(Severity s);
std::string_view toString(Cap c);

// The whole rubric, machine-readable (GET /api/v1/rubric, the fingerprint test).
Json rubricJson();

// The rubric as Markdown tables (checks; critical findings; caps and grades): the README's
// "Rubric" section is this text (`mailhygiene rubric`), and a test keeps the two equal.
std::string rubricMarkdown();

}  // namespace mh
