// Token buckets keyed by a string (client address, domain): N requests per minute with a burst of
// N.
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

  // per_minute <= 0 disables the limit. At most max_keys buckets are kept; full (idle) buckets
  // are forgotten first, so the memory stays bounded whatever the clients do.
  explicit RateLimiter(int per_minute, std::size_t max_keys = 10000);

  // Takes one token from key's bucket. Returns 0 when allowed, otherwise the whole seconds to
  // wait before a token is available (for Retry-After); nothing is taken then.
  int take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void refill(Bucket& b, Clock::time_point now) const;
  void prune(Clock::time_point now);

  double capacity_;
  double per_second_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace mh::service::http
