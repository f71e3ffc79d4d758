// Fuzz target: a POST body from any client (the self-check's {"domain": ...}) read, validated and
// answered as the API does; must not crash, and every answer must be valid UTF-8 JSON.
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/json.hpp"
#include "service/http/json_body.hpp"

namespace {

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool validUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The JSON text as a client receives it must be valid UTF-8 and parse back.
void checkAnswer(const mh::Json& answer) {
  const std::string text = answer.dump();
  if (!validUtf8(text)) __builtin_trap();
  try {
    (void)Poco::JSON::Parser().parse(text);
  } catch (const std::exception&) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // POST /api/v1/self-check: the domain member, then its validation; the error message quotes
  // what the client sent.
  if (auto field = mh::service::http::selfCheckDomainField(body)) {
    std::string error;
    auto domain = mh::audit::normaliseDomainArgument(*field, error);
    const std::string message =
        domain ? "'" + *domain + "' is not in the registry" : "invalid domain name: " + error;
    checkAnswer(mh::Json::object({{"error", mh::Json::object({{"code", "invalid_domain"},
                                                              {"message", message}})},
                                  {"domain", *field}}));
  }
  return 0;
}
