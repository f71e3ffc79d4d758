// The time source of the scheduler and of the re-check delay: the system clock in the service,
// a clock that a test moves by hand in the tests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mh::service::http {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;

  // Blocks until now() reaches `deadline` (returns true) or until `cancel` is set and wake() is
  // called (returns false). Cancel first, then wake: a sleeper never misses the pair.
  bool sleepUntil(TimePoint deadline, const std::atomic<bool>& cancel);

  // Makes every sleeper look at the time and at its cancel flag again.
  void wake();

 protected:
  // How long a sleeper may block before it looks at now() again when nobody wakes it.
  virtual std::chrono::milliseconds longestNap(TimePoint deadline) const = 0;

 private:
  std::mutex mutex_;
  std::condition_variable woken_;
};

// The wall clock. A sleeper looks at it at least once a minute, so a wall clock set forward or
// back (NTP, an operator) is followed within a minute.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }

 protected:
  std::chrono::milliseconds longestNap(TimePoint deadline) const override;
};

}  // namespace mh::service::http
