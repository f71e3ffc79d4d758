// `mailhygiene token`: accounts and their bearer tokens in the store (create, list, revoke).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mh::service {

// Exit status: 0 done, 2 usage error (unknown option, bad role or domain, no such database or
// account), 1 internal failure (store error). `token create` prints the new token once, as the
// last line of its output; only its SHA-256 is stored.
int runTokenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string tokenUsage();

}  // namespace mh::service
