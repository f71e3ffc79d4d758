// Sleeping on a Clock: a condition variable woken by cancellation or by a clock that moved.
#include "service/http/clock.hpp"

#include <algorithm>

namespace mh::service::http {

bool Clock::sleepUntil(TimePoint deadline, const std::atomic<bool>& cancel) {
  std::unique_lock lock(mutex_);
  while (!cancel.load()) {
    if (now() >= deadline) return true;
    woken_.wait_for(lock, longestNap(deadline));
  }
  return false;
}

void Clock::wake() {
  std::lock_guard lock(mutex_);
  woken_.notify_all();
}

std::chrono::milliseconds SystemClock::longestNap(TimePoint deadline) const {
  using std::chrono::milliseconds;
  const auto left = std::chrono::ceil<milliseconds>(deadline - now());
  return std::clamp(left, milliseconds(1), milliseconds(std::chrono::minutes(1)));
}

}  // namespace mh::service::http
