// MX-01: are the domain's MX records usable (RFC 5321 §5.1, RFC 7505 null MX, RFC 2181 §10.3)?
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/dns/resolver.hpp"

namespace mh::mx {

// At most this many MX hosts are resolved (and later probed), in preference order.
inline constexpr std::size_t kMaxMxHosts = 10;

struct MxHost {
  std::string name;
  std::uint16_t preference = 0;
  bool ip_literal = false;  // the target is written as an address
  dns::DnsAnswer a;
  dns::DnsAnswer aaaa;

  // Addresses from the A and AAAA answers, IPv4 first.
  std::vector<std::string> addresses() const;
  bool viaCname() const { return !a.cnames.empty() || !aaaa.cnames.empty(); }
};

struct MxEvidence {
  std::string domain;
  dns::DnsAnswer mx;
  dns::DnsAnswer a;     // the domain's own addresses (implicit MX, null MX on a parked domain)
  dns::DnsAnswer aaaa;
  bool null_mx = false;           // an MX record "0 ." is present
  std::size_t total_hosts = 0;    // MX records other than null, before the kMaxMxHosts cap
  std::vector<MxHost> hosts;      // sorted by preference, then name; null MX excluded
};

MxEvidence gatherMx(dns::Resolver& resolver, std::string_view domain);

CheckResult judgeMx01(const MxEvidence& e);

// Receives mail (profile R): an MX host other than null, or no MX but an address (implicit MX,
// RFC 5321 §5.1). NR: null MX, or neither MX nor address. Unknown (lookup error) counts as R,
// so that no receiving check is silently skipped.
bool receivesMail(const MxEvidence& e);

// The mail targets: MX hosts, or the domain itself under implicit MX.
std::vector<MxHost> mailTargets(const MxEvidence& e);

std::span<const TagSpec> mxTagSpecs();

}  // namespace mh::mx
