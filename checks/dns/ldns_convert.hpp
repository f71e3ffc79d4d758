// Conversion between ldns wire objects and the checks' DnsRecord/DnsAnswer values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checks/dns/dns_types.hpp"
#include "checks/dns/ldns_ptr.hpp"

namespace mh::dns {

// One RR as a DnsRecord (owner and targets normalised, TXT strings as raw octets).
DnsRecord recordFromLdns(const ldns_rr* rr);

// Parses one RR in zone-file syntax ("name [ttl] [IN] TYPE rdata"); nullopt when ldns rejects it.
// Relative owner names are completed with `origin` when given.
std::optional<DnsRecord> parseRecord(std::string_view zoneLine, std::string_view origin = {},
                                     std::uint32_t defaultTtl = 300);

// Interprets a response to (qname, qtype): RCODE to DnsStatus, the CNAME chain from qname is
// followed inside the answer section, records of qtype at the end of the chain are kept, and the
// SOA minimum of a negative answer becomes negative_ttl.
DnsAnswer answerFromPacket(const ldns_pkt* pkt, std::string_view qname, std::uint16_t qtype);

}  // namespace mh::dns
