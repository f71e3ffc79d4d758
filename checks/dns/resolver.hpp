// The resolver interface injected into every check (ldns, fixture and caching implementations).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dns/dns_types.hpp"

namespace mh::dns {

// One question of a batch (queryMany).
struct DnsQuestion {
  std::string name;
  std::uint16_t type = 0;
};

// One query, one answer; never throws for DNS or network outcomes (they are DnsStatus values).
// Implementations are not required to be thread-safe: give each worker thread its own.
class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual DnsAnswer query(std::string_view name, std::uint16_t type) = 0;

  // Independent questions asked together: the answers, in the order of the questions, are what
  // query() would give for each. The default asks them one after another; the ldns resolver
  // has them all in flight at once, so a batch costs one round trip instead of one per question
  // (DKIM selector discovery asks about thirty names nobody depends on).
  virtual std::vector<DnsAnswer> queryMany(std::span<const DnsQuestion> questions) {
    std::vector<DnsAnswer> answers;
    answers.reserve(questions.size());
    for (const auto& q : questions) answers.push_back(query(q.name, q.type));
    return answers;
  }
};

}  // namespace mh::dns
