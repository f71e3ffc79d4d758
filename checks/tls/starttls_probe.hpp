// The polite SMTP STARTTLS prober (RFC 5321, RFC 3207): greeting, EHLO, STARTTLS, a TLS
// handshake with SNI, then QUIT; it captures the session facts and judges nothing.
//
// What goes on the wire, in order: "EHLO <ehlo_name>" (then "HELO <ehlo_name>" only if EHLO got
// a 5xx), "STARTTLS" when advertised, the TLS handshake, "QUIT". Never MAIL, RCPT or DATA.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/tls/address_safety.hpp"
#include "checks/tls/smtp_reply.hpp"
#include "checks/tls/smtp_session.hpp"

namespace mh::tls {

// Ordered: the values before ConnectFailed are facts about the server (the test ran); from
// ConnectFailed on, "could not test" (reported as error and retried later, never as "no
// STARTTLS"). Append new values to the group they belong to; compare with couldNotTest().
enum class ProbeOutcome {
  Ok,                 // STARTTLS and the TLS handshake completed (the certificate is judged later)
  NoStartTls,         // EHLO (or HELO) answered, STARTTLS not advertised
  StartTlsRejected,   // STARTTLS advertised but answered with a code other than 220
  HandshakeFailed,    // TLS alert, no common protocol or cipher, closed mid-handshake (detail)
  ConnectFailed,      // refused, unreachable
  Timeout,            // connect, a reply, the handshake or the per-address budget ran out
  TemporaryFailure,   // 4xx greeting (421 busy) or 4xx to EHLO
  Refused,            // 5xx greeting (554 no SMTP service here, RFC 5321 §3.1)
  ConnectionDropped,  // closed or reset before the dialogue finished
  ProtocolError,      // garbage instead of an SMTP reply, or a reply beyond the size limits
  NotAllowed,         // address_safety refused the address; no connection was made
};

std::string_view toString(ProbeOutcome o);

inline bool couldNotTest(ProbeOutcome o) {
  return o >= ProbeOutcome::ConnectFailed;
}

struct SmtpTarget {
  std::string host;     // the MX host name: SNI and logs
  std::string address;  // IPv4 or IPv6 literal
  std::uint16_t port = 25;
};

struct ProbeTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds greeting{30'000};
  std::chrono::milliseconds reply{30'000};  // each reply after the greeting
  std::chrono::milliseconds handshake{20'000};
  std::chrono::milliseconds budget{60'000};  // everything for one address, QUIT included
};

struct ProbeOptions {
  // Sent in EHLO/HELO: set it to the scanner's own resolvable name so administrators can
  // recognise it (RFC 5321 §4.1.1.1 wants the client's FQDN).
  std::string ehlo_name = "mailhygiene.invalid";
  ProbeTimeouts timeouts;
  bool allow_private_targets = false;  // --allow-private-targets (the lab)
  // Verification trust: the system store (OpenSSL default paths) plus an optional PEM file.
  bool use_system_store = true;
  std::string ca_file;
  // Protocol range for the handshake (TLS1_VERSION ... TLS1_3_VERSION); 0 = no limit. The default
  // range reaches down to TLS 1.0 so that old servers still yield their facts.
  int min_version = 0x0301;  // TLS1_VERSION
  int max_version = 0;
  // OpenSSL cipher strings; SECLEVEL=0 so that weak servers still complete the handshake
  // ("capture first, judge after").
  std::string cipher_list = "DEFAULT:@SECLEVEL=0";
  std::string ciphersuites;  // TLS 1.3 suites; empty = OpenSSL's default
};

struct CertificateData {
  std::vector<std::uint8_t> der;
  std::string pem;
  std::string subject;  // RFC 2253 one-line forms, for logs and evidence
  std::string issuer;
};

struct TlsSessionFacts {
  std::string protocol;         // "TLSv1.3"
  int protocol_version = 0;     // 0x0304
  std::string cipher;           // OpenSSL name: "TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-..."
  std::string cipher_iana;      // RFC name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  std::uint16_t cipher_id = 0;  // IANA code point, e.g. 0x1302
  std::string group;            // key-exchange group: "X25519", "secp256r1", "ffdhe2048"
  std::string peer_tmp_key;     // the server's ephemeral key type: "X25519", "EC", "DH"
  int peer_tmp_key_bits = 0;
  std::vector<CertificateData> peer_chain;      // as sent by the server, leaf first
  std::vector<CertificateData> verified_chain;  // leaf to trust anchor, when one was built
  long verify_result = -1;                      // X509_V_OK (0) or an X509_V_ERR_*; -1 when not run
  std::string verify_error;                     // X509_verify_cert_error_string(verify_result)

  bool verified() const { return verify_result == 0 && !peer_chain.empty(); }
};

struct ProbeResult {
  SmtpTarget target;
  AddressClass address_class = AddressClass::Invalid;
  ProbeOutcome outcome = ProbeOutcome::ConnectFailed;
  std::string detail;  // why: errno text, the reply, the TLS alert, the budget phase

  int greeting_code = 0;
  std::string greeting;
  int ehlo_code = 0;
  int helo_code = 0;  // only when EHLO got a 5xx
  std::vector<EhloKeyword> ehlo_keywords;
  bool starttls_advertised = false;
  int starttls_code = 0;
  std::string starttls_text;
  // The server sent bytes after "220" to STARTTLS and before the handshake; they were discarded
  // (RFC 3207 §5: nothing before the handshake may be trusted).
  bool bytes_after_starttls = false;
  int quit_code = 0;  // 221 normally; 0 when QUIT was not sent or not answered

  std::optional<TlsSessionFacts> tls;
  std::chrono::milliseconds elapsed{0};
};

// A HandshakeFailed probe whose failure is the server's TLS answer: OpenSSL's own errors
// ("...:SSL routines::tlsv1 alert protocol version", "no shared cipher"). A bare "connection
// closed" or errno text is not, so that handshake could not tell anything.
bool handshakeRejectedByServer(const ProbeResult& p);

// Owns the client SSL_CTX built from the options and probes targets with it.
//
// Thread safety: probe() is const and may run on many threads at once with one prober. The
// SSL_CTX is configured completely in the constructor and never changed afterwards; OpenSSL 3
// allows SSL_new() from many threads on such a context. Each probe has its own SSL object.
// The constructor throws std::runtime_error when the CA file cannot be loaded or the cipher or
// version settings are rejected: a configuration error at start-up, not a network outcome.
class StartTlsProber {
 public:
  explicit StartTlsProber(ProbeOptions options);

  // `cap` ends the probe earlier than its per-address budget (the domain audit's own deadline).
  ProbeResult probe(const SmtpTarget& target,
                    SteadyClock::time_point cap = SteadyClock::time_point::max()) const;
  const ProbeOptions& options() const { return options_; }

 private:
  struct CtxFree {
    void operator()(SSL_CTX* ctx) const;
  };
  ProbeOptions options_;
  std::unique_ptr<SSL_CTX, CtxFree> ctx_;
};

// One probe with a context built for it.
ProbeResult probeStartTls(const SmtpTarget& target, const ProbeOptions& options);

// The plain-text part only, for hand-built hellos (the hello prober): address safety, connect,
// greeting, EHLO, STARTTLS and its 220. On success result.outcome is Ok, `fd` is the connected
// non-blocking socket positioned right after "220 Ready to start TLS" (no TLS bytes sent yet),
// and `deadline` is what is left of the per-address budget (never later than `cap`). Otherwise `fd`
// is empty and the outcome says why. The caller sends its ClientHello, then simply closes the
// socket.
struct StartTlsSocket {
  ProbeResult result;
  UniqueFd fd;
  SteadyClock::time_point deadline;
};
StartTlsSocket openStartTlsSocket(const SmtpTarget& target, const ProbeOptions& options,
                                  SteadyClock::time_point cap = SteadyClock::time_point::max());

}  // namespace mh::tls
