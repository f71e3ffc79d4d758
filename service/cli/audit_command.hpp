// `mailhygiene audit`: a national audit of every domain of the list into the SQLite store, resumable.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mh::service {

// Exit status: 0 the run completed (whatever it found), 2 usage error or unreadable input,
// 1 internal failure, 130 interrupted (SIGINT/SIGTERM; the run is resumable).
int runAuditCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string auditUsage();

}  // namespace mh::service
