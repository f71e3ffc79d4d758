// A cap on the DNS queries in flight at once across the resolvers of one audit run.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace mh::dns {

// Shared by every LdnsResolver of a run (through LdnsResolverOptions::in_flight) so that batches
// (queryMany) from many threads do not flood the recursive resolver: a burst beyond what its
// socket buffer holds is dropped, and every dropped query costs a full timeout and an `error`.
// Thread-safe. A slot is held from a UDP query's send to its outcome.
class InFlightLimit {
 public:
  explicit InFlightLimit(std::size_t max);  // at least 1

  // Takes up to `wanted` slots, waiting until at least one is free; returns how many it took.
  // Only a caller holding no slot may wait (so every waiter's slots are already back).
  std::size_t acquire(std::size_t wanted);
  // Takes up to `wanted` free slots without waiting; may return 0.
  std::size_t tryAcquire(std::size_t wanted);
  void release(std::size_t count);

  std::size_t max() const { return max_; }
  std::size_t inUse() const;

 private:
  const std::size_t max_;
  mutable std::mutex mutex_;  // guards free_
  std::condition_variable freed_;
  std::size_t free_;
};

}  // namespace mh::dns
