// SHA-256 of bearer tokens, their constant-time comparison, random tokens.
#include "service/http/admin_tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "service/http/client_address.hpp"

namespace mh::service::http {

namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string sha256Hex(std::string_view text) {
  const auto digest = sha256(text);
  return hex(digest.data(), digest.size());
}

std::string randomHex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return hex(buffer.data(), buffer.size());
}

std::optional<std::string_view> bearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() || authorization.substr(0, kScheme.size()) != kScheme)
    return std::nullopt;
  return authorization.substr(kScheme.size());
}

AdminTokens::AdminTokens(const std::vector<std::string>& sha256_hex) {
  for (const auto& hex : sha256_hex) {
    if (hex.size() != 64) continue;
    std::array<unsigned char, 32> hash{};
    bool ok = true;
    for (std::size_t i = 0; i < 32; ++i) {
      const int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
      ok = ok && hi >= 0 && lo >= 0;
      hash[i] = static_cast<unsigned char>((hi << 4) | (lo & 0x0f));
    }
    if (ok) hashes_.push_back(hash);
  }
}

bool AdminTokens::allows(std::string_view authorization) const {
  const auto token = bearerToken(authorization);
  return token && matchesToken(*token);
}

bool AdminTokens::containsHash(std::string_view sha256_hex) const {
  bool match = false;
  for (const auto& hash : hashes_)
    match |= sha256_hex.size() == 64 && CRYPTO_memcmp(hex(hash.data(), hash.size()).data(),
                                                      sha256_hex.data(), 64) == 0;
  return match;
}

bool AdminTokens::matchesToken(std::string_view token) const {
  if (token.size() < kMinAdminTokenLength) return false;
  const auto presented = sha256(token);
  bool match = false;
  for (const auto& hash : hashes_)
    match |= CRYPTO_memcmp(presented.data(), hash.data(), hash.size()) == 0;
  return match;
}

int AdminAttempts::wait(const std::string& client) {
  return failures_.wait(client, addressNetwork(client));
}

void AdminAttempts::failed(const std::string& client) {
  failures_.take(client, addressNetwork(client));
}

}  // namespace mh::service::http
