// The DNS queries in flight at once across the resolvers of one audit run: an AIMD window per
// resolver address under a fixed upper bound (--dns-in-flight).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "checks/dns/aimd_window.hpp"

namespace mh::dns {

// Shared by every LdnsResolver of a run (through LdnsResolverOptions::in_flight) so that batches
// (queryMany) from many threads do not flood the recursive resolver: a burst beyond what its
// socket buffer holds is dropped, and every dropped query costs a full timeout and an `error`.
// No setting can know that buffer in advance, so each resolver address gets an AimdWindow: it
// starts at `initial`, grows while answers come back and halves when queries time out; `max`
// bounds every window and all addresses together. Thread-safe. A slot is held from a UDP query's
// send to its outcome.
class InFlightLimit {
 public:
  using Clock = AimdWindow::Clock;
  static constexpr std::size_t kInitialWindow = 32;
  static constexpr std::chrono::milliseconds kDefaultRamp{5000};

  // `ramp`: the resolver's query timeout (AimdWindow).
  explicit InFlightLimit(std::size_t max, std::size_t initial = kInitialWindow,
                         std::chrono::milliseconds ramp = kDefaultRamp);

  // Takes up to `wanted` slots towards `server`, waiting until at least one is free; returns how
  // many it took. Only a caller holding no slot may wait (so every waiter's slots are already
  // back).
  std::size_t acquire(std::string_view server, std::size_t wanted);
  // Takes up to `wanted` free slots without waiting; may return 0.
  std::size_t tryAcquire(std::string_view server, std::size_t wanted);
  // Slots given back without an outcome that says anything about the server (not sent, or a
  // local network error).
  void release(std::string_view server, std::size_t count);
  // One slot back: the query got an answer (the window grows).
  void answered(std::string_view server);
  // One slot back: the query sent at `sentAt` timed out (the window halves, once per overrun).
  void lost(std::string_view server, Clock::time_point sentAt);

  std::size_t max() const { return max_; }
  std::size_t inUse() const;
  std::size_t window(std::string_view server) const;
  // The highest window any server reached, and the timeouts seen, for the bench and logs.
  std::size_t peakWindow() const;
  std::uint64_t losses() const;

 private:
  struct Server {
    AimdWindow window;
    std::size_t in_use = 0;
  };
  Server& serverLocked(std::string_view server);
  std::size_t takeLocked(Server& s, std::size_t wanted);
  void giveBackLocked(Server& s, std::size_t count);

  const std::size_t max_;
  const std::size_t initial_;
  const std::chrono::milliseconds ramp_;
  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable freed_;
  std::size_t in_use_ = 0;
  std::uint64_t losses_ = 0;
  std::map<std::string, Server, std::less<>> servers_;
};

}  // namespace mh::dns
