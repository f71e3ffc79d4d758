// TLS/SSL cipher-suite catalogue (IANA "TLS Cipher Suites" registry) and NCSC-NL 2025-05 levels.
#include "checks/tls/cipher_suites.hpp"

#include <algorithm>

namespace mh::tls {

namespace {

using Kx = KeyExchange;
using Au = Authentication;
using C = Cipher;
using M = CipherMode;

constexpr bool isAead(CipherMode m) {
  return m == M::Gcm || m == M::Ccm || m == M::Ccm8 || m == M::Poly1305;
}

constexpr bool isForwardSecret(KeyExchange kx) {
  return kx == Kx::Tls13 || kx == Kx::Ecdhe || kx == Kx::Dhe;
}

// The rules of guidance.md §2.3 ("NCSC-NL TLS levels", 2025-05 column). NCSC-NL lists what is
// good, sufficient or to be phased out; anything it does not list is insufficient.
constexpr NcscLevel levelOf(KeyExchange kx, Authentication auth, Cipher cipher, CipherMode mode,
                            Mac mac, bool exportGrade) {
  if (kx == Kx::Tls13) {
    if (mode == M::Ccm8) return NcscLevel::Insufficient;
    if ((cipher == C::Aes256 && mode == M::Gcm) || cipher == C::Chacha20) return NcscLevel::Good;
    if (cipher == C::Aes128 && (mode == M::Gcm || mode == M::Ccm)) return NcscLevel::Sufficient;
    return NcscLevel::Insufficient;
  }
  // Static RSA/DH/ECDH (no forward secrecy), anon, NULL, EXPORT.
  if (exportGrade || (kx != Kx::Ecdhe && kx != Kx::Dhe)) return NcscLevel::Insufficient;
  if (auth != Au::Rsa && auth != Au::Ecdsa) return NcscLevel::Insufficient;  // DSS, anon
  switch (cipher) {
    case C::Aes128:
    case C::Aes256:
    case C::Chacha20:
    case C::Camellia128:
    case C::Camellia256:
    case C::Aria128:
    case C::Aria256:
      break;
    default:  // NULL, RC4, RC2, DES, 3DES, IDEA, SEED
      return NcscLevel::Insufficient;
  }
  if (mode == M::Ccm8 || mac == Mac::Md5 || mac == Mac::Null) return NcscLevel::Insufficient;
  if (mode == M::Cbc && mac == Mac::Sha1) return NcscLevel::Insufficient;  // CBC-SHA1
  const bool camelliaOrAria = cipher == C::Camellia128 || cipher == C::Camellia256 ||
                              cipher == C::Aria128 || cipher == C::Aria256;
  if (camelliaOrAria || mode == M::Cbc) return NcscLevel::PhaseOut;  // CBC-SHA256/384
  if (isAead(mode)) return kx == Kx::Ecdhe ? NcscLevel::Sufficient : NcscLevel::PhaseOut;
  return NcscLevel::Insufficient;
}

constexpr CipherSuite S(std::uint16_t code, std::string_view name, KeyExchange kx,
                        Authentication auth, Cipher cipher, CipherMode mode, Mac mac) {
  const bool exportGrade = name.find("EXPORT") != std::string_view::npos;
  return CipherSuite{code,
                     name,
                     kx,
                     auth,
                     cipher,
                     mode,
                     mac,
                     exportGrade,
                     isForwardSecret(kx),
                     levelOf(kx, auth, cipher, mode, mac, exportGrade)};
}

// Sorted by code point (checked below). PSK, SRP, KRB5 and GOST suites are left out: a server
// selects them only with configuration a mail server does not have. 0x0060-0x0066 are the
// unregistered EXPORT1024 suites of draft-ietf-tls-56-bit-ciphersuites, still found on old MTAs.
// clang-format off
constexpr CipherSuite kSuites[] = {
    S(0x0000, "TLS_NULL_WITH_NULL_NULL", Kx::Null, Au::Null, C::Null, M::None, Mac::Null),
    S(0x0001, "TLS_RSA_WITH_NULL_MD5", Kx::Rsa, Au::Rsa, C::Null, M::None, Mac::Md5),
    S(0x0002, "TLS_RSA_WITH_NULL_SHA", Kx::Rsa, Au::Rsa, C::Null, M::None, Mac::Sha1),
    S(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", Kx::Rsa, Au::Rsa, C::Rc4_40, M::Stream, Mac::Md5),
    S(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Kx::Rsa, Au::Rsa, C::Rc4_128, M::Stream, Mac::Md5),
    S(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Kx::Rsa, Au::Rsa, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", Kx::Rsa, Au::Rsa, C::Rc2_40, M::Cbc, Mac::Md5),
    S(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", Kx::Rsa, Au::Rsa, C::Idea, M::Cbc, Mac::Sha1),
    S(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", Kx::Rsa, Au::Rsa, C::Des40, M::Cbc, Mac::Sha1),
    S(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Kx::Rsa, Au::Rsa, C::Des, M::Cbc, Mac::Sha1),
    S(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", Kx::Rsa, Au::Rsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", Kx::Dh, Au::Dss, C::Des40, M::Cbc, Mac::Sha1),
    S(0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", Kx::Dh, Au::Dss, C::Des, M::Cbc, Mac::Sha1),
    S(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", Kx::Dh, Au::Dss, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", Kx::Dh, Au::Rsa, C::Des40, M::Cbc, Mac::Sha1),
    S(0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", Kx::Dh, Au::Rsa, C::Des, M::Cbc, Mac::Sha1),
    S(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", Kx::Dh, Au::Rsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", Kx::Dhe, Au::Dss, C::Des40, M::Cbc, Mac::Sha1),
    S(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", Kx::Dhe, Au::Dss, C::Des, M::Cbc, Mac::Sha1),
    S(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", Kx::Dhe, Au::Dss, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Kx::Dhe, Au::Rsa, C::Des40, M::Cbc, Mac::Sha1),
    S(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", Kx::Dhe, Au::Rsa, C::Des, M::Cbc, Mac::Sha1),
    S(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", Kx::Dhe, Au::Rsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", Kx::DhAnon, Au::Anon, C::Rc4_40, M::Stream, Mac::Md5),
    S(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", Kx::DhAnon, Au::Anon, C::Rc4_128, M::Stream, Mac::Md5),
    S(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", Kx::DhAnon, Au::Anon, C::Des40, M::Cbc, Mac::Sha1),
    S(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", Kx::DhAnon, Au::Anon, C::Des, M::Cbc, Mac::Sha1),
    S(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", Kx::DhAnon, Au::Anon, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", Kx::Rsa, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", Kx::Dh, Au::Dss, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", Kx::Dh, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", Kx::Dhe, Au::Dss, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", Kx::Dhe, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", Kx::DhAnon, Au::Anon, C::Aes128, M::Cbc, Mac::Sha1),
    S(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", Kx::Rsa, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", Kx::Dh, Au::Dss, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", Kx::Dh, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", Kx::Dhe, Au::Dss, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", Kx::Dhe, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", Kx::DhAnon, Au::Anon, C::Aes256, M::Cbc, Mac::Sha1),
    S(0x003B, "TLS_RSA_WITH_NULL_SHA256", Kx::Rsa, Au::Rsa, C::Null, M::None, Mac::Sha256),
    S(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", Kx::Rsa, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", Kx::Rsa, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", Kx::Dh, Au::Dss, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", Kx::Dh, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", Kx::Dhe, Au::Dss, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", Kx::Rsa, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", Kx::Dh, Au::Dss, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", Kx::Dh, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", Kx::Dhe, Au::Dss, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", Kx::Dhe, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", Kx::DhAnon, Au::Anon, C::Camellia128, M::Cbc, Mac::Sha1),
    S(0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", Kx::Rsa, Au::Rsa, C::Rc4_56, M::Stream, Mac::Md5),
    S(0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", Kx::Rsa, Au::Rsa, C::Rc2_56, M::Cbc, Mac::Md5),
    S(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", Kx::Rsa, Au::Rsa, C::Des, M::Cbc, Mac::Sha1),
    S(0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", Kx::Dhe, Au::Dss, C::Des, M::Cbc, Mac::Sha1),
    S(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", Kx::Rsa, Au::Rsa, C::Rc4_56, M::Stream, Mac::Sha1),
    S(0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", Kx::Dhe, Au::Dss, C::Rc4_56, M::Stream, Mac::Sha1),
    S(0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", Kx::Dhe, Au::Dss, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", Kx::Dhe, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", Kx::Dh, Au::Dss, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", Kx::Dh, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", Kx::Dhe, Au::Dss, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", Kx::Dhe, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", Kx::DhAnon, Au::Anon, C::Aes128, M::Cbc, Mac::Sha256),
    S(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", Kx::DhAnon, Au::Anon, C::Aes256, M::Cbc, Mac::Sha256),
    S(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", Kx::Rsa, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", Kx::Dh, Au::Dss, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", Kx::Dh, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", Kx::Dhe, Au::Dss, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", Kx::Dhe, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", Kx::DhAnon, Au::Anon, C::Camellia256, M::Cbc, Mac::Sha1),
    S(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", Kx::Rsa, Au::Rsa, C::Seed, M::Cbc, Mac::Sha1),
    S(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", Kx::Dh, Au::Dss, C::Seed, M::Cbc, Mac::Sha1),
    S(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", Kx::Dh, Au::Rsa, C::Seed, M::Cbc, Mac::Sha1),
    S(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", Kx::Dhe, Au::Dss, C::Seed, M::Cbc, Mac::Sha1),
    S(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", Kx::Dhe, Au::Rsa, C::Seed, M::Cbc, Mac::Sha1),
    S(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", Kx::DhAnon, Au::Anon, C::Seed, M::Cbc, Mac::Sha1),
    S(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", Kx::Rsa, Au::Rsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", Kx::Rsa, Au::Rsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", Kx::Dhe, Au::Rsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", Kx::Dhe, Au::Rsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", Kx::Dh, Au::Rsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", Kx::Dh, Au::Rsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", Kx::Dhe, Au::Dss, C::Aes128, M::Gcm, Mac::Aead),
    S(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", Kx::Dhe, Au::Dss, C::Aes256, M::Gcm, Mac::Aead),
    S(0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", Kx::Dh, Au::Dss, C::Aes128, M::Gcm, Mac::Aead),
    S(0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", Kx::Dh, Au::Dss, C::Aes256, M::Gcm, Mac::Aead),
    S(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", Kx::DhAnon, Au::Anon, C::Aes128, M::Gcm, Mac::Aead),
    S(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", Kx::DhAnon, Au::Anon, C::Aes256, M::Gcm, Mac::Aead),
    S(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", Kx::Rsa, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", Kx::Dh, Au::Dss, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", Kx::Dh, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", Kx::Dhe, Au::Dss, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", Kx::Dhe, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", Kx::DhAnon, Au::Anon, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", Kx::Rsa, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha256),
    S(0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", Kx::Dh, Au::Dss, C::Camellia256, M::Cbc, Mac::Sha256),
    S(0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", Kx::Dh, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha256),
    S(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", Kx::Dhe, Au::Dss, C::Camellia256, M::Cbc, Mac::Sha256),
    S(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", Kx::Dhe, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha256),
    S(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", Kx::DhAnon, Au::Anon, C::Camellia256, M::Cbc, Mac::Sha256),
    // TLS 1.3 (RFC 8446 §B.4).
    S(0x1301, "TLS_AES_128_GCM_SHA256", Kx::Tls13, Au::Certificate, C::Aes128, M::Gcm, Mac::Aead),
    S(0x1302, "TLS_AES_256_GCM_SHA384", Kx::Tls13, Au::Certificate, C::Aes256, M::Gcm, Mac::Aead),
    S(0x1303, "TLS_CHACHA20_POLY1305_SHA256", Kx::Tls13, Au::Certificate, C::Chacha20, M::Poly1305, Mac::Aead),
    S(0x1304, "TLS_AES_128_CCM_SHA256", Kx::Tls13, Au::Certificate, C::Aes128, M::Ccm, Mac::Aead),
    S(0x1305, "TLS_AES_128_CCM_8_SHA256", Kx::Tls13, Au::Certificate, C::Aes128, M::Ccm8, Mac::Aead),
    // ECC (RFC 8422, RFC 4492 for the deprecated ones).
    S(0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", Kx::Ecdh, Au::Ecdsa, C::Null, M::None, Mac::Sha1),
    S(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", Kx::Ecdh, Au::Ecdsa, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", Kx::Ecdh, Au::Ecdsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", Kx::Ecdh, Au::Ecdsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", Kx::Ecdh, Au::Ecdsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", Kx::Ecdhe, Au::Ecdsa, C::Null, M::None, Mac::Sha1),
    S(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", Kx::Ecdhe, Au::Ecdsa, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", Kx::Ecdhe, Au::Ecdsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Kx::Ecdhe, Au::Ecdsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Kx::Ecdhe, Au::Ecdsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", Kx::Ecdh, Au::Rsa, C::Null, M::None, Mac::Sha1),
    S(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", Kx::Ecdh, Au::Rsa, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", Kx::Ecdh, Au::Rsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", Kx::Ecdh, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", Kx::Ecdh, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", Kx::Ecdhe, Au::Rsa, C::Null, M::None, Mac::Sha1),
    S(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", Kx::Ecdhe, Au::Rsa, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", Kx::Ecdhe, Au::Rsa, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Kx::Ecdhe, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha1),
    S(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Kx::Ecdhe, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha1),
    S(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", Kx::EcdhAnon, Au::Anon, C::Null, M::None, Mac::Sha1),
    S(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", Kx::EcdhAnon, Au::Anon, C::Rc4_128, M::Stream, Mac::Sha1),
    S(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", Kx::EcdhAnon, Au::Anon, C::TripleDes, M::Cbc, Mac::Sha1),
    S(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", Kx::EcdhAnon, Au::Anon, C::Aes128, M::Cbc, Mac::Sha1),
    S(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", Kx::EcdhAnon, Au::Anon, C::Aes256, M::Cbc, Mac::Sha1),
    S(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Aes256, M::Cbc, Mac::Sha384),
    S(0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", Kx::Ecdh, Au::Ecdsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", Kx::Ecdh, Au::Ecdsa, C::Aes256, M::Cbc, Mac::Sha384),
    S(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Kx::Ecdhe, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Kx::Ecdhe, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha384),
    S(0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", Kx::Ecdh, Au::Rsa, C::Aes128, M::Cbc, Mac::Sha256),
    S(0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", Kx::Ecdh, Au::Rsa, C::Aes256, M::Cbc, Mac::Sha384),
    S(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", Kx::Ecdh, Au::Ecdsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", Kx::Ecdh, Au::Ecdsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Kx::Ecdhe, Au::Rsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Kx::Ecdhe, Au::Rsa, C::Aes256, M::Gcm, Mac::Aead),
    S(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", Kx::Ecdh, Au::Rsa, C::Aes128, M::Gcm, Mac::Aead),
    S(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", Kx::Ecdh, Au::Rsa, C::Aes256, M::Gcm, Mac::Aead),
    // ARIA (RFC 6209).
    S(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", Kx::Rsa, Au::Rsa, C::Aria128, M::Cbc, Mac::Sha256),
    S(0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", Kx::Rsa, Au::Rsa, C::Aria256, M::Cbc, Mac::Sha384),
    S(0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", Kx::Dhe, Au::Rsa, C::Aria128, M::Cbc, Mac::Sha256),
    S(0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", Kx::Dhe, Au::Rsa, C::Aria256, M::Cbc, Mac::Sha384),
    S(0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", Kx::DhAnon, Au::Anon, C::Aria128, M::Cbc, Mac::Sha256),
    S(0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", Kx::DhAnon, Au::Anon, C::Aria256, M::Cbc, Mac::Sha384),
    S(0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Aria128, M::Cbc, Mac::Sha256),
    S(0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Aria256, M::Cbc, Mac::Sha384),
    S(0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", Kx::Ecdhe, Au::Rsa, C::Aria128, M::Cbc, Mac::Sha256),
    S(0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", Kx::Ecdhe, Au::Rsa, C::Aria256, M::Cbc, Mac::Sha384),
    S(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", Kx::Rsa, Au::Rsa, C::Aria128, M::Gcm, Mac::Aead),
    S(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", Kx::Rsa, Au::Rsa, C::Aria256, M::Gcm, Mac::Aead),
    S(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", Kx::Dhe, Au::Rsa, C::Aria128, M::Gcm, Mac::Aead),
    S(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", Kx::Dhe, Au::Rsa, C::Aria256, M::Gcm, Mac::Aead),
    S(0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", Kx::DhAnon, Au::Anon, C::Aria128, M::Gcm, Mac::Aead),
    S(0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", Kx::DhAnon, Au::Anon, C::Aria256, M::Gcm, Mac::Aead),
    S(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Aria128, M::Gcm, Mac::Aead),
    S(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Aria256, M::Gcm, Mac::Aead),
    S(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", Kx::Ecdhe, Au::Rsa, C::Aria128, M::Gcm, Mac::Aead),
    S(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", Kx::Ecdhe, Au::Rsa, C::Aria256, M::Gcm, Mac::Aead),
    // CAMELLIA with ECC and GCM (RFC 6367).
    S(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Camellia256, M::Cbc, Mac::Sha384),
    S(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", Kx::Ecdhe, Au::Rsa, C::Camellia128, M::Cbc, Mac::Sha256),
    S(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", Kx::Ecdhe, Au::Rsa, C::Camellia256, M::Cbc, Mac::Sha384),
    S(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", Kx::Rsa, Au::Rsa, C::Camellia128, M::Gcm, Mac::Aead),
    S(0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", Kx::Rsa, Au::Rsa, C::Camellia256, M::Gcm, Mac::Aead),
    S(0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", Kx::Dhe, Au::Rsa, C::Camellia128, M::Gcm, Mac::Aead),
    S(0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", Kx::Dhe, Au::Rsa, C::Camellia256, M::Gcm, Mac::Aead),
    S(0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Camellia128, M::Gcm, Mac::Aead),
    S(0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", Kx::Ecdhe, Au::Ecdsa, C::Camellia256, M::Gcm, Mac::Aead),
    S(0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", Kx::Ecdhe, Au::Rsa, C::Camellia128, M::Gcm, Mac::Aead),
    S(0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", Kx::Ecdhe, Au::Rsa, C::Camellia256, M::Gcm, Mac::Aead),
    // AES-CCM (RFC 6655, RFC 7251).
    S(0xC09C, "TLS_RSA_WITH_AES_128_CCM", Kx::Rsa, Au::Rsa, C::Aes128, M::Ccm, Mac::Aead),
    S(0xC09D, "TLS_RSA_WITH_AES_256_CCM", Kx::Rsa, Au::Rsa, C::Aes256, M::Ccm, Mac::Aead),
    S(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", Kx::Dhe, Au::Rsa, C::Aes128, M::Ccm, Mac::Aead),
    S(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", Kx::Dhe, Au::Rsa, C::Aes256, M::Ccm, Mac::Aead),
    S(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", Kx::Rsa, Au::Rsa, C::Aes128, M::Ccm8, Mac::Aead),
    S(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", Kx::Rsa, Au::Rsa, C::Aes256, M::Ccm8, Mac::Aead),
    S(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", Kx::Dhe, Au::Rsa, C::Aes128, M::Ccm8, Mac::Aead),
    S(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", Kx::Dhe, Au::Rsa, C::Aes256, M::Ccm8, Mac::Aead),
    S(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", Kx::Ecdhe, Au::Ecdsa, C::Aes128, M::Ccm, Mac::Aead),
    S(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", Kx::Ecdhe, Au::Ecdsa, C::Aes256, M::Ccm, Mac::Aead),
    S(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", Kx::Ecdhe, Au::Ecdsa, C::Aes128, M::Ccm8, Mac::Aead),
    S(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", Kx::Ecdhe, Au::Ecdsa, C::Aes256, M::Ccm8, Mac::Aead),
    // ChaCha20-Poly1305 (RFC 7905).
    S(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Kx::Ecdhe, Au::Rsa, C::Chacha20, M::Poly1305, Mac::Aead),
    S(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Kx::Ecdhe, Au::Ecdsa, C::Chacha20, M::Poly1305, Mac::Aead),
    S(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Kx::Dhe, Au::Rsa, C::Chacha20, M::Poly1305, Mac::Aead),
};

// SSLv2 draft (draft-hickman-netscape-ssl-00), appendix C.
constexpr Sslv2CipherKind kSslv2Kinds[] = {
    {0x010080, "SSL_CK_RC4_128_WITH_MD5", C::Rc4_128, false},
    {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", C::Rc4_40, true},
    {0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", C::Rc2_128, false},
    {0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", C::Rc2_40, true},
    {0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", C::Idea, false},
    {0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", C::Des, false},
    {0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", C::TripleDes, false},
};
// clang-format on

static_assert(std::is_sorted(std::begin(kSuites), std::end(kSuites),
                             [](const auto& a, const auto& b) { return a.code < b.code; }),
              "kSuites must be sorted by code point for findCipherSuite()");
static_assert(std::is_sorted(std::begin(kSslv2Kinds), std::end(kSslv2Kinds),
                             [](const auto& a, const auto& b) { return a.code < b.code; }));

template <typename Pred>
std::vector<std::uint16_t> select(Pred pred) {
  std::vector<std::uint16_t> out;
  for (const auto& s : kSuites)
    if (s.code != 0x0000 && pred(s)) out.push_back(s.code);
  return out;
}

bool isRc4(Cipher c) {
  return c == C::Rc4_40 || c == C::Rc4_56 || c == C::Rc4_128;
}

}  // namespace

std::string_view versionName(ProtocolVersion v) {
  return versionName(static_cast<std::uint16_t>(v));
}

std::string_view versionName(std::uint16_t wire) {
  switch (wire) {
    case 0x0002:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv1.0";
    case 0x0302:
      return "TLSv1.1";
    case 0x0303:
      return "TLSv1.2";
    case 0x0304:
      return "TLSv1.3";
    default:
      return "unknown";
  }
}

std::string_view toString(NcscLevel level) {
  switch (level) {
    case NcscLevel::Good:
      return "good";
    case NcscLevel::Sufficient:
      return "sufficient";
    case NcscLevel::PhaseOut:
      return "phase_out";
    case NcscLevel::Insufficient:
      return "insufficient";
  }
  return "insufficient";
}

NcscLevel classify(KeyExchange kx, Authentication auth, Cipher cipher, CipherMode mode, Mac mac,
                   bool exportGrade) {
  return levelOf(kx, auth, cipher, mode, mac, exportGrade);
}

NcscLevel classify(const CipherSuite& suite) {
  return levelOf(suite.kx, suite.auth, suite.cipher, suite.mode, suite.mac, suite.exportGrade);
}

NcscLevel classify(ProtocolVersion version) {
  switch (version) {
    case ProtocolVersion::Tls13:
      return NcscLevel::Good;
    case ProtocolVersion::Tls12:
      return NcscLevel::Sufficient;
    default:  // TLS 1.1 and 1.0: phase out in 2021, insufficient since 2025-05; SSL always
      return NcscLevel::Insufficient;
  }
}

const CipherSuite* findCipherSuite(std::uint16_t code) {
  const auto* it =
      std::lower_bound(std::begin(kSuites), std::end(kSuites), code,
                       [](const CipherSuite& s, std::uint16_t c) { return s.code < c; });
  return it != std::end(kSuites) && it->code == code ? it : nullptr;
}

const Sslv2CipherKind* findSslv2CipherKind(std::uint32_t code) {
  for (const auto& k : kSslv2Kinds)
    if (k.code == code) return &k;
  return nullptr;
}

std::span<const CipherSuite> allCipherSuites() {
  return kSuites;
}
std::span<const Sslv2CipherKind> allSslv2CipherKinds() {
  return kSslv2Kinds;
}

bool suiteUsableIn(const CipherSuite& suite, ProtocolVersion version) {
  if (suite.code == 0x0000) return false;
  const bool tls13Suite = suite.kx == Kx::Tls13;
  switch (version) {
    case ProtocolVersion::Tls13:
      return tls13Suite;
    case ProtocolVersion::Tls12:
      return !tls13Suite;
    case ProtocolVersion::SslV2:
      return false;  // SSLv2 has its own 3-byte cipher kinds
    default:
      return !tls13Suite && suite.mac != Mac::Aead && suite.mac != Mac::Sha256 &&
             suite.mac != Mac::Sha384;
  }
}

std::vector<std::uint16_t> suitesFor(ProtocolVersion version) {
  auto codes = select([version](const CipherSuite& s) { return suiteUsableIn(s, version); });
  // Best level first, so a server that follows the client's order picks a strong suite.
  std::stable_sort(codes.begin(), codes.end(), [](std::uint16_t a, std::uint16_t b) {
    return findCipherSuite(a)->level < findCipherSuite(b)->level;
  });
  return codes;
}

std::vector<std::uint16_t> rc4Suites() {
  return select([](const CipherSuite& s) { return isRc4(s.cipher); });
}

std::vector<std::uint16_t> tripleDesSuites() {
  return select([](const CipherSuite& s) { return s.cipher == C::TripleDes; });
}

std::vector<std::uint16_t> nullSuites() {
  return select([](const CipherSuite& s) { return s.cipher == C::Null; });
}

std::vector<std::uint16_t> exportSuites() {
  return select([](const CipherSuite& s) { return s.exportGrade; });
}

std::vector<std::uint16_t> anonSuites() {
  return select([](const CipherSuite& s) { return s.auth == Au::Anon; });
}

std::vector<std::uint16_t> staticRsaSuites() {
  return select([](const CipherSuite& s) {
    return s.kx == Kx::Rsa && !s.exportGrade && s.cipher != C::Null;
  });
}

std::vector<std::uint16_t> cbcSha1Suites() {
  return select([](const CipherSuite& s) {
    return (s.kx == Kx::Ecdhe || s.kx == Kx::Dhe) && s.mode == M::Cbc && s.mac == Mac::Sha1 &&
           !s.exportGrade && s.cipher != C::Des && s.cipher != C::TripleDes;
  });
}

}  // namespace mh::tls
