// Tests for checks/tls/probe_registry.cpp: one probe per (address, port), one connection at a
// time per address, parallel across addresses, from several threads.
#include "checks/tls/probe_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>
#include <vector>

namespace mh::tls {
namespace {

using namespace std::chrono_literals;

ProbeResult resultFor(const SmtpTarget& t) {
  ProbeResult r;
  r.target = t;
  return r;
}

// A fake probe that counts calls and the connections open at once per address.
struct FakeProbe {
  std::atomic<int> calls{0};
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::chrono::milliseconds hold{30ms};

  ProbeResult operator()(const SmtpTarget& t) {
    ++calls;
    const int now = ++active;
    int seen = max_active;
    while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(hold);
    --active;
    ProbeResult r;
    r.target = t;
    r.outcome = ProbeOutcome::NoStartTls;
    r.greeting = "port " + std::to_string(t.port);
    return r;
  }
};

TEST(ProbeRegistry, ManyDomainsSharingOneMxProbeItOnce) {
  ProbeRegistry registry;
  FakeProbe fake;
  std::vector<std::thread> threads;
  std::vector<ProbeResult> results(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      const SmtpTarget t{"mx.provider.test", "203.0.113.25", 25};
      results[i] = registry.probeOnce(t, [&](const SmtpTarget& x) { return fake(x); });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fake.calls, 1);
  EXPECT_EQ(registry.probesRun(), 1u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, ProbeOutcome::NoStartTls);
    EXPECT_EQ(r.target.address, "203.0.113.25");
  }
  ASSERT_TRUE(registry.cached("203.0.113.25", 25).has_value());
  EXPECT_FALSE(registry.cached("203.0.113.25", 587).has_value());
}

TEST(ProbeRegistry, OneConnectionAtATimePerAddressAcrossPorts) {
  ProbeRegistry registry;
  FakeProbe fake;
  std::vector<std::thread> threads;
  for (std::uint16_t port = 2500; port < 2506; ++port)
    threads.emplace_back([&, port] {
      registry.probeOnce({"mx", "198.51.100.1", port},
                         [&](const SmtpTarget& x) { return fake(x); });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fake.calls, 6);  // a cache entry per port
  EXPECT_EQ(fake.max_active, 1);
  EXPECT_EQ(registry.cached("198.51.100.1", 2503)->greeting, "port 2503");
}

TEST(ProbeRegistry, DifferentAddressesRunInParallel) {
  ProbeRegistry registry;
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  std::atomic<int> met{0};
  // Each probe waits (bounded) for the other to start: only possible when they overlap.
  const auto probe = [&](const SmtpTarget& t) {
    std::unique_lock lock(mu);
    ++started;
    cv.notify_all();
    if (cv.wait_for(lock, 3s, [&] { return started == 2; })) ++met;
    return resultFor(t);
  };
  std::thread a([&] { registry.probeOnce({"mx1", "192.0.2.1", 25}, probe); });
  std::thread b([&] { registry.probeOnce({"mx2", "192.0.2.2", 25}, probe); });
  a.join();
  b.join();
  EXPECT_EQ(met, 2);
}

TEST(ProbeRegistry, AddressesAreComparedInCanonicalForm) {
  ProbeRegistry registry;
  FakeProbe fake;
  registry.probeOnce({"mx", "2001:db8:0:0::25", 25}, [&](const SmtpTarget& x) { return fake(x); });
  registry.probeOnce({"mx", "2001:DB8::25", 25}, [&](const SmtpTarget& x) { return fake(x); });
  EXPECT_EQ(fake.calls, 1);
  EXPECT_TRUE(registry.cached("2001:0db8::0025", 25).has_value());
  EXPECT_EQ(canonicalAddress("0:0::1"), "::1");
  EXPECT_EQ(canonicalAddress("not an address"), "not an address");
}

TEST(ProbeRegistry, ALeaseHoldsOffProbesOfThatAddress) {
  ProbeRegistry registry;
  std::atomic<bool> probed{false};
  std::thread t;
  {
    const AddressLease lease = registry.lease("::ffff:192.0.2.9");
    t = std::thread([&] {
      registry.probeOnce({"mx", "::ffff:192.0.2.9", 25}, [&](const SmtpTarget& x) {
        probed = true;
        return resultFor(x);
      });
    });
    std::this_thread::sleep_for(100ms);
    EXPECT_FALSE(probed);
    // Another address is not held up meanwhile.
    registry.probeOnce({"mx", "192.0.2.10", 25}, resultFor);
  }
  t.join();
  EXPECT_TRUE(probed);
}

TEST(ProbeRegistry, RegistriesSharingLocksKeepTheirOwnResultsButOneConnectionPerAddress) {
  ProbeRegistry first;
  ProbeRegistry recheck(first.addressLocks());  // the re-checks of the same run
  FakeProbe fake;
  fake.hold = 50ms;
  std::thread a([&] {
    first.probeOnce({"mx", "198.51.100.7", 25}, [&](const SmtpTarget& x) { return fake(x); });
  });
  std::thread b([&] {
    recheck.probeOnce({"mx", "198.51.100.7", 25}, [&](const SmtpTarget& x) { return fake(x); });
  });
  a.join();
  b.join();
  EXPECT_EQ(fake.calls, 2);       // each registry probed for itself: no result was read back
  EXPECT_EQ(fake.max_active, 1);  // but never both at once
  EXPECT_EQ(first.probesRun(), 1u);
  EXPECT_EQ(recheck.probesRun(), 1u);
  // A registry of its own does not wait on the other's lease.
  ProbeRegistry other;
  const AddressLease held = first.lease("198.51.100.7");
  other.probeOnce({"mx", "198.51.100.7", 25}, resultFor);
  EXPECT_TRUE(other.cached("198.51.100.7", 25).has_value());
}

TEST(ProbeRegistry, CachesARealProbersRefusal) {
  ProbeRegistry registry;
  const StartTlsProber prober(ProbeOptions{});  // private targets not allowed
  const auto r1 = registry.probeOnce(prober, {"mx.internal.test", "10.0.0.1", 25});
  const auto r2 = registry.probeOnce(prober, {"mx.other.test", "10.0.0.1", 25});
  EXPECT_EQ(r1.outcome, ProbeOutcome::NotAllowed);
  EXPECT_EQ(r2.outcome, ProbeOutcome::NotAllowed);
  EXPECT_EQ(r2.target.host, "mx.internal.test");  // the first caller's probe
  EXPECT_EQ(registry.probesRun(), 1u);
}

}  // namespace
}  // namespace mh::tls
