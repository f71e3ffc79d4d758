// Tests for checks/dns/fixture_resolver.cpp and caching_resolver.cpp.
#include "checks/dns/fixture_resolver.hpp"

#include <gtest/gtest.h>

#include "checks/dns/caching_resolver.hpp"

namespace mh::dns {
namespace {

FixtureResolver makeZone() {
  FixtureResolver f;
  f.addZone(R"(
    example.test. 300 IN MX 10 mail.example.test.
    mail.example.test. 300 IN A 192.0.2.10
    example.test. 300 IN TXT "v=spf1 " "ip4:192.0.2.0/24" " -all"
    alias.example.test. 300 IN CNAME mail.example.test.
    s1._domainkey.example.test. 300 IN TXT "v=DKIM1; p="
    *.wild.example.test. 300 IN TXT "wild"
  )");
  return f;
}

TEST(FixtureResolver, DistinguishesNoDataFromNxDomain) {
  auto f = makeZone();
  EXPECT_EQ(f.query("example.test", rr::MX).status, DnsStatus::NoError);
  EXPECT_EQ(f.query("example.test", rr::AAAA).status, DnsStatus::NoData);
  EXPECT_EQ(f.query("nope.example.test", rr::A).status, DnsStatus::NxDomain);
  // _domainkey is an empty non-terminal: it exists (RFC 8020).
  EXPECT_EQ(f.query("_domainkey.example.test", rr::TXT).status, DnsStatus::NoData);
}

TEST(FixtureResolver, KeepsTxtStringsAndJoinsWithoutSpaces) {
  auto f = makeZone();
  auto a = f.query("EXAMPLE.test.", rr::TXT);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings.size(), 3u);
  EXPECT_EQ(a.records[0].joinedText(), "v=spf1 ip4:192.0.2.0/24 -all");
}

TEST(FixtureResolver, FollowsCnamesAndWildcards) {
  auto f = makeZone();
  auto a = f.query("alias.example.test", rr::A);
  ASSERT_EQ(a.status, DnsStatus::NoError);
  EXPECT_EQ(a.cnames.size(), 1u);
  EXPECT_EQ(a.records[0].data, "192.0.2.10");
  auto w = f.query("x.y.wild.example.test", rr::TXT);
  ASSERT_EQ(w.status, DnsStatus::NoError);
  EXPECT_EQ(w.records[0].owner, "x.y.wild.example.test");
}

TEST(FixtureResolver, ForcedOutcomesAndInvalidNames) {
  auto f = makeZone();
  f.setOutcome("example.test", rr::TXT, DnsStatus::ServFail);
  f.setNameOutcome("mail.example.test", DnsStatus::Timeout);
  EXPECT_EQ(f.query("example.test", rr::TXT).status, DnsStatus::ServFail);
  EXPECT_EQ(f.query("mail.example.test", rr::A).status, DnsStatus::NoError);  // has records
  EXPECT_EQ(f.query("mail.example.test", rr::TXT).status, DnsStatus::Timeout);
  EXPECT_TRUE(f.query("mail.example.test", rr::TXT).isError());
  EXPECT_EQ(f.query(std::string(64, 'a') + ".test", rr::A).status, DnsStatus::InvalidName);
}

TEST(CachingResolver, AnswersRepeatQueriesFromTheSharedCacheUntilTtlExpires) {
  auto f = makeZone();
  auto now = std::chrono::steady_clock::time_point{};
  DnsCache cache({}, [&] { return now; });
  CachingResolver r1(f, cache), r2(f, cache);
  EXPECT_EQ(r1.query("example.test", rr::MX).status, DnsStatus::NoError);
  EXPECT_EQ(r2.query("Example.Test.", rr::MX).status, DnsStatus::NoError);
  EXPECT_EQ(r1.query("nope.example.test", rr::A).status, DnsStatus::NxDomain);
  EXPECT_EQ(r2.query("nope.example.test", rr::A).status, DnsStatus::NxDomain);
  EXPECT_EQ(f.queryCount(), 2u);  // one positive, one negative: both cached
  now += std::chrono::seconds(301);
  r1.query("example.test", rr::MX);
  EXPECT_EQ(f.queryCount(), 3u);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(CachingResolver, CachedErrorsCanBeDroppedForARetry) {
  auto f = makeZone();
  f.setOutcome("example.test", rr::TXT, DnsStatus::ServFail);
  DnsCache cache;
  CachingResolver r(f, cache);
  EXPECT_TRUE(r.query("example.test", rr::TXT).isError());
  EXPECT_TRUE(r.query("example.test", rr::TXT).isError());
  EXPECT_EQ(f.queryCount(), 1u);  // the error was cached
  r.query("example.test", rr::MX);
  EXPECT_EQ(cache.dropErrors(), 1u);  // only the error goes
  r.query("example.test", rr::TXT);
  r.query("example.test", rr::MX);
  EXPECT_EQ(f.queryCount(), 3u);  // TXT asked again, MX still cached
}

}  // namespace
}  // namespace mh::dns
