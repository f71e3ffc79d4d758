// Fuzz target: the DKIM key record parser (tag-list, base64, OpenSSL DER decoding) must not crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/dkim/dkim_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mh::dkim::DkimKey key = mh::dkim::parseDkimKey(text);
  (void)mh::dkim::toJson(key).dump();
  (void)key.sha1Only();
  std::string raw;
  (void)mh::dkim::decodeBase64(text, raw);
  return 0;
}
