// `mailhygiene check DOMAIN`: one domain's audit on the terminal or as JSON.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mh::service {

// Exit status: 0 the audit ran (whatever it found), 2 usage error or invalid domain, 1 internal
// failure (an exception from a broken environment, caught here at the command boundary).
int runCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text of the command.
std::string checkUsage();

}  // namespace mh::service
