// Pure judgement of an MX host's captured certificate chain (RFC 5280, RFC 6125) with OpenSSL.
#include "checks/tls/certificate.hpp"
#include "checks/tls/openssl_ptr.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace mh::tls {

namespace {

using StorePtr = X509StorePtr;
using StoreCtxPtr = X509StoreCtxPtr;
using StackPtr = X509StackPtr;
using NamesPtr = GeneralNamesPtr;

constexpr std::int64_t kSecondsPerDay = 86'400;

X509Ptr parseDer(const std::vector<std::uint8_t>& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string nameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t epochOf(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(::timegm(&tm));
}

// Lower is weaker: MD2/MD4/MD5 0, SHA-1 1, SHA-224 2, everything else (SHA-2/3, none) 3.
int hashRank(int mdnid) {
  switch (mdnid) {
    case NID_md2:
    case NID_md4:
    case NID_md5:
    case NID_md5_sha1:
      return 0;
    case NID_sha1:
      return 1;
    case NID_sha224:
      return 2;
    default:
      return 3;
  }
}

int signatureHashNid(X509* x) {
  int mdnid = NID_undef;
  if (X509_get_signature_info(x, &mdnid, nullptr, nullptr, nullptr) != 1) {
    // Unknown or unsupported algorithm: fall back to the OID's digest, if it names one.
    int pknid = NID_undef;
    if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid) != 1) mdnid = NID_undef;
  }
  return mdnid;
}

std::string hashName(int mdnid) {
  if (mdnid == NID_undef) return {};
  const char* sn = OBJ_nid2sn(mdnid);
  return sn != nullptr ? sn : "unknown";
}

bool isSelfSigned(X509* x) {
  return (X509_get_extension_flags(x) & EXFLAG_SS) != 0;
}

CertTrust trustOf(long verify_result) {
  switch (verify_result) {
    case -1:
      return CertTrust::Unknown;
    case X509_V_OK:
    case X509_V_ERR_CERT_NOT_YET_VALID:  // the chain was built and trusted before dates
    case X509_V_ERR_CERT_HAS_EXPIRED:    // were checked (RFC 5280 §6.1.3 order in OpenSSL)
      return CertTrust::Trusted;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return CertTrust::SelfSigned;
    default:
      return CertTrust::Untrusted;
  }
}

std::string keyTypeName(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    case EVP_PKEY_DSA:
      return "DSA";
    default:
      break;
  }
  const char* name = EVP_PKEY_get0_type_name(key);
  return name != nullptr ? name : "unknown";
}

}  // namespace

std::string_view toString(CertTrust t) {
  switch (t) {
    case CertTrust::Trusted:
      return "trusted";
    case CertTrust::SelfSigned:
      return "self-signed";
    case CertTrust::Untrusted:
      return "untrusted";
    case CertTrust::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view toString(CertDates d) {
  switch (d) {
    case CertDates::Valid:
      return "valid";
    case CertDates::ExpiringSoon:
      return "expiring-soon";
    case CertDates::Expired:
      return "expired";
    case CertDates::NotYetValid:
      return "not-yet-valid";
  }
  return "unknown";
}

std::string_view toString(KeyStrength k) {
  switch (k) {
    case KeyStrength::Good:
      return "good";
    case KeyStrength::PhaseOut:
      return "phase_out";
    case KeyStrength::Insufficient:
      return "insufficient";
  }
  return "unknown";
}

CertificateFacts examineCertificate(std::span<const CertificateData> chain, long verify_result,
                                    std::string_view host) {
  CertificateFacts f;
  f.host = std::string(host);
  if (!f.host.empty() && f.host.back() == '.') f.host.pop_back();
  f.chain_length = chain.size();
  f.verify_result = verify_result;
  if (verify_result >= 0) f.verify_error = X509_verify_cert_error_string(verify_result);
  f.trust = trustOf(verify_result);
  if (chain.empty()) {
    f.parse_error = "no certificate";
    return f;
  }
  ERR_clear_error();
  const X509Ptr leaf = parseDer(chain.front().der);
  if (!leaf) {
    f.parse_error = "the leaf certificate does not parse as DER X.509";
    ERR_clear_error();
    return f;
  }
  f.parsed = true;
  X509* x = leaf.get();
  f.subject = nameText(X509_get_subject_name(x));
  f.issuer = nameText(X509_get_issuer_name(x));
  f.not_before = epochOf(X509_get0_notBefore(x));
  f.not_after = epochOf(X509_get0_notAfter(x));
  f.self_signed = isSelfSigned(x);

  if (const NamesPtr names(
          static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
      names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
      if (n->type != GEN_DNS) continue;
      const ASN1_STRING* s = n->d.dNSName;
      f.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
  }

  if (EVP_PKEY* key = X509_get0_pubkey(x)) {
    f.key_type = keyTypeName(key);
    f.key_bits = EVP_PKEY_get_bits(key);
  }
  f.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(x));
  const int leafHash = signatureHashNid(x);
  f.signature_hash = hashName(leafHash);
  f.weakest_hash = f.signature_hash;
  f.weakest_hash_subject = f.subject;
  int weakest = hashRank(leafHash);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    const X509Ptr c = parseDer(chain[i].der);
    if (!c || isSelfSigned(c.get())) continue;
    const int nid = signatureHashNid(c.get());
    if (hashRank(nid) < weakest) {
      weakest = hashRank(nid);
      f.weakest_hash = hashName(nid);
      f.weakest_hash_subject = nameText(X509_get_subject_name(c.get()));
    }
  }

  // RFC 6125 §6.4.3: "*" only as the complete left-most label; never "w*.example.com".
  f.name_matches =
      !f.host.empty() && X509_check_host(x, f.host.data(), f.host.size(),
                                         X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
  ERR_clear_error();
  return f;
}

CertificateFacts examineCertificate(const TlsSessionFacts& tls, std::string_view host) {
  return examineCertificate(tls.peer_chain, tls.verify_result, host);
}

CertificateJudgement judgeCertificate(const CertificateFacts& facts,
                                      std::chrono::system_clock::time_point now) {
  CertificateJudgement j;
  const std::int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t left = facts.not_after - t;
  j.days_left =
      left >= 0 ? left / kSecondsPerDay : -((-left + kSecondsPerDay - 1) / kSecondsPerDay);
  if (t < facts.not_before)
    j.dates = CertDates::NotYetValid;
  else if (t > facts.not_after)
    j.dates = CertDates::Expired;
  else if (j.days_left < kExpiringSoonDays)
    j.dates = CertDates::ExpiringSoon;

  const int bits = facts.key_bits;
  if (facts.key_type == "RSA" || facts.key_type == "DSA")
    j.key = bits < 2048   ? KeyStrength::Insufficient
            : bits < 3072 ? KeyStrength::PhaseOut
                          : KeyStrength::Good;
  else if (facts.key_type == "EC")
    j.key = bits < 256 ? KeyStrength::Insufficient : KeyStrength::Good;

  const std::string& h = facts.weakest_hash;
  if (h == "SHA1" || h == "MD5" || h == "MD4" || h == "MD2" || h == "MD5-SHA1")
    j.signature = SignatureHash::Weak;
  return j;
}

std::string isoTime(std::int64_t epoch_seconds) {
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

long verifyChainAt(std::span<const CertificateData> chain, const std::string& ca_file,
                   bool use_system_store, std::chrono::system_clock::time_point at) {
  if (chain.empty()) return -1;
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  StackPtr untrusted(sk_X509_new_null());
  if (!store || !ctx || !untrusted) return -1;
  if (use_system_store && X509_STORE_set_default_paths(store.get()) != 1) return -1;
  if (!ca_file.empty() && X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) return -1;
  X509Ptr leaf = parseDer(chain.front().der);
  if (!leaf) return -1;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    X509Ptr c = parseDer(chain[i].der);
    if (c && sk_X509_push(untrusted.get(), c.get()) > 0) c.release();
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) return -1;
  X509_STORE_CTX_set_default(ctx.get(), "ssl_server");  // as a TLS client verifies a server
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<time_t>(std::chrono::system_clock::to_time_t(at)));
  X509_verify_cert(ctx.get());
  const long result = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return result;
}

std::optional<CertificateData> certificateFromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!x) return std::nullopt;
  CertificateData c;
  const int len = i2d_X509(x.get(), nullptr);
  if (len <= 0) return std::nullopt;
  c.der.resize(static_cast<std::size_t>(len));
  unsigned char* p = c.der.data();
  i2d_X509(x.get(), &p);
  c.pem = std::string(pem);
  c.subject = nameText(X509_get_subject_name(x.get()));
  c.issuer = nameText(X509_get_issuer_name(x.get()));
  return c;
}

}  // namespace mh::tls
