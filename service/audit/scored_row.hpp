// The stored row of a domain report together with its score, grade, tier and DMARC phase.
#pragma once

#include "checks/audit/domain_audit.hpp"
#include "service/store/result_store.hpp"

namespace mh::service {

// rowFromReport plus the scorer's verdict (what every writer of results stores).
store::DomainReportRow rowWithScore(const audit::DomainReport& report);

// The report back from a stored row (rubric version from its run), for the same JSON as `check`.
audit::DomainReport reportFromRow(const store::DomainReportRow& row, std::string rubric_version);

}  // namespace mh::service
