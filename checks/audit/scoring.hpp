// Scoring of one domain's report against the rubric (guidance.md §3.3): score, grade, caps, tier, DMARC phase.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/json.hpp"

namespace mh::audit {

enum class Grade { A, B, C, D, F };

// Ordered by how much of the baseline a domain meets. Indeterminate sits apart at the bottom: a
// criterion could not be judged (lookup error, SMTP not probed) and none was clearly failed, so
// the domain is neither accused nor credited.
enum class Tier { Indeterminate = 0, NonCompliant = 1, Partial = 2, Baseline = 3, Advanced = 4 };

// DMARC deployment phase for trends (after canada-ca/tracker). Maintain needs 90 days of history
// and is decided by the trend layer; a single report reaches Enforce at most.
enum class DmarcPhase { Unknown, NotDeployed, Assess, Deploy, Enforce, Maintain };

struct DomainScore {
  std::optional<double> score;  // 0..100 after caps; nullopt when no check could be scored
  std::optional<Grade> grade;
  double earned = 0;    // points before caps
  double possible = 0;  // weights of the scored checks
  std::vector<std::string> scored;    // check IDs in the denominator
  std::vector<std::string> excluded;  // check IDs left out (error, n/a, info, not run)
  std::vector<std::string> caps;      // caps applied, e.g. "critical failure: DMARC-02"
  std::vector<std::string> caps_vi;   // the same caps in Vietnamese, one for one
  Tier tier = Tier::Indeterminate;
  std::vector<std::string> tier_reasons;     // why the tier is what it is, in English
  std::vector<std::string> tier_reasons_vi;  // the same reasons in Vietnamese, one for one
  DmarcPhase dmarc_phase = DmarcPhase::Unknown;
};

// Pure: the same report always gives the same score. Uses the rubric's weights and severities.
DomainScore scoreReport(const DomainReport& report);

std::string_view toString(Grade g);
std::string_view toString(Tier t);
std::string_view tierLabelVi(Tier t);
std::string_view toString(DmarcPhase p);

Json toJson(const DomainScore& s);

}  // namespace mh::audit
