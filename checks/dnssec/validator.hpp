// DNSSEC validation done by the scanner (RFC 4033-4035, RFC 5155): the chain of trust is walked
// from the configured trust anchors; the AD bit of the answering resolver is never trusted.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/json.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/dnssec/trust_anchor.hpp"

namespace mh::dnssec {

// The security status of an answer (RFC 4033 §5, RFC 4035 §4.3), ordered by how much the answer
// can be trusted, as Unbound's sec_status (unchecked < bogus < indeterminate < insecure <
// secure). Our Indeterminate takes Unbound's "unchecked" place at the bottom: it means we could
// not tell (a lookup failed, or no trust anchor covers the name), so it asserts less than even
// Bogus, and the status of several answers together is the weakest of them — one lookup error
// makes the whole Indeterminate, which the checks report as Status::Error, never as a failure
// (a verdict on an agency must not rest on evidence we could not collect). Bogus sits below
// Insecure because a broken signature is worse than none: validating resolvers refuse the
// answer, so mail to the domain stops.
enum class SecurityStatus { Indeterminate = 0, Bogus = 1, Insecure = 2, Secure = 3 };

constexpr SecurityStatus weakest(SecurityStatus a, SecurityStatus b) {
  return a < b ? a : b;
}
std::string_view toString(SecurityStatus s);  // "indeterminate", "bogus", "insecure", "secure"

// One link of the chain of trust as walked, for the evidence.
struct ChainStep {
  std::string name;  // the zone or owner name the step is about
  std::string what;  // "anchor", "ds", "dnskey", "no-ds", "not-a-cut", "rrset", "denial"
  SecurityStatus status = SecurityStatus::Indeterminate;
  std::string detail;  // e.g. "DS 2371 13 2 matches DNSKEY 2371", "RRSIG expired"
};

// Stable reason codes of a validation (Validation::reason).
namespace reason {
inline constexpr std::string_view kSigned = "SIGNED";             // secure
inline constexpr std::string_view kInsecureDelegation = "NO_DS";  // proven unsigned
inline constexpr std::string_view kUnsupportedAlgorithm = "UNSUPPORTED_ALGORITHM";  // insecure
inline constexpr std::string_view kLookupError = "LOOKUP_ERROR";                    // indeterminate
inline constexpr std::string_view kNoTrustAnchor = "NO_TRUST_ANCHOR";               // indeterminate
inline constexpr std::string_view kNoDnssecFromResolver = "RESOLVER_WITHOUT_DNSSEC";  // indet.
inline constexpr std::string_view kAnchorMismatch = "ANCHOR_MISMATCH";                // bogus
inline constexpr std::string_view kDsMismatch = "DS_MISMATCH";                        // bogus
inline constexpr std::string_view kDnskeyMissing = "DNSKEY_MISSING";                  // bogus
inline constexpr std::string_view kSignatureMissing = "SIGNATURE_MISSING";            // bogus
inline constexpr std::string_view kSignatureExpired = "SIGNATURE_EXPIRED";            // bogus
inline constexpr std::string_view kSignatureNotYetValid = "SIGNATURE_NOT_YET_VALID";  // bogus
inline constexpr std::string_view kSignatureInvalid = "SIGNATURE_INVALID";            // bogus
inline constexpr std::string_view kDenialMissing = "DENIAL_MISSING";                  // bogus
inline constexpr std::string_view kDenialInvalid = "DENIAL_INVALID";                  // bogus
}  // namespace reason

struct Validation {
  SecurityStatus status = SecurityStatus::Indeterminate;
  std::string reason;  // one of mh::dnssec::reason
  std::string detail;  // English detail: which name, which key, what ldns said
  std::string zone;    // the signing zone (secure, bogus) or the insecure delegation point
  std::vector<ChainStep> chain;
};

Json toJson(const Validation& v);

// Validates answers of one resolver against trust anchors at a fixed time. It asks the resolver
// for DS and DNSKEY records along the way (RFC 4035 §5): for every name from the anchored zone
// down to the owner, DS at the name (a signed DS means a secure delegation whose DNSKEY RRset
// must be self-signed by a key matching the DS; a signed NSEC/NSEC3 denial with NS in the
// bitmap, or an opt-out span, proves an insecure delegation; without NS the name is no zone
// cut), then the RRSIGs over the answer's RRsets or its NSEC/NSEC3 denial against the keys of
// the zone. Zone results are memoised, so one Validator per audit thread is cheap to reuse.
// Signature times are checked against `now` (RFC 4035 §5.3.1). Wildcard expansions are checked
// for their signature only (the NSEC proof that no closer name exists is not demanded).
// Not thread-safe (like the Resolver it uses).
class Validator {
 public:
  Validator(dns::Resolver& resolver, const TrustAnchors& anchors,
            std::chrono::system_clock::time_point now);

  // Validates an answer this resolver gave (its signatures and denial must be present).
  Validation validate(const dns::DnsAnswer& answer);
  // Asks (name, type) and validates the answer; `answer` receives it.
  Validation query(std::string_view name, std::uint16_t type, dns::DnsAnswer& answer);

  // The status of the zone holding `name` (the chain walk alone).
  Validation zoneOf(std::string_view name);

 private:
  struct ZoneState {
    Validation v;                      // status, reason, zone, chain so far
    std::vector<dns::DnsRecord> keys;  // the validated DNSKEY RRset (Secure only)
    bool nonexistent = false;          // a signed NXDOMAIN proved the name does not exist
  };
  const ZoneState& anchorState(const std::string& zone);
  ZoneState walk(const std::string& name);
  ZoneState step(const ZoneState& parent, const std::string& name);
  Validation verifyDenialOf(const dns::DnsAnswer& answer, const std::string& name,
                            const ZoneState& zone, bool* delegation);

  dns::Resolver& resolver_;
  const TrustAnchors& anchors_;
  std::int64_t now_;  // seconds since the epoch
  std::map<std::string, ZoneState> anchorStates_;
  std::map<std::string, ZoneState> walked_;  // name -> state after its DS step
};

}  // namespace mh::dnssec
