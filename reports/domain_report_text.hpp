// The terminal form of one domain's report: a line per check, its findings and how to fix them.
#pragma once

#include <string>

#include "checks/audit/domain_audit.hpp"

namespace mh::reports {

struct TextOptions {
  bool colour = false;        // ANSI colours (on a TTY)
  bool vietnamese = true;     // print the Vietnamese remediation, caps and tier reasons too
  bool show_passing = true;   // list the findings of passing checks too
};

std::string renderText(const audit::DomainReport& report, const TextOptions& options);

}  // namespace mh::reports
