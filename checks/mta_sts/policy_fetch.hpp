// MTA-STS policy fetch (RFC 8461 §3.3): HTTPS GET of
// https://mta-sts.<domain>/.well-known/mta-sts.txt through our resolver, with address safety,
// strict certificate checks and no redirects.
//
// What goes on the wire: A/AAAA queries for mta-sts.<domain> through the injected dns::Resolver
// (never the system resolver), then per allowed address one TCP connection to the configured port,
// a TLS handshake with SNI mta-sts.<domain>, one "GET /.well-known/mta-sts.txt HTTP/1.1" with
// "Connection: close", and at most max_size body bytes read. No proxy, no cookies, no retries of
// a request that got an answer, no redirect followed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/json.hpp"
#include "checks/dns/dns_types.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/mta_sts/mta_sts_policy.hpp"

namespace mh::mta_sts {

// Ordered: the values up to MalformedResponse are facts about the domain's policy host (the
// fetch ran and the answer is the domain's responsibility: a sender would find no usable policy);
// from DnsError on, "could not tell" (reported as error and retried later, never as a failure).
// Append new values to the group they belong to; compare with couldNotTell().
enum class FetchOutcome {
  Ok,                // 200, text/plain, within the size limit; the body was parsed (maybe invalid)
  HttpStatus,        // a final status other than 200 and 3xx (404, 403, 410, 204, ...)
  Redirect,          // 3xx: RFC 8461 §3.3 "MUST NOT follow redirects"
  WrongContentType,  // 200 but not text/plain (§3.2: "media type ... MUST be text/plain")
  TooLarge,          // the body (announced or read) exceeds max_size; reading stopped there
  CertificateInvalid,  // chain, dates or name (mta-sts.<domain>, RFC 6125) failed verification
  NoAddress,           // mta-sts.<domain> does not exist (NXDOMAIN) or has no A/AAAA (NODATA)
  MalformedResponse,   // over a verified TLS session, something that is not an HTTP/1.x answer
  DnsError,            // SERVFAIL, REFUSED, timeout... for the A/AAAA lookups
  ConnectFailed,       // connection refused, unreachable, reset before the TLS handshake ended
  Timeout,             // the total budget ran out (connect, handshake, or reading)
  TlsFailed,           // handshake failure not about the certificate (alert, no common protocol)
  ServerUnavailable,   // 5xx, 408 or 429: the server says "not now" (RFC 9110 §15.6, RFC 6585)
  ConnectionDropped,   // the connection closed or reset before a complete answer arrived
  NotAllowed,          // address_safety refused every address; no connection was made
};

std::string_view toString(FetchOutcome o);

inline bool couldNotTell(FetchOutcome o) {
  return o >= FetchOutcome::DnsError;
}

// The trust anchors of the fetches made with one PolicyFetchOptions and its copies (defined in
// policy_fetch.cpp): the system store and/or ca_file, parsed on the first fetch and shared by the
// later ones (parsing the system CA bundle costs more CPU than the fetch itself), parsed again if
// ca_file or use_system_store change, and after an hour (a long-running serve sees CA updates).
// Thread-safe.
class PolicyTrustStore;
std::shared_ptr<PolicyTrustStore> newPolicyTrustStore();

struct PolicyFetchOptions {
  std::chrono::milliseconds timeout{10000};  // the whole fetch: every address, connect to last byte
  std::size_t max_size = kMaxPolicyBytes;    // body bytes; more is TooLarge (64 KiB)
  std::string ca_file;                       // extra trust anchors (PEM), e.g. the lab CA
  bool use_system_store = true;              // OpenSSL's default verify paths
  bool allow_private_targets = false;        // --allow-private-targets (the lab)
  std::uint16_t https_port = 443;            // 443 per RFC 8461; other values for the lab only
  std::shared_ptr<PolicyTrustStore> trust = newPolicyTrustStore();  // shared by copies
};

// One connection attempt, for the transcript.
struct FetchAttempt {
  std::string address;
  std::string address_class;  // tls::toString(AddressClass)
  bool allowed = false;       // false: refused by address safety, never connected
  std::string result;         // "connected", or the outcome name of the failure
  std::string detail;
};

struct PolicyFetch {
  std::string host;  // mta-sts.<domain>
  std::string url;   // https://mta-sts.<domain>/.well-known/mta-sts.txt (":port" when not 443)
  FetchOutcome outcome = FetchOutcome::DnsError;
  std::string detail;  // why, in English: the DNS status, the exception text, the verify error
  dns::DnsAnswer a;
  dns::DnsAnswer aaaa;
  std::vector<FetchAttempt> attempts;
  std::string address;  // the address the answer came from
  // TLS facts of the session that answered (or of the failed verification).
  std::string tls_protocol;
  std::string tls_cipher;
  bool certificate_verified = false;
  std::string verify_error;  // X509_verify_cert_error_string of the first failure, "" when none
  int verify_depth = -1;     // chain depth of that failure (0 = the server certificate)
  std::string certificate_subject;
  std::string certificate_issuer;
  // HTTP facts.
  int http_status = 0;
  std::string http_reason;
  std::string content_type;
  std::string location;  // of a 3xx
  std::optional<std::size_t> content_length;
  std::size_t body_size = 0;  // bytes kept (at most max_size)
  std::string body;           // kept only for outcome Ok (and the evidence)
  std::string body_sha256;    // hex; lets a later run see a policy change without an id change
  std::optional<MtaStsPolicy> policy;  // parsed when outcome is Ok
  std::chrono::milliseconds elapsed{0};

  Json toJson() const;
};

// Never throws for DNS, network, TLS or HTTP outcomes: they are FetchOutcome values.
PolicyFetch fetchMtaStsPolicy(dns::Resolver& resolver, std::string_view domain,
                              const PolicyFetchOptions& options);

// Media type check of §3.2: "text/plain", any case, parameters allowed ("text/plain;
// charset=utf-8").
bool isTextPlain(std::string_view contentType);

}  // namespace mh::mta_sts
