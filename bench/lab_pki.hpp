// The bench's lab PKI, made with the OpenSSL API at start: a CA, two leaf keys, and leaf
// certificates minted on demand per host name and kind (valid, expired, self-signed, wrong name).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "checks/tls/openssl_ptr.hpp"

namespace mh::bench {

using tls::X509Ptr;
using PkeyPtr = tls::EvpPkeyPtr;

enum class CertKind : std::uint8_t {
  Valid,       // issued by the lab CA for the name, valid from yesterday for 90 days
  Expired,     // issued by the lab CA for the name, expired 10 days ago
  SelfSigned,  // for the name, signed with its own key
  WrongName,   // issued by the lab CA for "www.<parent of the name>" (the web site's name)
};

enum class LeafKey : std::uint8_t { Rsa2048, EcdsaP256 };

// Key generation happens once, in the constructor (the CA's RSA 2048 key and the two leaf keys);
// a leaf certificate costs one signature and is cached (least recently used evicted beyond
// `cache_size`). Thread safety: certificate() may be called from any thread.
class LabPki {
 public:
  // Writes the CA certificate to dir/lab-ca.pem. Throws std::runtime_error when OpenSSL fails.
  explicit LabPki(const std::filesystem::path& dir, std::size_t cache_size = 1024);
  LabPki(const LabPki&) = delete;
  LabPki& operator=(const LabPki&) = delete;

  const std::string& caFile() const { return ca_file_; }
  EVP_PKEY* key(LeafKey k) const { return k == LeafKey::Rsa2048 ? rsa_.get() : ecdsa_.get(); }

  // A new reference to the certificate (the caller frees it). Throws std::runtime_error when
  // OpenSSL fails.
  X509Ptr certificate(CertKind kind, LeafKey key, std::string_view name);
  std::size_t minted() const;

 private:
  X509Ptr mint(CertKind kind, LeafKey key, std::string_view name) const;

  std::string ca_file_;
  PkeyPtr ca_key_;
  X509Ptr ca_;
  PkeyPtr rsa_;
  PkeyPtr ecdsa_;
  std::size_t cache_size_;
  mutable std::mutex mu_;       // guards the cache and minted_
  std::list<std::string> lru_;  // most recently used first
  struct Entry {
    X509Ptr cert;
    std::list<std::string>::iterator position;
  };
  std::unordered_map<std::string, Entry> cache_;
  std::size_t minted_ = 0;
};

}  // namespace mh::bench
