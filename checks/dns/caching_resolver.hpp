// A thread-safe DNS cache shared by every domain of one audit run, and the per-thread resolver over
// it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "checks/dns/resolver.hpp"

namespace mh::dns {

struct DnsCacheOptions {
  std::uint32_t max_ttl = 86400;             // cap on positive TTLs (seconds)
  std::uint32_t default_negative_ttl = 300;  // NXDOMAIN/NODATA without an SOA
  // Lookup errors (timeout, SERVFAIL, ...) are cached briefly so that one dead server is not
  // asked again by every domain of the audit that includes it; the upstream already retried.
  std::uint32_t error_ttl = 60;
  // Beyond this many entries the least recently used one is evicted. Most answers of a national
  // run are asked once (a domain's own DKIM selectors, _dmarc, ...); the shared ones (providers'
  // MX hosts and SPF includes) are used again and again and so stay. About 1 KB per entry.
  std::size_t max_entries = 100000;
  // Lookup errors are kept apart, in a recency list of their own, so that the flood of answers a
  // national run asks once cannot push them out: each one spares the next asker a timeout
  // budget (a dead provider, or a dead domain found by the run's look-ahead). They are small.
  std::size_t max_errors = 20000;
};

// Shared, TTL-respecting, size-bounded (LRU) cache: positive answers for min(TTL), negative
// answers (RFC 2308) for the SOA-derived negative TTL. Safe to use from many threads.
class DnsCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit DnsCache(DnsCacheOptions options = {}, Clock clock = {});

  std::optional<DnsAnswer> get(const std::string& name, std::uint16_t type);
  void put(const DnsAnswer& answer);

  // Forgets every cached lookup error, so that a later retry asks again; returns how many.
  std::size_t dropErrors();

  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t size() const;

 private:
  using Key = std::pair<std::string, std::uint16_t>;
  struct Entry {
    DnsAnswer answer;
    std::chrono::steady_clock::time_point expires;
    std::list<Key>::iterator use;  // its place in recency_, or errorRecency_ when error
    bool error = false;            // answer.isError()
  };
  std::chrono::seconds lifetime(const DnsAnswer& answer) const;
  void erase(std::map<Key, Entry>::iterator it);  // mutex_ held
  std::list<Key>& recencyOf(bool error) { return error ? errorRecency_ : recency_; }

  DnsCacheOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;  // guards the members below
  std::map<Key, Entry> entries_;
  std::list<Key> recency_;       // answers, most recently used first
  std::list<Key> errorRecency_;  // lookup errors, most recently used first
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

// A per-thread resolver that answers from the shared cache and asks its upstream on a miss.
class CachingResolver : public Resolver {
 public:
  CachingResolver(Resolver& upstream, DnsCache& cache) : upstream_(upstream), cache_(cache) {}
  DnsAnswer query(std::string_view name, std::uint16_t type) override;
  // The cached answers at once, the misses as one batch upstream.
  std::vector<DnsAnswer> queryMany(std::span<const DnsQuestion> questions) override;

 private:
  Resolver& upstream_;
  DnsCache& cache_;
};

}  // namespace mh::dns
