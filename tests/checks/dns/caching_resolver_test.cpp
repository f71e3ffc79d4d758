// Tests for checks/dns/caching_resolver.cpp: the size bound of the shared cache (LRU eviction)
// and batches (queryMany) that ask upstream only for what the cache does not hold.
#include "checks/dns/caching_resolver.hpp"

#include <gtest/gtest.h>

#include "checks/dns/fixture_resolver.hpp"

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

DnsAnswer timeout(const std::string& name) {
  DnsAnswer a;
  a.qname = name;
  a.qtype = rr::MX;
  a.status = DnsStatus::Timeout;
  a.error = "udp timeout";
  return a;
}

TEST(DnsCache, ErrorsAreNotPushedOutByAnswersButByErrors) {
  DnsCacheOptions options;
  options.max_entries = 2;
  options.max_errors = 2;
  DnsCache cache(options);
  cache.put(timeout("dead-1.gov.vn"));
  for (const char* n : {"a.gov.vn", "b.gov.vn", "c.gov.vn", "d.gov.vn"}) cache.put(answer(n));
  ASSERT_TRUE(cache.get("dead-1.gov.vn", rr::MX));  // four answers later, still there
  EXPECT_EQ(cache.get("dead-1.gov.vn", rr::MX)->status, DnsStatus::Timeout);
  EXPECT_EQ(cache.size(), 3u);
  cache.put(timeout("dead-2.gov.vn"));
  ASSERT_TRUE(cache.get("dead-1.gov.vn", rr::MX));  // the most recent error now
  cache.put(timeout("dead-3.gov.vn"));              // errors full: dead-2 goes
  EXPECT_TRUE(cache.get("dead-1.gov.vn", rr::MX));
  EXPECT_FALSE(cache.get("dead-2.gov.vn", rr::MX));
  EXPECT_TRUE(cache.get("dead-3.gov.vn", rr::MX));
  EXPECT_EQ(cache.size(), 4u);
  // An answer that replaces an error moves to the answers' list, and the other way round.
  DnsAnswer answered = answer("dead-3.gov.vn");
  answered.qtype = rr::MX;
  cache.put(answered);
  cache.put(timeout("dead-4.gov.vn"));
  cache.put(timeout("dead-5.gov.vn"));  // errors: dead-1 goes, dead-3 is no longer one
  EXPECT_FALSE(cache.get("dead-1.gov.vn", rr::MX));
  ASSERT_TRUE(cache.get("dead-3.gov.vn", rr::MX));
  EXPECT_EQ(cache.get("dead-3.gov.vn", rr::MX)->status, DnsStatus::NoError);
  EXPECT_EQ(cache.size(), 4u);  // 2 answers (d.gov.vn, dead-3) + 2 errors
  EXPECT_EQ(cache.dropErrors(), 2u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DnsCache, ABoundOfZeroCachesNothing) {
  DnsCacheOptions options;
  options.max_entries = 0;
  options.max_errors = 0;
  DnsCache cache(options);
  cache.put(answer("a.gov.vn"));
  cache.put(timeout("dead.gov.vn"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.get("a.gov.vn", rr::A));
  EXPECT_FALSE(cache.get("dead.gov.vn", rr::MX));
}

// Records every batch it is asked, and answers from a fixture.
class RecordingResolver : public FixtureResolver {
 public:
  std::vector<DnsAnswer> queryMany(std::span<const DnsQuestion> questions) override {
    std::vector<std::string> names;
    for (const auto& q : questions) names.push_back(q.name);
    batches.push_back(names);
    return FixtureResolver::queryMany(questions);
  }
  std::vector<std::vector<std::string>> batches;
};

TEST(CachingResolver, ABatchAsksUpstreamOnceForTheMissesOnly) {
  RecordingResolver upstream;
  upstream.addZone(
      "a.example. 300 IN A 192.0.2.1\n"
      "b.example. 300 IN A 192.0.2.2\n"
      "example. 300 IN SOA ns.example. h.example. 1 3600 600 86400 300\n");
  DnsCache cache;
  CachingResolver resolver(upstream, cache);
  ASSERT_EQ(resolver.query("a.example", rr::A).status, DnsStatus::NoError);
  ASSERT_EQ(upstream.batches.size(), 0u);  // a single query is not a batch

  const std::vector<DnsQuestion> questions = {
      {"b.example", rr::A}, {"A.Example.", rr::A}, {"c.example", rr::A}};
  const auto answers = resolver.queryMany(questions);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].records.at(0).data, "192.0.2.2");
  EXPECT_EQ(answers[1].records.at(0).data, "192.0.2.1");  // from the cache
  EXPECT_EQ(answers[2].status, DnsStatus::NxDomain);
  ASSERT_EQ(upstream.batches.size(), 1u);
  EXPECT_EQ(upstream.batches[0], (std::vector<std::string>{"b.example", "c.example"}));

  // Everything is cached now, negative answers included: nothing more goes upstream.
  resolver.queryMany(questions);
  EXPECT_EQ(upstream.batches.size(), 1u);
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace mh::dns
