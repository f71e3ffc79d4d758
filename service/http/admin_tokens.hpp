// Bearer tokens: configured as SHA-256 hashes (admin, metrics scrape), checked in constant time,
// guesses throttled per client; random tokens and session values.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/http/rate_limiter.hpp"

namespace mh::service::http {

// The shortest token accepted: a shorter one is refused without being compared, so a weak token
// put in the configuration by mistake never works. Make tokens with `openssl rand -hex 32`.
inline constexpr std::size_t kMinAdminTokenLength = 32;

// Lower-case hex SHA-256 of text (what admin.token_sha256 holds: `printf %s TOKEN | sha256sum`).
std::string sha256Hex(std::string_view text);

// `bytes` random bytes from OpenSSL's RAND_bytes as lower-case hex (throws when the generator
// fails: a broken environment).
std::string randomHex(std::size_t bytes);

// The token of an Authorization header value "Bearer <token>"; nullopt for another scheme or none.
std::optional<std::string_view> bearerToken(std::string_view authorization);

class AdminTokens {
 public:
  // Hashes as 64 lower-case hex digits (validated by the configuration); none: admin disabled.
  explicit AdminTokens(const std::vector<std::string>& sha256_hex);

  // True when the Authorization header value is "Bearer <token>" for a configured token of at
  // least kMinAdminTokenLength characters. The token's hash is compared with every configured
  // hash with CRYPTO_memcmp.
  bool allows(std::string_view authorization) const;
  // The same for the token itself.
  bool matchesToken(std::string_view token) const;
  // True when `sha256_hex` is one of the configured hashes (a session of a configuration token
  // ends when its token leaves the configuration).
  bool containsHash(std::string_view sha256_hex) const;
  bool empty() const { return hashes_.empty(); }

 private:
  std::vector<std::array<unsigned char, 32>> hashes_;
};

// Failed admin-token attempts per client (token bucket, aggregated by network under pressure):
// a client that has used up its attempts is answered 429 before its token is looked at.
class AdminAttempts {
 public:
  explicit AdminAttempts(int failures_per_minute) : failures_(failures_per_minute) {}
  // Seconds before `client` may try again (0: now).
  int wait(const std::string& client);
  void failed(const std::string& client);

 private:
  RateLimiter failures_;
};

}  // namespace mh::service::http
