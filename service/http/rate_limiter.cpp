// Token-bucket rate limiting for the self-check.
#include "service/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace mh::service::http {

RateLimiter::RateLimiter(int per_minute, std::size_t max_keys)
    : capacity_(std::max(0, per_minute)),
      per_second_(std::max(0, per_minute) / 60.0),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) b.tokens = std::min(capacity_, b.tokens + elapsed * per_second_);
  b.updated = std::max(b.updated, now);
}

void RateLimiter::prune(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= capacity_ ? buckets_.erase(it) : std::next(it);
  }
  // Still full of busy clients: forget all (a burst of fresh buckets beats unbounded memory).
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

int RateLimiter::take(const std::string& key, Clock::time_point now) {
  if (capacity_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    it = buckets_.emplace(key, Bucket{capacity_, now}).first;
  }
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_ - 1e-9)));
}

}  // namespace mh::service::http
