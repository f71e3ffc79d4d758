// The pacing of DNS queries towards one resolver address: additive increase while answers come
// back, multiplicative decrease when timeouts rise (AIMD, as TCP's congestion window).
#pragma once

#include <chrono>
#include <cstddef>

namespace mh::dns {

// How many queries may be in flight at once towards one resolver address. It starts modest,
// grows by one per answer until the first decrease (slow start, but to at most twice the level
// of one ramp period before: a dropped query is only seen when its timeout ends, so the window
// must not run far past a resolver's limit in that time), then by one per window of answers, and
// halves when more than kLossPercent of a window's outcomes are timeouts: a resolver whose socket
// buffer (or rate limit) is smaller than the audit's burst drops queries, and each drop costs a
// whole timeout. A few timeouts (dead domains, whose nameservers never answer) are not an overrun
// and change nothing. One decrease per overrun: a timeout of a query sent before the last decrease
// belongs to the overrun already answered. Never below 1 nor above `max`
// (--dns-in-flight). Pure logic: the caller passes the times and locks (InFlightLimit).
class AimdWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kLossPercent = 5;
  static constexpr std::size_t kMinSample = 20;  // outcomes judged together, at least

  // `ramp` is the query timeout: how long a loss takes to be seen.
  AimdWindow(std::size_t initial, std::size_t max, std::chrono::milliseconds ramp);

  std::size_t size() const { return static_cast<std::size_t>(window_); }
  std::size_t peak() const { return peak_; }
  std::size_t decreases() const { return decreases_; }

  // A query got an answer (any answer, SERVFAIL included: the resolver is keeping up).
  void answered(Clock::time_point now);
  // A query sent at `sentAt` got no answer before its deadline; `now` is when that was seen.
  void lost(Clock::time_point sentAt, Clock::time_point now);

 private:
  // Judges the outcomes since the last judgement once there are a window's worth.
  void judge(Clock::time_point now);

  double max_;
  double window_;
  double threshold_;  // slow start below it
  std::chrono::milliseconds ramp_;
  double base_;                    // the window at base_time_: slow start stays below twice it
  Clock::time_point base_time_{};  // the epoch: no answer yet
  std::size_t peak_;
  std::size_t decreases_ = 0;
  std::size_t outcomes_ = 0;  // since the last judgement
  std::size_t losses_ = 0;
  Clock::time_point last_decrease_{};
};

}  // namespace mh::dns
