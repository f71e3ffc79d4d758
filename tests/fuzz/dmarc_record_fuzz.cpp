// Fuzz target for checks/dmarc/dmarc_record.cpp: any bytes parse without crashing or hanging.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/dmarc/dmarc_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mh::dmarc::parseDmarcRecord(text);
  // Exercise the derived accessors too; a usable record always has a policy.
  if (parsed.usable) {
    (void)parsed.record.policy();
    (void)parsed.record.subdomainPolicy();
    (void)parsed.record.nonExistentPolicy();
  }
  if (parsed.is_dmarc != mh::dmarc::startsWithDmarcVersion(text)) __builtin_trap();
  (void)parsed.worst();
  return 0;
}
