// Tests for checks/dns/in_flight_limit.cpp: the DNS queries in flight across threads, an AIMD
// window per resolver address under the --dns-in-flight bound.
#include "checks/dns/in_flight_limit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mh::dns {
namespace {

TEST(InFlightLimit, GrantsWhatIsFreeAndNoMore) {
  InFlightLimit limit(5, 5);
  EXPECT_EQ(limit.acquire("a", 3), 3u);
  EXPECT_EQ(limit.tryAcquire("a", 4), 2u);  // only two left
  EXPECT_EQ(limit.tryAcquire("a", 1), 0u);
  EXPECT_EQ(limit.inUse(), 5u);
  limit.release("a", 4);
  EXPECT_EQ(limit.acquire("a", 10), 4u);
  limit.release("a", 5);
  EXPECT_EQ(limit.inUse(), 0u);
  limit.release("a", 3);  // a release beyond what was taken does not raise the cap
  EXPECT_EQ(limit.tryAcquire("a", 100), 5u);
  EXPECT_EQ(limit.acquire("a", 0), 0u);
}

TEST(InFlightLimit, ACapOfZeroMeansOne) {
  InFlightLimit limit(0);
  EXPECT_EQ(limit.max(), 1u);
  EXPECT_EQ(limit.tryAcquire("a", 2), 1u);
}

TEST(InFlightLimit, StartsEachServerAtTheInitialWindowUnderTheBound) {
  InFlightLimit limit(512);
  EXPECT_EQ(limit.tryAcquire("a", 1000), InFlightLimit::kInitialWindow);
  EXPECT_EQ(limit.tryAcquire("b", 1000), InFlightLimit::kInitialWindow);  // its own window
  limit.release("a", InFlightLimit::kInitialWindow);
  limit.release("b", InFlightLimit::kInitialWindow);
  InFlightLimit small(8);  // the bound wins over the initial window
  EXPECT_EQ(small.tryAcquire("a", 1000), 8u);
  EXPECT_EQ(small.tryAcquire("b", 1000), 0u);  // and bounds every server together
}

TEST(InFlightLimit, AnswersRaiseTheWindowAndAnOverrunLowersIt) {
  InFlightLimit limit(512);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(limit.acquire("a", 1), 1u);
    limit.answered("a");
  }
  EXPECT_EQ(limit.window("a"), InFlightLimit::kInitialWindow + 20);
  const std::size_t before = limit.window("a");
  const auto sent = InFlightLimit::Clock::now();
  ASSERT_EQ(limit.acquire("a", before), before);
  for (std::size_t i = 0; i < before; ++i) limit.lost("a", sent);
  EXPECT_EQ(limit.window("a"), before / 2);
  EXPECT_EQ(limit.window("b"), InFlightLimit::kInitialWindow);  // per resolver address
  EXPECT_EQ(limit.peakWindow(), before);
  EXPECT_EQ(limit.losses(), before);
  EXPECT_EQ(limit.inUse(), 0u);
}

TEST(InFlightLimit, AWaiterGetsTheSlotAnotherThreadReleases) {
  InFlightLimit limit(2, 2);
  ASSERT_EQ(limit.acquire("a", 2), 2u);
  std::atomic<std::size_t> granted{0};
  std::thread waiter([&] { granted = limit.acquire("a", 2); });
  limit.release("a", 1);
  waiter.join();
  EXPECT_EQ(granted.load(), 1u);
  EXPECT_EQ(limit.inUse(), 2u);
}

TEST(InFlightLimit, ManyThreadsNeverHoldMoreThanTheCap) {
  InFlightLimit limit(7, 7);
  std::atomic<std::size_t> holding{0};
  std::atomic<std::size_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      const std::string server = t % 2 == 0 ? "a" : "b";
      for (int i = 0; i < 2000; ++i) {
        const std::size_t got = limit.acquire(server, 3);
        const std::size_t now = holding += got;
        std::size_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        holding -= got;
        for (std::size_t k = 0; k < got; ++k) limit.answered(server);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 7u);
  EXPECT_GE(peak.load(), 1u);
  EXPECT_EQ(limit.inUse(), 0u);
}

}  // namespace
}  // namespace mh::dns
