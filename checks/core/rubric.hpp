// The scoring rubric (guidance.md §3.2): every check's ID, title, weight, severity and profile, in one place.
#pragma once

#include <optional>
#include <span>
#include <string_view>

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
};

// Bumped whenever a weight, severity, cap or applicability changes, and stored with every run so
// that trends compare like with like. 2026.11-2: SPF "+all" caps the grade at D (scoring.cpp).
inline constexpr std::string_view kRubricVersion = "2026.11-2";

std::span<const RubricEntry> rubric();
const RubricEntry* findRubricEntry(std::string_view id);
std::string_view toString(Severity s);

}  // namespace mh
