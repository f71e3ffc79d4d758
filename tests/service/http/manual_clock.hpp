// A Clock that a test moves by hand: the scheduler and the re-check delay see no real time.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "service/http/clock.hpp"
#include "service/http/schedule.hpp"

namespace mh::service::http::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : ticks_(start.time_since_epoch().count()) {}

  TimePoint now() const override { return TimePoint(TimePoint::duration(ticks_.load())); }

  // Moves the clock (forward or back) and wakes every sleeper.
  void set(TimePoint t) {
    ticks_.store(t.time_since_epoch().count());
    wake();
  }
  void advance(std::chrono::seconds by) { set(now() + by); }

 protected:
  // Sleepers wait for set(): an hour of real time is a hang, which a test would report.
  std::chrono::milliseconds longestNap(TimePoint) const override { return std::chrono::hours(1); }

 private:
  std::atomic<TimePoint::rep> ticks_;
};

// "2026-03-01T19:00:00Z" as a time point (throws on a typo in a test).
inline Clock::TimePoint utc(const std::string& text) {
  auto t = parseUtc(text);
  if (!t) throw std::invalid_argument("not a UTC time: " + text);
  return *t;
}

}  // namespace mh::service::http::testing
