// Fuzz target: the TLS-RPT TXT record parser and its URI validation must not crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/tlsrpt/tlsrpt_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mh::tlsrpt::toJson(mh::tlsrpt::parseTlsRptRecord(text)).dump();
  (void)mh::tlsrpt::isValidUri(text);
  return 0;
}
