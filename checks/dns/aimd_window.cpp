// The pacing of DNS queries towards one resolver address (AIMD).
#include "checks/dns/aimd_window.hpp"

#include <algorithm>

namespace mh::dns {

AimdWindow::AimdWindow(std::size_t initial, std::size_t max, std::chrono::milliseconds ramp)
    : max_(static_cast<double>(std::max<std::size_t>(1, max))),
      window_(std::clamp(static_cast<double>(initial), 1.0, max_)),
      threshold_(max_),
      ramp_(ramp),
      base_(window_),
      peak_(static_cast<std::size_t>(window_)) {}

void AimdWindow::answered(Clock::time_point now) {
  if (window_ < threshold_) {
    if (now - base_time_ >= ramp_) {
      base_ = window_;
      base_time_ = now;
    }
    window_ = std::min({max_, window_ + 1.0, 2.0 * base_});
  } else {
    window_ = std::min(max_, window_ + 1.0 / window_);
  }
  peak_ = std::max(peak_, size());
  ++outcomes_;
  judge(now);
}

void AimdWindow::lost(Clock::time_point sentAt, Clock::time_point now) {
  if (decreases_ > 0 && sentAt < last_decrease_) return;  // the same overrun, already halved
  ++outcomes_;
  ++losses_;
  judge(now);
}

void AimdWindow::judge(Clock::time_point now) {
  if (outcomes_ < std::max(kMinSample, size())) return;
  if (losses_ * 100 > outcomes_ * kLossPercent) {
    window_ = std::max(1.0, window_ / 2.0);
    threshold_ = window_;
    last_decrease_ = now;
    ++decreases_;
  }
  outcomes_ = losses_ = 0;
}

}  // namespace mh::dns
