// Pure judgement of an MX host's captured certificate chain (RFC 5280, RFC 6125): trust as
// verified at capture, name match, validity dates against an injected clock, key and signature.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/tls/starttls_probe.hpp"

namespace mh::tls {

// Certificates expiring within this many days are "expiring soon" (a renewal that has not
// happened 14 days before the end usually means automation broke).
inline constexpr std::int64_t kExpiringSoonDays = 14;

// What the chain verification at capture time (SSL_get_verify_result) says about trust. The
// verification stops at the first error (SSL_VERIFY_NONE, no callback), and the chain is built
// before dates are checked, so an expired or not-yet-valid result still means the chain reached
// a trust anchor; the dates are judged separately against the injected clock.
enum class CertTrust : std::uint8_t {
  Trusted,     // verified to a trust anchor (system store or --ca-file)
  SelfSigned,  // the leaf is self-signed (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
  Untrusted,   // private CA, incomplete chain, bad signature, wrong purpose...
  Unknown,     // verification did not run
};

std::string_view toString(CertTrust t);

// Facts read from the DER chain; nothing here depends on the clock.
struct CertificateFacts {
  bool parsed = false;  // the leaf parsed
  std::string parse_error;
  std::string subject;  // RFC 2253
  std::string issuer;
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries
  std::int64_t not_before = 0;         // seconds since the epoch (UTC)
  std::int64_t not_after = 0;
  std::string key_type;  // "RSA", "EC", "ED25519", "ED448", "DSA", or the OpenSSL name
  int key_bits = 0;
  std::string signature_algorithm;  // long name, e.g. "sha256WithRSAEncryption"
  std::string signature_hash;       // "SHA256", "SHA1", "MD5"; empty for Ed25519/Ed448
  // The weakest signature hash over the leaf and the intermediates the server sent (self-signed
  // anchors excluded: their signature is never checked), and whose certificate carries it.
  std::string weakest_hash;
  std::string weakest_hash_subject;
  bool self_signed = false;  // the leaf is self-signed
  std::size_t chain_length = 0;
  long verify_result = -1;
  std::string verify_error;
  CertTrust trust = CertTrust::Unknown;
  // X509_check_host against the MX host name: subjectAltName dNSName (subject CN only when there
  // is none), a wildcard only as the whole left-most label (RFC 6125 §6.4.3, no partial wildcards).
  bool name_matches = false;
  std::string host;  // the name checked
};

// Reads the captured chain (leaf first) and checks the name. Pure: no network, no clock.
CertificateFacts examineCertificate(std::span<const CertificateData> chain, long verify_result,
                                    std::string_view host);
CertificateFacts examineCertificate(const TlsSessionFacts& tls, std::string_view host);

enum class CertDates : std::uint8_t { Valid, ExpiringSoon, Expired, NotYetValid };
// NCSC-NL 2025-05 key levels: RSA/DSA >= 3072 and EC >= 256 good, RSA 2048 phase out, less
// insufficient.
enum class KeyStrength : std::uint8_t { Good, PhaseOut, Insufficient };
enum class SignatureHash : std::uint8_t { Good, Weak };  // Weak: MD5 or SHA-1 (or MD2/MD4)

std::string_view toString(CertDates d);
std::string_view toString(KeyStrength k);

struct CertificateJudgement {
  CertDates dates = CertDates::Valid;
  std::int64_t days_left = 0;  // whole days until notAfter; negative once expired
  KeyStrength key = KeyStrength::Good;
  SignatureHash signature = SignatureHash::Good;
};

CertificateJudgement judgeCertificate(const CertificateFacts& facts,
                                      std::chrono::system_clock::time_point now);

// ISO 8601 UTC ("2026-01-31T12:00:00Z") of seconds since the epoch, for evidence and findings.
std::string isoTime(std::int64_t epoch_seconds);

// Verifies a chain (leaf first) against the system store (optional) plus a PEM CA file at a given
// time, as the prober does at capture. For tests and re-verification; returns X509_V_OK (0) or an
// X509_V_ERR_* code, -1 on a setup error.
long verifyChainAt(std::span<const CertificateData> chain, const std::string& ca_file,
                   bool use_system_store, std::chrono::system_clock::time_point at);

// A CertificateData (DER, PEM, subject, issuer) from a PEM certificate; nullopt when not PEM.
std::optional<CertificateData> certificateFromPem(std::string_view pem);

}  // namespace mh::tls
