// HYG-01: every MX address has a PTR record whose name resolves back to it (forward-confirmed rDNS).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/dns/resolver.hpp"
#include "checks/mx/mx_check.hpp"

namespace mh::hygiene {

// At most this many addresses are examined per domain (all MX hosts together).
inline constexpr std::size_t kMaxReverseAddresses = 20;

struct PtrTarget {
  std::string name;
  dns::DnsAnswer forward;  // A or AAAA of the PTR name, matching the address family
};

struct AddressReverse {
  std::string host;     // the MX host the address belongs to
  std::string address;
  dns::DnsAnswer ptr;
  std::vector<PtrTarget> targets;  // one per PTR record
};

struct ReverseDnsEvidence {
  std::vector<AddressReverse> addresses;
  std::size_t skipped = 0;  // addresses beyond kMaxReverseAddresses
};

ReverseDnsEvidence gatherReverseDns(dns::Resolver& resolver, const mx::MxEvidence& mx);

CheckResult judgeHyg01(const ReverseDnsEvidence& e, const DomainProfile& profile);

std::span<const TagSpec> reverseDnsTagSpecs();

}  // namespace mh::hygiene
