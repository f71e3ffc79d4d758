// The real stub resolver: ldns builds and parses packets, our own UDP/TCP I/O keeps outcomes exact.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dns/in_flight_limit.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::dns {

struct NameserverAddress {
  std::string address;  // IPv4 or IPv6 literal (no brackets)
  std::uint16_t port = 53;

  // "127.0.0.1#53", "::1#5353": the form recorded in DnsAnswer::server.
  std::string label() const;
};

struct LdnsResolverOptions {
  std::vector<NameserverAddress> nameservers;  // empty => the nameservers of resolv_conf
  std::chrono::milliseconds timeout{3000};     // per attempt
  int retries = 2;                             // extra attempts per server
  std::uint16_t edns_udp_size = 1232;          // EDNS0 always on (values below 512 become 512)
  bool dnssec_ok = true;  // DO bit (so AD/RRSIG can be seen later for DNSSEC-01)
  bool recursion_desired = true;
  std::string resolv_conf = "/etc/resolv.conf";  // read only when nameservers is empty
  // Shared by the resolvers of one run (copies of these options share it): caps the UDP queries
  // in flight at once. Null: no cap.
  std::shared_ptr<InFlightLimit> in_flight;
};

// "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353" (and the answer form "addr#port");
// nullopt when the address is not an IP literal or the port is not 1-65535.
std::optional<NameserverAddress> parseNameserver(std::string_view text);

// A stub resolver over one or more nameservers.
//
// Thread safety: none. One LdnsResolver per thread (it owns a random generator and its query
// state, like an ldns_resolver, which ldns/resolver.h warns is mutated by every query). Share
// answers between threads with DnsCache + one CachingResolver per thread.
//
// Per query: the name is checked with isValidDnsName (InvalidName, nothing sent); then for each
// round (1 + retries) each nameserver is asked in order over UDP with a fresh random ID, EDNS0
// and the DO bit; a truncated (TC) answer is asked again over TCP. The first usable answer
// (NOERROR, NODATA, NXDOMAIN) ends the query; a timeout, network error, SERVFAIL, REFUSED or
// malformed answer moves on to the next server, so one dead server does not fail the query.
// When no server gave a usable answer the reported outcome is, in order of preference: the last
// DNS response (SERVFAIL, REFUSED, FORMERR/NOTIMP...), then a malformed/mismatched response
// (OtherError), then Timeout if any attempt timed out, else NetworkError. `error` lists what
// every attempt got.
class LdnsResolver : public Resolver {
 public:
  // Throws std::runtime_error when no nameserver is given and none can be read from
  // options.resolv_conf, std::invalid_argument for a nameserver that is not an IP literal.
  explicit LdnsResolver(LdnsResolverOptions options = {});

  DnsAnswer query(std::string_view name, std::uint16_t type) override;
  // Every question in flight at once, each on its own UDP socket (TCP after a truncated reply):
  // per question the same rounds, servers, outcomes and error text as query().
  std::vector<DnsAnswer> queryMany(std::span<const DnsQuestion> questions) override;

  const std::vector<NameserverAddress>& nameservers() const { return options_.nameservers; }
  const LdnsResolverOptions& options() const { return options_; }

 private:
  LdnsResolverOptions options_;
  std::mt19937 random_;
};

// One exchange with one server exactly as asked: over UDP or TCP, with or without EDNS0, no retry
// and no fall-back to TCP. What the resolver preflight (dnssec::probeResolverTransport) asks.
struct ExchangeOptions {
  bool tcp = false;
  bool edns = true;                    // send an OPT record (RFC 6891)
  std::uint16_t edns_udp_size = 1232;  // offered in it (at least 512)
  bool dnssec_ok = true;               // its DO bit
  bool recursion_desired = true;
  std::chrono::milliseconds timeout{3000};  // the whole exchange
};

struct ExchangeResult {
  // The answer as query() would give it; Timeout, NetworkError or OtherError (a malformed or
  // mismatched reply) when no response came.
  DnsAnswer answer;
  bool responded = false;  // a response to the question arrived
  bool truncated = false;  // its TC bit
  bool edns = false;       // it carried an OPT record
  std::size_t size = 0;    // its length in octets
};

ExchangeResult exchangeOnce(const NameserverAddress& server, std::string_view name,
                            std::uint16_t type, const ExchangeOptions& options = {});

}  // namespace mh::dns
