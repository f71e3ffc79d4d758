// TLS/SSL cipher-suite catalogue by IANA code point, with the NCSC-NL 2025-05 classification.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mh::tls {

// Protocol versions as they appear on the wire (SSLv2: the CLIENT-HELLO version field; SSLv3 and
// TLS: ProtocolVersion of RFC 6101 §5.2.1 / RFC 5246 §6.2.1 / RFC 8446 §4.2.1).
enum class ProtocolVersion : std::uint16_t {
  SslV2 = 0x0002,
  SslV3 = 0x0300,
  Tls10 = 0x0301,
  Tls11 = 0x0302,
  Tls12 = 0x0303,
  Tls13 = 0x0304,
};

std::string_view versionName(ProtocolVersion v);   // "SSLv2" ... "TLSv1.3"
std::string_view versionName(std::uint16_t wire);  // "TLSv1.2", or "unknown"

// NCSC-NL "ICT-beveiligingsrichtlijnen voor TLS" 2025-05 levels. The enum is ORDERED from best
// to worst: a larger value is a worse level, so std::max over several levels gives the worst.
enum class NcscLevel : std::uint8_t { Good, Sufficient, PhaseOut, Insufficient };

std::string_view toString(NcscLevel level);  // "good", "sufficient", "phase_out", "insufficient"

enum class KeyExchange : std::uint8_t {
  Tls13,     // TLS 1.3 suites do not name it: (EC)DHE or PSK per RFC 8446 §4.2.8, always FS
  Ecdhe,     // ephemeral elliptic-curve Diffie-Hellman
  Dhe,       // ephemeral finite-field Diffie-Hellman
  Rsa,       // static RSA key transport (TLS_RSA_*)
  Dh,        // static DH from a DH certificate (TLS_DH_RSA_*, TLS_DH_DSS_*)
  Ecdh,      // static ECDH from an ECDH certificate (TLS_ECDH_*)
  DhAnon,    // TLS_DH_anon_*
  EcdhAnon,  // TLS_ECDH_anon_*
  Null,      // TLS_NULL_WITH_NULL_NULL
};

enum class Authentication : std::uint8_t { Certificate, Rsa, Ecdsa, Dss, Anon, Null };

enum class Cipher : std::uint8_t {
  Null,
  Rc4_40,
  Rc4_56,
  Rc4_128,
  Rc2_40,
  Rc2_56,
  Rc2_128,
  Des40,
  Des,
  TripleDes,
  Idea,
  Seed,
  Aes128,
  Aes256,
  Camellia128,
  Camellia256,
  Aria128,
  Aria256,
  Chacha20,
};

enum class CipherMode : std::uint8_t { None, Stream, Cbc, Gcm, Ccm, Ccm8, Poly1305 };

// The record MAC: HMAC with the named hash, or Aead when the cipher mode authenticates.
enum class Mac : std::uint8_t { Null, Md5, Sha1, Sha256, Sha384, Aead };

struct CipherSuite {
  std::uint16_t code;     // IANA TLS Cipher Suites registry value
  std::string_view name;  // IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  KeyExchange kx;
  Authentication auth;
  Cipher cipher;
  CipherMode mode;
  Mac mac;
  bool exportGrade;     // an EXPORT (or EXPORT1024) suite: 40/56-bit key
  bool forwardSecrecy;  // ephemeral key exchange (TLS 1.3, ECDHE, DHE; not anon)
  NcscLevel level;      // NCSC-NL 2025-05, see classify()
};

// SSLv2 cipher kinds (3-byte CIPHER-SPECs of the SSLv2 draft, appendix C). All are insufficient.
struct Sslv2CipherKind {
  std::uint32_t code;  // 24-bit value, e.g. 0x010080 SSL_CK_RC4_128_WITH_MD5
  std::string_view name;
  Cipher cipher;
  bool exportGrade;
};

// Signalling values that are not suites (RFC 5746 §3.3, RFC 7507 §2).
inline constexpr std::uint16_t kRenegotiationInfoScsv = 0x00FF;
inline constexpr std::uint16_t kFallbackScsv = 0x5600;

// The NCSC-NL 2025-05 level of a suite from its parts (guidance.md §2.3): TLS 1.3 AES-256-GCM and
// CHACHA20 good; TLS 1.3 AES-128-GCM/CCM and ECDHE + AEAD sufficient; ECDHE/DHE CBC-SHA256/384,
// CAMELLIA/ARIA and DHE + AEAD phase out; everything else (CBC-SHA1, static RSA/DH/ECDH, 3DES,
// RC4, NULL, EXPORT, anon, CCM_8, DES, IDEA, SEED, RC2, MD5, DSS) insufficient.
NcscLevel classify(KeyExchange kx, Authentication auth, Cipher cipher, CipherMode mode, Mac mac,
                   bool exportGrade);
NcscLevel classify(const CipherSuite& suite);
// TLS 1.3 good, TLS 1.2 sufficient, TLS 1.1/1.0 and SSL insufficient (NCSC-NL 2025-05).
NcscLevel classify(ProtocolVersion version);

const CipherSuite* findCipherSuite(std::uint16_t code);  // nullptr when not in the table
const Sslv2CipherKind* findSslv2CipherKind(std::uint32_t code);
std::span<const CipherSuite> allCipherSuites();
std::span<const Sslv2CipherKind> allSslv2CipherKinds();

// Suites a ClientHello may offer for a version: TLS 1.3 suites for TLS 1.3; for TLS 1.2 every
// non-TLS 1.3 suite; for SSLv3-TLS 1.1 only those without AEAD or SHA-256/384 MACs (RFC 5246 §1.2).
// TLS_NULL_WITH_NULL_NULL is never offered. suitesFor() lists the best NCSC level first.
bool suiteUsableIn(const CipherSuite& suite, ProtocolVersion version);
std::vector<std::uint16_t> suitesFor(ProtocolVersion version);

// Groups for probing (each a list of IANA code points, never TLS_NULL_WITH_NULL_NULL).
std::vector<std::uint16_t> rc4Suites();
std::vector<std::uint16_t> tripleDesSuites();
std::vector<std::uint16_t> nullSuites();       // NULL encryption (authentication only)
std::vector<std::uint16_t> exportSuites();     // EXPORT and EXPORT1024
std::vector<std::uint16_t> anonSuites();       // DH_anon and ECDH_anon
std::vector<std::uint16_t> staticRsaSuites();  // TLS_RSA_* with encryption, not export
std::vector<std::uint16_t> cbcSha1Suites();    // ECDHE/DHE, CBC, HMAC-SHA1 (DES/3DES excluded)

}  // namespace mh::tls
