// The bench's lab PKI: CA and leaf keys generated once, leaf certificates signed per name.
#include "bench/lab_pki.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace mh::bench {

namespace {

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

constexpr long kDay = 86400;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "";
  if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw std::runtime_error("lab PKI: " + what + ": " + buf);
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("extension " + value);
}

// A certificate skeleton: serial, dates relative to now, subject CN, public key.
X509Ptr skeleton(EVP_PKEY* key, const std::string& commonName, long fromSeconds, long toSeconds) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  X509_set_version(cert.get(), 2);
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), fromSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), toSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  return cert;
}

// "www." + the name without its first label: the web site's name next to an MX host name.
std::string wrongName(std::string_view name) {
  const auto dot = name.find('.');
  return "www." + std::string(dot == std::string_view::npos ? name : name.substr(dot + 1));
}

}  // namespace

LabPki::LabPki(const std::filesystem::path& dir, std::size_t cache_size)
    : ca_file_((dir / "lab-ca.pem").string()), cache_size_(cache_size) {
  ca_key_.reset(EVP_RSA_gen(2048));
  rsa_.reset(EVP_RSA_gen(2048));
  ecdsa_.reset(EVP_EC_gen("P-256"));
  if (!ca_key_ || !rsa_ || !ecdsa_) fail("key generation");
  ca_ = skeleton(ca_key_.get(), "mailhygiene national bench CA", -kDay, 30 * kDay);
  X509_set_issuer_name(ca_.get(), X509_get_subject_name(ca_.get()));
  addExtension(ca_.get(), ca_.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(ca_.get(), ca_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(ca_.get(), ca_.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(ca_.get(), ca_key_.get(), EVP_sha256()) <= 0) fail("CA signature");
  std::unique_ptr<std::FILE, FileClose> out(std::fopen(ca_file_.c_str(), "w"));
  if (!out || PEM_write_X509(out.get(), ca_.get()) != 1) fail("cannot write " + ca_file_);
}

X509Ptr LabPki::mint(CertKind kind, LeafKey key, std::string_view name) const {
  const std::string subject = kind == CertKind::WrongName ? wrongName(name) : std::string(name);
  const bool expired = kind == CertKind::Expired;
  X509Ptr cert = skeleton(this->key(key), subject, expired ? -400 * kDay : -kDay,
                          expired ? -10 * kDay : 90 * kDay);
  X509* issuer = kind == CertKind::SelfSigned ? cert.get() : ca_.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  addExtension(cert.get(), issuer, NID_subject_alt_name, "DNS:" + subject);
  addExtension(cert.get(), issuer, NID_basic_constraints, "CA:FALSE");
  addExtension(cert.get(), issuer, NID_key_usage,
               key == LeafKey::Rsa2048 ? "critical,digitalSignature,keyEncipherment"
                                       : "critical,digitalSignature");
  addExtension(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
  if (kind != CertKind::SelfSigned)
    addExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
  EVP_PKEY* signer = kind == CertKind::SelfSigned ? this->key(key) : ca_key_.get();
  if (X509_sign(cert.get(), signer, EVP_sha256()) <= 0) fail("leaf signature");
  return cert;
}

X509Ptr LabPki::certificate(CertKind kind, LeafKey key, std::string_view name) {
  std::string cacheKey;
  cacheKey += char('0' + int(kind));
  cacheKey += char('0' + int(key));
  cacheKey += name;
  {
    const std::lock_guard lock(mu_);
    if (auto it = cache_.find(cacheKey); it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.position);
      X509_up_ref(it->second.cert.get());
      return X509Ptr(it->second.cert.get());
    }
  }
  X509Ptr cert = mint(kind, key, name);  // outside the lock: a signature each
  const std::lock_guard lock(mu_);
  ++minted_;
  if (cache_.find(cacheKey) == cache_.end()) {
    if (cache_.size() >= cache_size_ && !lru_.empty()) {
      cache_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(cacheKey);
    X509_up_ref(cert.get());
    cache_.emplace(cacheKey, Entry{X509Ptr(cert.get()), lru_.begin()});
  }
  return cert;
}

std::size_t LabPki::minted() const {
  const std::lock_guard lock(mu_);
  return minted_;
}

}  // namespace mh::bench
