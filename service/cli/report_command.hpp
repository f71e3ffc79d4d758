// `mailhygiene report`: the CSV reports of the SQLite store (national run, matrix, groups, trend,
// history).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mh::service {

// Exit status: 0 written, 2 usage error (unknown option, run, kind, group or domain; no such
// database; no complete national run), 1 internal failure (store or output error).
int runReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string reportUsage();

}  // namespace mh::service
