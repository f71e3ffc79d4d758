// A cap on the DNS queries in flight at once across the resolvers of one audit run.
#include "checks/dns/in_flight_limit.hpp"

#include <algorithm>

namespace mh::dns {

InFlightLimit::InFlightLimit(std::size_t max) : max_(std::max<std::size_t>(1, max)), free_(max_) {}

std::size_t InFlightLimit::acquire(std::size_t wanted) {
  if (wanted == 0) return 0;
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return free_ > 0; });
  const std::size_t taken = std::min(wanted, free_);
  free_ -= taken;
  return taken;
}

std::size_t InFlightLimit::tryAcquire(std::size_t wanted) {
  std::lock_guard lock(mutex_);
  const std::size_t taken = std::min(wanted, free_);
  free_ -= taken;
  return taken;
}

void InFlightLimit::release(std::size_t count) {
  if (count == 0) return;
  {
    std::lock_guard lock(mutex_);
    free_ = std::min(max_, free_ + count);
  }
  freed_.notify_all();
}

std::size_t InFlightLimit::inUse() const {
  std::lock_guard lock(mutex_);
  return max_ - free_;
}

}  // namespace mh::dns
