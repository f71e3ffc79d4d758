// DANE-01: TLSA for every MX (RFC 7672 SMTP DANE over RFC 6698 TLSA), DNSSEC-secure and matching.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "checks/dnssec/validator.hpp"
#include "checks/mx/mx_check.hpp"

namespace mh::dnssec {

using DerChain = std::vector<std::vector<unsigned char>>;  // leaf first

// One TLSA record (RFC 6698 §2.1).
struct TlsaRecord {
  std::uint8_t usage = 0;     // 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
  std::uint8_t selector = 0;  // 0 full certificate, 1 SubjectPublicKeyInfo
  std::uint8_t matching = 0;  // 0 exact, 1 SHA-256, 2 SHA-512
  std::vector<unsigned char> data;
  std::string text;  // "3 1 1 <hex>"
};

// "3 1 1 ABCD..." (the rdata as DnsRecord::data holds it); nullopt when malformed.
std::optional<TlsaRecord> parseTlsa(std::string_view rdata);

// RFC 7672 §3.1: usages 2 and 3 with selectors 0/1 and matching types 0/1/2 are usable for SMTP.
bool usableForSmtp(const TlsaRecord& r);

// RFC 6698 §2.1.2-2.1.3: the record's data equals the selected part of the DER certificate,
// hashed as the matching type says. False for unknown selectors/matching types or bad DER.
bool tlsaMatchesCertificate(const TlsaRecord& r, const std::vector<unsigned char>& der);

// RFC 7672 §3.1.1-3.1.2: a usable record matches the presented chain. DANE-EE (3): the leaf's
// certificate or key, whatever its names and dates. DANE-TA (2): a CA certificate the server sent
// (chain[1..]; the server must send its trust anchor), from which the leaf verifies (signatures
// and CA constraints, through the other certificates sent) and whose leaf names `host`, the MX
// host (§3.2.2). Dates are left to TLS-04. Not supported: a full-key DANE-TA record (2 0 0,
// 2 1 0) whose anchor the server leaves out of the chain (RFC 7671 §5.2.2) does not match.
// The matching record, or nullopt.
std::optional<TlsaRecord> matchChain(const std::vector<TlsaRecord>& records, const DerChain& chain,
                                     std::string_view host);

struct DaneEvidence {
  std::uint16_t port = 25;
  struct Host {
    std::string name;       // the MX host (or the domain under implicit MX)
    std::string tlsa_name;  // _<port>._tcp.<name>
    dns::DnsAnswer tlsa;
    Validation validation;  // of the TLSA answer: records count only when Secure
    std::vector<TlsaRecord> records;
    std::size_t malformed = 0;  // TLSA records that did not parse
  };
  std::vector<Host> hosts;
};

DaneEvidence gatherDane(dns::Resolver& resolver, const mx::MxEvidence& mx,
                        const TrustAnchors& anchors, std::uint16_t port,
                        std::chrono::system_clock::time_point now);

// chains: for each MX host name, the DER chain the server presented (leaf first); empty or
// missing when SMTP was not probed, and then the match is reported as not checked (info),
// never claimed.
CheckResult judgeDane01(
    const DaneEvidence& e,
    const std::map<std::string, std::vector<std::vector<unsigned char>>>& chains,
    const DomainProfile& profile);

std::span<const TagSpec> daneTagSpecs();

}  // namespace mh::dnssec
