// The text of OpenSSL's per-thread error queue, for evidence and error messages.
#include "checks/tls/openssl_errors.hpp"

#include <openssl/err.h>

namespace mh::tls {

std::string opensslErrors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace mh::tls
