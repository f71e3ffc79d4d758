// The resolver interface injected into every check (ldns, fixture and caching implementations).
#pragma once

#include <cstdint>
#include <string_view>

#include "checks/dns/dns_types.hpp"

namespace mh::dns {

// One query, one answer; never throws for DNS or network outcomes (they are DnsStatus values).
// Implementations are not required to be thread-safe: give each worker thread its own.
class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual DnsAnswer query(std::string_view name, std::uint16_t type) = 0;
};

}  // namespace mh::dns
