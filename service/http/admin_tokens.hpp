// Admin bearer tokens: configured as SHA-256 hashes, checked in constant time.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mh::service::http {

// Lower-case hex SHA-256 of text (what admin.token_sha256 holds: `printf %s TOKEN | sha256sum`).
std::string sha256Hex(std::string_view text);

class AdminTokens {
 public:
  // Hashes as 64 lower-case hex digits (validated by the configuration); none: admin disabled.
  explicit AdminTokens(const std::vector<std::string>& sha256_hex);

  // True when the Authorization header value is "Bearer <token>" for a configured token. The
  // token's hash is compared with every configured hash with CRYPTO_memcmp.
  bool allows(std::string_view authorization) const;

 private:
  std::vector<std::array<unsigned char, 32>> hashes_;
};

}  // namespace mh::service::http
