// The DNS queries in flight at once: an AIMD window per resolver address under a fixed bound.
#include "checks/dns/in_flight_limit.hpp"

#include <algorithm>

namespace mh::dns {

InFlightLimit::InFlightLimit(std::size_t max, std::size_t initial, std::chrono::milliseconds ramp)
    : max_(std::max<std::size_t>(1, max)),
      initial_(std::clamp<std::size_t>(initial, 1, max_)),
      ramp_(ramp) {}

InFlightLimit::Server& InFlightLimit::serverLocked(std::string_view server) {
  auto it = servers_.find(server);
  if (it == servers_.end())
    it = servers_.emplace(std::string(server), Server{AimdWindow(initial_, max_, ramp_), 0}).first;
  return it->second;
}

std::size_t InFlightLimit::takeLocked(Server& s, std::size_t wanted) {
  const std::size_t window = s.window.size();
  const std::size_t free = std::min(max_ - in_use_, window > s.in_use ? window - s.in_use : 0);
  const std::size_t taken = std::min(wanted, free);
  s.in_use += taken;
  in_use_ += taken;
  return taken;
}

void InFlightLimit::giveBackLocked(Server& s, std::size_t count) {
  count = std::min(count, s.in_use);
  s.in_use -= count;
  in_use_ -= count;
}

std::size_t InFlightLimit::acquire(std::string_view server, std::size_t wanted) {
  if (wanted == 0) return 0;
  std::unique_lock lock(mutex_);
  Server& s = serverLocked(server);
  std::size_t taken = 0;
  freed_.wait(lock, [&] { return (taken = takeLocked(s, wanted)) > 0; });
  return taken;
}

std::size_t InFlightLimit::tryAcquire(std::string_view server, std::size_t wanted) {
  std::lock_guard lock(mutex_);
  return takeLocked(serverLocked(server), wanted);
}

void InFlightLimit::release(std::string_view server, std::size_t count) {
  if (count == 0) return;
  {
    std::lock_guard lock(mutex_);
    giveBackLocked(serverLocked(server), count);
  }
  freed_.notify_all();
}

void InFlightLimit::answered(std::string_view server) {
  {
    std::lock_guard lock(mutex_);
    Server& s = serverLocked(server);
    s.window.answered(Clock::now());
    giveBackLocked(s, 1);
  }
  freed_.notify_all();
}

void InFlightLimit::lost(std::string_view server, Clock::time_point sentAt) {
  {
    std::lock_guard lock(mutex_);
    Server& s = serverLocked(server);
    s.window.lost(sentAt, Clock::now());
    giveBackLocked(s, 1);
    ++losses_;
  }
  freed_.notify_all();
}

std::size_t InFlightLimit::inUse() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

std::size_t InFlightLimit::window(std::string_view server) const {
  std::lock_guard lock(mutex_);
  const auto it = servers_.find(server);
  return it == servers_.end() ? initial_ : it->second.window.size();
}

std::size_t InFlightLimit::peakWindow() const {
  std::lock_guard lock(mutex_);
  std::size_t peak = 0;
  for (const auto& [name, s] : servers_) peak = std::max(peak, s.window.peak());
  return peak;
}

std::uint64_t InFlightLimit::losses() const {
  std::lock_guard lock(mutex_);
  return losses_;
}

}  // namespace mh::dns
