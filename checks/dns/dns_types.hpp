// DNS answers as the checks see them: the outcome kept exact (NODATA is not NXDOMAIN is not SERVFAIL).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/json.hpp"

namespace mh::dns {

// RR type numbers (RFC 1035, 3596, 4034, 5155, 6698, 7208).
namespace rr {
constexpr std::uint16_t A = 1;
constexpr std::uint16_t NS = 2;
constexpr std::uint16_t CNAME = 5;
constexpr std::uint16_t SOA = 6;
constexpr std::uint16_t PTR = 12;
constexpr std::uint16_t MX = 15;
constexpr std::uint16_t TXT = 16;
constexpr std::uint16_t AAAA = 28;
constexpr std::uint16_t SRV = 33;
constexpr std::uint16_t DS = 43;
constexpr std::uint16_t RRSIG = 46;
constexpr std::uint16_t NSEC = 47;
constexpr std::uint16_t DNSKEY = 48;
constexpr std::uint16_t NSEC3 = 50;
constexpr std::uint16_t TLSA = 52;
constexpr std::uint16_t SPF = 99;
constexpr std::uint16_t CAA = 257;
}  // namespace rr

std::string typeName(std::uint16_t type);

// How a query ended. The first three are answers about the domain; the rest mean "could not
// tell" and every check turns them into Status::Error, never Fail.
enum class DnsStatus {
  NoError,       // the name has records of the type (records non-empty)
  NoData,        // the name exists, no records of the type (NOERROR, empty answer)
  NxDomain,      // the name does not exist
  ServFail,      // RCODE 2
  Refused,       // RCODE 5
  Timeout,       // no answer from any server within the retries
  NetworkError,  // could not send or receive (unreachable, connection refused, ...)
  OtherError,    // FORMERR, NOTIMP, a malformed or mismatched response
  InvalidName,   // the query name is not a valid DNS name (label > 63, name > 253, empty label);
                 // nothing was sent. Not an error of the domain's DNS: the name cannot exist.
};

std::string_view toString(DnsStatus s);
// True for the outcomes that mean "could not tell".
constexpr bool isLookupError(DnsStatus s) {
  return s == DnsStatus::ServFail || s == DnsStatus::Refused || s == DnsStatus::Timeout ||
         s == DnsStatus::NetworkError || s == DnsStatus::OtherError;
}

struct DnsRecord {
  std::string owner;  // lower case, no trailing dot
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  // A/AAAA: the address as text; CNAME/PTR/NS/MX: the target name (lower case, no trailing dot,
  // "." for the root); other types: the rdata in presentation format.
  std::string data;
  std::uint16_t preference = 0;      // MX only
  std::vector<std::string> strings;  // TXT/SPF: the character-strings as raw octets
  std::string presentation;          // the whole record in zone-file form, for evidence

  // TXT/SPF: the character-strings concatenated without separators (RFC 7208 §3.3).
  std::string joinedText() const;
};

struct DnsAnswer {
  std::string qname;  // as asked, normalised
  std::uint16_t qtype = 0;
  DnsStatus status = DnsStatus::OtherError;
  int rcode = -1;              // wire RCODE when a response arrived
  bool authenticated = false;  // AD bit of the response
  std::vector<DnsRecord> records;  // RRs of qtype for qname (after any CNAME chain)
  std::vector<DnsRecord> cnames;   // the CNAME chain followed from qname, in order
  std::uint32_t negative_ttl = 0;  // from the SOA of a negative answer (RFC 2308)
  std::string server;              // "addr#port" of the server that answered
  std::string error;               // detail for error outcomes
  // DNSSEC material, present only when the server sent it (the DO bit is set; RFC 4035 §3.1).
  // Nothing above depends on them: they exist for the validator (checks/dnssec), which rebuilds
  // each RR from DnsRecord::presentation.
  //  - signatures: the answer section's RRSIGs whose owner is qname or a name of the CNAME chain
  //    (they cover `records` and `cnames`; the type covered is the first field of `data`).
  //  - denial: for a negative answer (NODATA, NXDOMAIN) the authority section's SOA, NSEC and
  //    NSEC3 records and the RRSIGs over them (RFC 4035 §3.1.3, RFC 5155 §7.2).
  std::vector<DnsRecord> signatures;
  std::vector<DnsRecord> denial;

  bool isError() const { return isLookupError(status); }
  bool hasRecords() const { return status == DnsStatus::NoError && !records.empty(); }
};

// Lower-cases and strips one trailing dot ("Example.COM." -> "example.com"); "." stays ".".
std::string normaliseName(std::string_view name);

// Checks RFC 1035 length limits: non-empty labels of at most 63 octets, at most 253 octets in
// presentation form without the trailing dot. A trailing dot is allowed.
bool isValidDnsName(std::string_view name);

// Evidence form: {"query":"name TYPE","status":"NOERROR","records":[...]} (plus error detail).
Json toJson(const DnsAnswer& answer);

}  // namespace mh::dns
