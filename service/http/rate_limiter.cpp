// Token-bucket rate limiting for the self-check and the admin token, bounded in memory.
#include "service/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace mh::service::http {

RateLimiter::RateLimiter(int per_minute, std::size_t max_keys)
    : capacity_(std::max(0, per_minute)),
      per_second_(std::max(0, per_minute) / 60.0),
      max_keys_(std::max<std::size_t>(4, max_keys)),
      overflow_{capacity_, Clock::now()} {}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) b.tokens = std::min(capacity_, b.tokens + elapsed * per_second_);
  b.updated = std::max(b.updated, now);
}

void RateLimiter::forgetFull(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= capacity_ ? buckets_.erase(it) : std::next(it);
  }
}

RateLimiter::Bucket& RateLimiter::bucketFor(const std::string& key, const std::string& network,
                                            Clock::time_point now) {
  if (auto it = buckets_.find(key); it != buckets_.end()) return it->second;
  const std::size_t pressure = max_keys_ * 3 / 4;
  if (buckets_.size() >= pressure) forgetFull(now);
  if (buckets_.size() < pressure)
    return buckets_.emplace(key, Bucket{capacity_, now}).first->second;
  if (!network.empty()) {
    if (auto it = buckets_.find(network); it != buckets_.end()) return it->second;
    if (buckets_.size() < max_keys_)
      return buckets_.emplace(network, Bucket{capacity_, now}).first->second;
  }
  return overflow_;
}

int RateLimiter::secondsUntilToken(const Bucket& b) const {
  if (b.tokens >= 1.0) return 0;
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_ - 1e-9)));
}

int RateLimiter::take(const std::string& key, Clock::time_point now) {
  return take(key, "", now);
}

int RateLimiter::take(const std::string& key, const std::string& network, Clock::time_point now) {
  if (capacity_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  Bucket& b = bucketFor(key, network, now);
  refill(b, now);
  if (const int wait = secondsUntilToken(b); wait > 0) return wait;
  b.tokens -= 1.0;
  return 0;
}

int RateLimiter::wait(const std::string& key, const std::string& network, Clock::time_point now) {
  if (capacity_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  Bucket* b = nullptr;
  if (auto it = buckets_.find(key); it != buckets_.end()) {
    b = &it->second;
  } else if (auto net = buckets_.find(network); !network.empty() && net != buckets_.end()) {
    b = &net->second;
  } else if (buckets_.size() >= max_keys_ * 3 / 4) {
    b = &overflow_;
  }
  if (!b) return 0;
  refill(*b, now);
  return secondsUntilToken(*b);
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace mh::service::http
