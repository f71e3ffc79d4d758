// Tests for checks/dns/aimd_window.cpp: the AIMD pacing of DNS queries as pure logic.
#include "checks/dns/aimd_window.hpp"

#include <gtest/gtest.h>

namespace mh::dns {
namespace {

using namespace std::chrono_literals;
using Clock = AimdWindow::Clock;

// `n` queries sent at `sent`, all timed out, seen at `seen`.
void loseMany(AimdWindow& w, int n, Clock::time_point sent, Clock::time_point seen) {
  for (int i = 0; i < n; ++i) w.lost(sent, seen);
}

constexpr std::chrono::milliseconds kRamp = 2s;  // the query timeout

TEST(AimdWindow, StartsModestAndAtMostDoublesPerTimeoutUntilTheFirstDecrease) {
  AimdWindow w(32, 512, kRamp);
  EXPECT_EQ(w.size(), 32u);
  const auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) w.answered(t0);
  EXPECT_EQ(w.size(), 42u);  // one more per answer
  for (int i = 0; i < 100; ++i) w.answered(t0 + 1s);
  EXPECT_EQ(w.size(), 64u);  // but no more than twice the level of one timeout ago
  for (int i = 0; i < 100; ++i) w.answered(t0 + kRamp);
  EXPECT_EQ(w.size(), 128u);
  EXPECT_EQ(w.peak(), 128u);
}

TEST(AimdWindow, NeverAboveTheUpperBound) {
  AimdWindow w(32, 64, kRamp);
  auto t = Clock::now();
  for (int i = 0; i < 1000; ++i) w.answered(t += 100ms);
  EXPECT_EQ(w.size(), 64u);
  AimdWindow big(1000, 10, kRamp);  // an initial level above --dns-in-flight starts at the bound
  EXPECT_EQ(big.size(), 10u);
}

TEST(AimdWindow, AnOverrunHalvesItThenItGrowsByOnePerWindow) {
  AimdWindow w(100, 100, kRamp);
  const auto t0 = Clock::now();
  loseMany(w, 40, t0, t0 + 2s);  // 40 of the 100 in flight dropped by a full socket buffer
  for (int i = 0; i < 60; ++i) w.answered(t0 + 2s);
  EXPECT_EQ(w.size(), 50u);
  EXPECT_EQ(w.decreases(), 1u);
  for (int i = 0; i < 60; ++i) w.answered(t0 + 3s);  // a window of answers and more: +1
  EXPECT_EQ(w.size(), 51u);
  EXPECT_EQ(w.peak(), 100u);
}

TEST(AimdWindow, TheTimeoutsOfDeadDomainsDoNotShrinkIt) {
  AimdWindow w(64, 64, kRamp);
  auto t = Clock::now();
  for (int round = 0; round < 50; ++round) {  // one query in 100 never answered
    for (int i = 0; i < 99; ++i) w.answered(t);
    w.lost(t, t + 2s);
    t += 100ms;
  }
  EXPECT_EQ(w.size(), 64u);
  EXPECT_EQ(w.decreases(), 0u);
}

TEST(AimdWindow, TheTimeoutsOfOneOverrunHalveOnce) {
  AimdWindow w(128, 512, kRamp);
  const auto sent = Clock::now();
  const auto seen = sent + 5s;
  loseMany(w, 128, sent, seen);  // the whole window lost to one burst
  EXPECT_EQ(w.size(), 64u);
  EXPECT_EQ(w.decreases(), 1u);
  loseMany(w, 200, sent + 1s, seen + 1s);  // sent before the decrease: the same overrun
  EXPECT_EQ(w.size(), 64u);
  loseMany(w, 64, seen + 2s, seen + 7s);  // sent after it: a new overrun
  EXPECT_EQ(w.size(), 32u);
  EXPECT_EQ(w.decreases(), 2u);
}

TEST(AimdWindow, NeverBelowOne) {
  AimdWindow w(2, 512, kRamp);
  auto t = Clock::now();
  for (int i = 0; i < 10; ++i) {
    t += 10s;
    loseMany(w, 20, t, t + 1s);
  }
  EXPECT_EQ(w.size(), 1u);
  w.answered(t + 2s);  // at the threshold: one window (one answer) later it grows again
  EXPECT_EQ(w.size(), 2u);
}

}  // namespace
}  // namespace mh::dns
