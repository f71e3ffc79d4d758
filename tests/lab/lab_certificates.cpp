// Issues lab leaf certificates (EC P-256, SHA-256) signed by the lab CA or by themselves.
#include "tests/lab/lab_certificates.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

#include "checks/tls/openssl_ptr.hpp"
#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::lab {

namespace {

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using tls::X509Ptr;
using PkeyPtr = tls::EvpPkeyPtr;
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

std::string opensslError(const std::string& what) {
  char buf[256] = "";
  if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  tls::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

std::optional<LabCertificate> issueLabCertificate(const LabCertificateSpec& spec,
                                                  std::string& why) {
  const auto& pki = tls::testing::labPki();
  if (!pki.ok) {
    why = "the lab PKI could not be made (openssl CLI)";
    return std::nullopt;
  }
  FilePtr caCertFile(std::fopen(pki.ca_file.c_str(), "r"));
  FilePtr caKeyFile(std::fopen((pki.dir / "ca.key").c_str(), "r"));
  if (!caCertFile || !caKeyFile) {
    why = "cannot read the lab CA in " + pki.dir.string();
    return std::nullopt;
  }
  X509Ptr ca(PEM_read_X509(caCertFile.get(), nullptr, nullptr, nullptr));
  PkeyPtr caKey(PEM_read_PrivateKey(caKeyFile.get(), nullptr, nullptr, nullptr));
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!ca || !caKey || !key || !cert) {
    why = opensslError("lab CA or new key");
    return std::nullopt;
  }
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serialNumber(
      BN_bin2bn(serial, sizeof serial, nullptr), BN_free);
  X509_set_version(cert.get(), 2);
  BN_to_ASN1_INTEGER(serialNumber.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count()));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.host.c_str()), -1, -1, 0);
  X509* issuer = spec.self_signed ? cert.get() : ca.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  if (!addExtension(cert.get(), issuer, NID_subject_alt_name, "DNS:" + spec.host) ||
      !addExtension(cert.get(), issuer, NID_basic_constraints, "CA:FALSE") ||
      !addExtension(cert.get(), issuer, NID_ext_key_usage, "serverAuth")) {
    why = opensslError("certificate extensions");
    return std::nullopt;
  }
  EVP_PKEY* signer = spec.self_signed ? key.get() : caKey.get();
  if (X509_sign(cert.get(), signer, EVP_sha256()) <= 0) {
    why = opensslError("X509_sign");
    return std::nullopt;
  }

  LabCertificate out{(pki.dir / (spec.file_name + ".pem")).string(),
                     (pki.dir / (spec.file_name + ".key")).string()};
  FilePtr certOut(std::fopen(out.cert_file.c_str(), "w"));
  FilePtr keyOut(std::fopen(out.key_file.c_str(), "w"));
  if (!certOut || !keyOut || PEM_write_X509(certOut.get(), cert.get()) != 1 ||
      PEM_write_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    why = "cannot write " + out.cert_file;
    return std::nullopt;
  }
  return out;
}

}  // namespace mh::lab
