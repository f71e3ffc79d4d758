// `mailhygiene store`: maintenance of the SQLite store (compact: the evidence retention).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mh::service {

// Exit status: 0 done, 2 usage error (unknown option or subcommand, no such database),
// 1 internal failure (store error).
int runStoreCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string storeUsage();

}  // namespace mh::service
