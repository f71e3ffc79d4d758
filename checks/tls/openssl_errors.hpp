// The text of OpenSSL's per-thread error queue, for evidence and error messages.
#pragma once

#include <string>

namespace mh::tls {

// Empties this thread's OpenSSL error queue and returns its entries joined by "; " (empty when
// there were none).
std::string opensslErrors();

}  // namespace mh::tls
