// Token buckets keyed by a string (client address, domain): N requests per minute with a burst of
// N, in bounded memory that a flood of new keys cannot flush.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mh::service::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_minute <= 0 disables the limit. At most max_keys buckets are kept (plus one overflow
  // bucket). Full buckets carry no memory of a client and are forgotten first; a bucket that is
  // not full (a client that has been asking) is never forgotten before it refills, so a flood
  // of new keys cannot reset the buckets of the clients already limited. Under pressure (three
  // quarters of max_keys in use after forgetting the full buckets) a new key shares the bucket
  // of its `network` (the /24 or /56 of an address); when even those cannot be added, every new
  // key shares one overflow bucket.
  explicit RateLimiter(int per_minute, std::size_t max_keys = 10000);

  // Takes one token from key's bucket. Returns 0 when allowed, otherwise the whole seconds to
  // wait before a token is available (for Retry-After); nothing is taken then.
  int take(const std::string& key, Clock::time_point now = Clock::now());
  int take(const std::string& key, const std::string& network,
           Clock::time_point now = Clock::now());
  // The seconds to wait before the bucket take(key, network) would use has a token (0: it has
  // one); takes nothing and adds no bucket.
  int wait(const std::string& key, const std::string& network,
           Clock::time_point now = Clock::now());

  std::size_t size() const;  // buckets held (tests, metrics)

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void refill(Bucket& b, Clock::time_point now) const;
  void forgetFull(Clock::time_point now);
  Bucket& bucketFor(const std::string& key, const std::string& network, Clock::time_point now);
  int secondsUntilToken(const Bucket& b) const;

  double capacity_;
  double per_second_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Bucket overflow_;
};

}  // namespace mh::service::http
