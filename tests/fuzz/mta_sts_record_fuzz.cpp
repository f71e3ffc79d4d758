// Fuzz target: the MTA-STS TXT record parser and the policy file parser must not crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/mta_sts/mta_sts_policy.hpp"
#include "checks/mta_sts/mta_sts_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mh::mta_sts::toJson(mh::mta_sts::parseMtaStsRecord(text)).dump();
  auto policy = mh::mta_sts::parseMtaStsPolicy(text);
  (void)mh::mta_sts::toJson(policy).dump();
  (void)policy.matchesMx(text);
  (void)mh::mta_sts::isValidMxPattern(text);
  return 0;
}
