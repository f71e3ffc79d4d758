// Tests for checks/dns/in_flight_limit.cpp: the cap on DNS queries in flight across threads.
#include "checks/dns/in_flight_limit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mh::dns {
namespace {

TEST(InFlightLimit, GrantsWhatIsFreeAndNoMore) {
  InFlightLimit limit(5);
  EXPECT_EQ(limit.acquire(3), 3u);
  EXPECT_EQ(limit.tryAcquire(4), 2u);  // only two left
  EXPECT_EQ(limit.tryAcquire(1), 0u);
  EXPECT_EQ(limit.inUse(), 5u);
  limit.release(4);
  EXPECT_EQ(limit.acquire(10), 4u);
  limit.release(5);
  EXPECT_EQ(limit.inUse(), 0u);
  limit.release(3);  // a release beyond what was taken does not raise the cap
  EXPECT_EQ(limit.tryAcquire(100), 5u);
  EXPECT_EQ(limit.acquire(0), 0u);
}

TEST(InFlightLimit, ACapOfZeroMeansOne) {
  InFlightLimit limit(0);
  EXPECT_EQ(limit.max(), 1u);
  EXPECT_EQ(limit.tryAcquire(2), 1u);
}

TEST(InFlightLimit, AWaiterGetsTheSlotAnotherThreadReleases) {
  InFlightLimit limit(2);
  ASSERT_EQ(limit.acquire(2), 2u);
  std::atomic<std::size_t> granted{0};
  std::thread waiter([&] { granted = limit.acquire(2); });
  limit.release(1);
  waiter.join();
  EXPECT_EQ(granted.load(), 1u);
  EXPECT_EQ(limit.inUse(), 2u);
}

TEST(InFlightLimit, ManyThreadsNeverHoldMoreThanTheCap) {
  InFlightLimit limit(7);
  std::atomic<std::size_t> holding{0};
  std::atomic<std::size_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const std::size_t got = limit.acquire(3);
        const std::size_t now = holding += got;
        std::size_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        holding -= got;
        limit.release(got);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 7u);
  EXPECT_GE(peak.load(), 1u);
  EXPECT_EQ(limit.inUse(), 0u);
}

}  // namespace
}  // namespace mh::dns
