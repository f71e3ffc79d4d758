// Tests for checks/dns/caching_resolver.cpp: the size bound of the shared cache (LRU eviction).
#include "checks/dns/caching_resolver.hpp"

#include <gtest/gtest.h>

namespace mh::dns {
namespace {

DnsAnswer answer(const std::string& name) {
  DnsAnswer a;
  a.qname = name;
  a.qtype = rr::A;
  a.status = DnsStatus::NoError;
  DnsRecord r;
  r.ttl = 300;
  a.records.push_back(r);
  return a;
}

TEST(DnsCache, NeverHoldsMoreThanItsBoundAndEvictsTheLeastRecentlyUsed) {
  DnsCacheOptions options;
  options.max_entries = 2;
  DnsCache cache(options);
  cache.put(answer("provider.test"));
  cache.put(answer("a.gov.vn"));
  ASSERT_TRUE(cache.get("provider.test", rr::A));  // used again: now the most recent
  cache.put(answer("b.gov.vn"));                   // full: a.gov.vn goes, not the provider
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.get("provider.test", rr::A));
  EXPECT_FALSE(cache.get("a.gov.vn", rr::A));
  EXPECT_TRUE(cache.get("b.gov.vn", rr::A));
}

TEST(DnsCache, ReplacingAnEntryDoesNotGrowTheCache) {
  DnsCacheOptions options;
  options.max_entries = 2;
  DnsCache cache(options);
  cache.put(answer("a.gov.vn"));
  cache.put(answer("b.gov.vn"));
  cache.put(answer("a.gov.vn"));  // refreshed, and now the most recent
  cache.put(answer("c.gov.vn"));  // evicts b.gov.vn
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.get("a.gov.vn", rr::A));
  EXPECT_FALSE(cache.get("b.gov.vn", rr::A));
  EXPECT_TRUE(cache.get("c.gov.vn", rr::A));
}

TEST(DnsCache, ExpiredAndDroppedEntriesLeaveTheRecencyListToo) {
  auto now = std::chrono::steady_clock::time_point{};
  DnsCacheOptions options;
  options.max_entries = 2;
  DnsCache cache(options, [&] { return now; });
  DnsAnswer error;
  error.qname = "dead.gov.vn";
  error.qtype = rr::A;
  error.status = DnsStatus::Timeout;
  cache.put(error);
  cache.put(answer("a.gov.vn"));
  EXPECT_EQ(cache.dropErrors(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  now += std::chrono::seconds(301);
  EXPECT_FALSE(cache.get("a.gov.vn", rr::A));  // expired: removed
  EXPECT_EQ(cache.size(), 0u);
  cache.put(answer("b.gov.vn"));
  cache.put(answer("c.gov.vn"));
  cache.put(answer("d.gov.vn"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.get("b.gov.vn", rr::A));
  EXPECT_TRUE(cache.get("d.gov.vn", rr::A));
}

TEST(DnsCache, ABoundOfZeroCachesNothing) {
  DnsCacheOptions options;
  options.max_entries = 0;
  DnsCache cache(options);
  cache.put(answer("a.gov.vn"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.get("a.gov.vn", rr::A));
}

}  // namespace
}  // namespace mh::dns
