// Lab tests for checks/dns/ldns_resolver.cpp: every DnsStatus from a real knotd or a dead server.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "checks/dns/caching_resolver.hpp"
#include "checks/dns/ldns_resolver.hpp"
#include "tests/lab/knot_lab.hpp"

namespace mh::dns {
// Readable DnsStatus values in failure messages.
void PrintTo(DnsStatus status, std::ostream* os) {
  *os << toString(status);
}
}  // namespace mh::dns

namespace mh::lab {
namespace {

using dns::DnsStatus;
using dns::LdnsResolver;
using dns::LdnsResolverOptions;
namespace rr = dns::rr;
using Clock = std::chrono::steady_clock;

class LdnsResolverLab : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      lab_ = &sharedLab();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }

  // Options for dead-server tests: short timeout, no retry, so the suite stays fast.
  LdnsResolverOptions fastOptions(std::vector<dns::NameserverAddress> servers) const {
    LdnsResolverOptions options;
    options.nameservers = std::move(servers);
    options.timeout = std::chrono::milliseconds(200);
    options.retries = 0;
    return options;
  }

  KnotLab* lab_ = nullptr;
};

long long millisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

TEST_F(LdnsResolverLab, DistinguishesNoErrorNoDataAndNxDomain) {
  auto resolver = lab_->makeResolver();

  auto a = resolver->query("www.resolver.lab.test", rr::A);
  EXPECT_EQ(a.status, DnsStatus::NoError) << a.error;
  EXPECT_EQ(a.rcode, 0);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].data, "192.0.2.10");
  EXPECT_EQ(a.server, lab_->nameserver().label());

  auto nodata = resolver->query("www.resolver.lab.test", rr::MX);
  EXPECT_EQ(nodata.status, DnsStatus::NoData);
  EXPECT_TRUE(nodata.records.empty());
  EXPECT_EQ(nodata.negative_ttl, 60u);  // min(SOA TTL 300, SOA MINIMUM 60)

  auto nx = resolver->query("nope.resolver.lab.test", rr::A);
  EXPECT_EQ(nx.status, DnsStatus::NxDomain);
  EXPECT_EQ(nx.rcode, 3);
  EXPECT_EQ(nx.negative_ttl, 60u);

  // Outside every lab zone the root zone answers, like a recursive resolver for a bogus TLD.
  EXPECT_EQ(resolver->query("192.0.2.1", rr::A).status, DnsStatus::NxDomain);
}

TEST_F(LdnsResolverLab, MatchesTheQuestionCaseInsensitively) {
  auto resolver = lab_->makeResolver();
  auto a = resolver->query("WWW.Resolver.LAB.test.", rr::A);
  EXPECT_EQ(a.status, DnsStatus::NoError) << a.error;
  EXPECT_EQ(a.qname, "www.resolver.lab.test");
}

TEST_F(LdnsResolverLab, KeepsTxtCharacterStrings) {
  auto resolver = lab_->makeResolver();
  auto multi = resolver->query("multi.resolver.lab.test", rr::TXT);
  ASSERT_EQ(multi.status, DnsStatus::NoError) << multi.error;
  ASSERT_EQ(multi.records.size(), 1u);
  EXPECT_EQ(multi.records[0].strings,
            (std::vector<std::string>{"v=spf1 ", "ip4:192.0.2.0/24 ", "-all"}));
  EXPECT_EQ(multi.records[0].joinedText(), "v=spf1 ip4:192.0.2.0/24 -all");

  auto longTxt = resolver->query("long.resolver.lab.test", rr::TXT);
  ASSERT_EQ(longTxt.records.size(), 1u);
  ASSERT_EQ(longTxt.records[0].strings.size(), 3u);
  EXPECT_EQ(longTxt.records[0].strings[0], std::string(255, 'a'));
  EXPECT_EQ(longTxt.records[0].strings[1], std::string(255, 'b'));
  EXPECT_EQ(longTxt.records[0].joinedText(),
            std::string(255, 'a') + std::string(255, 'b') + "tail");
}

TEST_F(LdnsResolverLab, FollowsCnameChain) {
  auto resolver = lab_->makeResolver();
  auto a = resolver->query("alias.resolver.lab.test", rr::A);
  ASSERT_EQ(a.status, DnsStatus::NoError) << a.error;
  ASSERT_EQ(a.cnames.size(), 2u);
  EXPECT_EQ(a.cnames[0].data, "alias2.resolver.lab.test");
  EXPECT_EQ(a.cnames[1].data, "www.resolver.lab.test");
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].owner, "www.resolver.lab.test");

  // A CNAME to a name that does not exist: knotd answers NXDOMAIN for the end of the chain.
  EXPECT_EQ(resolver->query("dangling.resolver.lab.test", rr::A).status, DnsStatus::NxDomain);
}

TEST_F(LdnsResolverLab, RetriesOverTcpWhenTruncated) {
  for (std::uint16_t udpSize : {512, 1232}) {
    auto options = lab_->resolverOptions();
    options.edns_udp_size = udpSize;
    LdnsResolver resolver(options);
    // 12 TXT records of ~210 octets: about 2.6 KB, more than either UDP size.
    auto big = resolver.query("big.resolver.lab.test", rr::TXT);
    EXPECT_EQ(big.status, DnsStatus::NoError) << big.error;
    EXPECT_EQ(big.records.size(), 12u) << "udp size " << udpSize;
  }
}

TEST_F(LdnsResolverLab, MapsServFailOfAZoneThatFailedToLoad) {
  auto resolver = lab_->makeResolver();
  auto a = resolver->query("servfail.lab.test", rr::MX);
  EXPECT_EQ(a.status, DnsStatus::ServFail);
  EXPECT_EQ(a.rcode, 2);
  EXPECT_TRUE(a.isError());
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(a.server, lab_->nameserver().label());
  EXPECT_NE(a.error.find("SERVFAIL"), std::string::npos) << a.error;
}

TEST_F(LdnsResolverLab, MapsRefusedOfAZoneNotServed) {
  KnotLabOptions only;
  only.only_zones = {"resolver.lab.test"};
  KnotLab narrow(only);
  LdnsResolver resolver(fastOptions({narrow.nameserver()}));
  auto a = resolver.query("lab.test", rr::MX);
  EXPECT_EQ(a.status, DnsStatus::Refused);
  EXPECT_EQ(a.rcode, 5);
  EXPECT_TRUE(a.isError());
  // The same server still answers its own zone.
  EXPECT_EQ(resolver.query("www.resolver.lab.test", rr::A).status, DnsStatus::NoError);
}

TEST_F(LdnsResolverLab, MapsAnUnexpectedRcodeToOtherError) {
  auto resolver = lab_->makeResolver();
  auto a = resolver->query("notauth.lab.test", rr::A);  // knotd answers NOTAUTH (9)
  EXPECT_EQ(a.status, DnsStatus::OtherError);
  EXPECT_EQ(a.rcode, 9);
  EXPECT_TRUE(a.isError());
}

TEST_F(LdnsResolverLab, MapsMalformedAndMismatchedResponsesToOtherError) {
  BadServer garbage(BadServer::Reply::Garbage);
  LdnsResolver toGarbage(fastOptions({garbage.nameserver()}));
  const auto start = Clock::now();
  auto a = toGarbage.query("www.resolver.lab.test", rr::A);
  EXPECT_EQ(a.status, DnsStatus::OtherError) << a.error;
  EXPECT_LT(millisSince(start), 150);  // a reply with our ID ends the attempt at once
  EXPECT_NE(a.error.find("unparseable"), std::string::npos) << a.error;

  // Replies with a foreign ID are ignored as spoofing attempts until the timeout; then the
  // outcome says a server talked nonsense rather than that nobody answered.
  BadServer wrongId(BadServer::Reply::WrongId);
  LdnsResolver toWrongId(fastOptions({wrongId.nameserver()}));
  auto b = toWrongId.query("www.resolver.lab.test", rr::A);
  EXPECT_EQ(b.status, DnsStatus::OtherError) << b.error;
  EXPECT_NE(b.error.find("another query id"), std::string::npos) << b.error;

  // A good server after a bad one still answers.
  LdnsResolver rotating(fastOptions({garbage.nameserver(), lab_->nameserver()}));
  EXPECT_EQ(rotating.query("www.resolver.lab.test", rr::A).status, DnsStatus::NoError);
}

TEST_F(LdnsResolverLab, TimesOutOnABlackHole) {
  BlackHole hole;
  LdnsResolver resolver(fastOptions({hole.nameserver()}));
  const auto start = Clock::now();
  auto a = resolver.query("www.resolver.lab.test", rr::A);
  const auto ms = millisSince(start);
  EXPECT_EQ(a.status, DnsStatus::Timeout) << a.error;
  EXPECT_EQ(a.rcode, -1);
  EXPECT_EQ(a.server, hole.nameserver().label());
  EXPECT_GE(ms, 190);
  EXPECT_LT(ms, 1000);

  // Each retry is one more full timeout.
  auto options = fastOptions({hole.nameserver()});
  options.retries = 1;
  LdnsResolver retrying(options);
  const auto start2 = Clock::now();
  EXPECT_EQ(retrying.query("www.resolver.lab.test", rr::A).status, DnsStatus::Timeout);
  EXPECT_GE(millisSince(start2), 390);
}

TEST_F(LdnsResolverLab, ReportsNetworkErrorForAClosedPortWithoutWaiting) {
  LdnsResolverOptions options;
  options.nameservers = {closedPort()};
  options.timeout = std::chrono::milliseconds(2000);
  options.retries = 0;
  LdnsResolver resolver(options);
  const auto start = Clock::now();
  auto a = resolver.query("www.resolver.lab.test", rr::A);
  EXPECT_EQ(a.status, DnsStatus::NetworkError) << a.error;
  EXPECT_LT(millisSince(start), 1000);  // the ICMP port unreachable is seen, not waited out
  EXPECT_NE(a.error.find("refused"), std::string::npos) << a.error;
}

TEST_F(LdnsResolverLab, RotatesPastDeadServers) {
  BlackHole hole;
  LdnsResolver resolver(fastOptions({hole.nameserver(), closedPort(), lab_->nameserver()}));
  auto a = resolver.query("www.resolver.lab.test", rr::A);
  EXPECT_EQ(a.status, DnsStatus::NoError) << a.error;
  EXPECT_EQ(a.server, lab_->nameserver().label());
}

TEST_F(LdnsResolverLab, RotatesPastARefusingServer) {
  KnotLabOptions only;
  only.only_zones = {"resolver.lab.test"};
  KnotLab narrow(only);
  LdnsResolver resolver(fastOptions({narrow.nameserver(), lab_->nameserver()}));
  auto a = resolver.query("lab.test", rr::SOA);
  EXPECT_EQ(a.status, DnsStatus::NoError) << a.error;
  EXPECT_EQ(a.server, lab_->nameserver().label());

  // When every server fails, the DNS response is reported over the network failure.
  BlackHole hole;
  LdnsResolver failing(fastOptions({narrow.nameserver(), hole.nameserver()}));
  auto b = failing.query("lab.test", rr::SOA);
  EXPECT_EQ(b.status, DnsStatus::Refused) << b.error;
  EXPECT_NE(b.error.find("REFUSED"), std::string::npos) << b.error;
  EXPECT_NE(b.error.find("timeout"), std::string::npos) << b.error;
}

TEST_F(LdnsResolverLab, RejectsInvalidNamesWithoutSending) {
  BlackHole hole;  // would time out if anything were sent
  LdnsResolver resolver(fastOptions({hole.nameserver()}));
  const auto start = Clock::now();
  EXPECT_EQ(resolver.query(std::string(64, 'a') + ".lab.test", rr::A).status,
            DnsStatus::InvalidName);
  EXPECT_EQ(resolver.query("a..lab.test", rr::TXT).status, DnsStatus::InvalidName);
  EXPECT_EQ(resolver.query("", rr::TXT).status, DnsStatus::InvalidName);
  EXPECT_LT(millisSince(start), 100);
}

TEST_F(LdnsResolverLab, AnswersOverIpv6Loopback) {
  if (!lab_->hasIpv6()) GTEST_SKIP() << "no ::1 on this machine";
  LdnsResolverOptions options = lab_->resolverOptions();
  options.nameservers = {lab_->nameserver6()};
  LdnsResolver resolver(options);
  auto a = resolver.query("www.resolver.lab.test", rr::AAAA);
  ASSERT_EQ(a.status, DnsStatus::NoError) << a.error;
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].data, "2001:db8::10");
  EXPECT_EQ(a.server, "::1#" + std::to_string(lab_->port()));
}

// A record of what an answer says, for comparing a batch with single queries.
std::string summary(const dns::DnsAnswer& a) {
  std::string s = a.qname + " " + std::string(dns::typeName(a.qtype)) + " " +
                  std::string(toString(a.status)) + " rcode=" + std::to_string(a.rcode) +
                  " server=" + a.server;
  for (const auto& c : a.cnames) s += " cname=" + c.data;
  for (const auto& r : a.records) s += " [" + r.data + "]";
  return s;
}

TEST_F(LdnsResolverLab, QueryManyAnswersEveryQuestionInOrderAsQueryDoes) {
  const std::vector<dns::DnsQuestion> questions = {
      {"www.resolver.lab.test", rr::A},   {"nope.resolver.lab.test", rr::A},
      {"www.resolver.lab.test", rr::MX},  {"big.resolver.lab.test", rr::TXT},  // TC, then TCP
      {"a..lab.test", rr::TXT},           {"multi.resolver.lab.test", rr::TXT},
      {"alias.resolver.lab.test", rr::A}, {"notauth.lab.test", rr::A},
      {"WWW.Resolver.LAB.test.", rr::A}};
  auto resolver = lab_->makeResolver();
  const auto batch = resolver->queryMany(questions);
  ASSERT_EQ(batch.size(), questions.size());
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const auto single = resolver->query(questions[i].name, questions[i].type);
    EXPECT_EQ(summary(batch[i]), summary(single)) << "question " << i;
  }
  EXPECT_EQ(batch[0].status, DnsStatus::NoError);
  EXPECT_EQ(batch[1].status, DnsStatus::NxDomain);
  EXPECT_EQ(batch[2].status, DnsStatus::NoData);
  EXPECT_EQ(batch[3].records.size(), 12u);
  EXPECT_EQ(batch[4].status, DnsStatus::InvalidName);
  EXPECT_EQ(batch[5].records.at(0).joinedText(), "v=spf1 ip4:192.0.2.0/24 -all");
  EXPECT_EQ(batch[6].cnames.size(), 2u);
  EXPECT_EQ(batch[7].status, DnsStatus::OtherError);
  EXPECT_EQ(batch[8].qname, "www.resolver.lab.test");
  EXPECT_TRUE(resolver->queryMany({}).empty());
}

TEST_F(LdnsResolverLab, QueryManyUnderAnInFlightCapSendsTheRestAsAnswersCome) {
  const std::vector<dns::DnsQuestion> questions = {
      {"www.resolver.lab.test", rr::A},   {"nope.resolver.lab.test", rr::A},
      {"big.resolver.lab.test", rr::TXT}, {"multi.resolver.lab.test", rr::TXT},
      {"a..lab.test", rr::TXT},           {"alias.resolver.lab.test", rr::A}};
  auto uncapped = lab_->makeResolver()->queryMany(questions);
  for (std::size_t cap : {1, 2, 5}) {
    auto options = lab_->resolverOptions();
    options.in_flight = std::make_shared<dns::InFlightLimit>(cap);
    LdnsResolver resolver(options);
    const auto capped = resolver.queryMany(questions);
    ASSERT_EQ(capped.size(), questions.size());
    for (std::size_t i = 0; i < questions.size(); ++i)
      EXPECT_EQ(summary(capped[i]), summary(uncapped[i])) << "cap " << cap << ", question " << i;
    EXPECT_EQ(options.in_flight->inUse(), 0u) << "every slot is given back";
  }

  // Slots come back from timeouts and refused ports too.
  BlackHole hole;
  auto options = fastOptions({hole.nameserver(), closedPort()});
  options.in_flight = std::make_shared<dns::InFlightLimit>(2);
  LdnsResolver failing(options);
  for (const auto& a : failing.queryMany(questions))
    if (a.status != DnsStatus::InvalidName) {
      EXPECT_EQ(a.status, DnsStatus::Timeout) << a.qname;
      EXPECT_NE(a.error.find("refused"), std::string::npos) << a.error;
    }
  EXPECT_EQ(options.in_flight->inUse(), 0u);
}

TEST_F(LdnsResolverLab, QueryManyMovesEveryQuestionPastBrokenServers) {
  const std::vector<dns::DnsQuestion> questions = {{"www.resolver.lab.test", rr::A},
                                                   {"nope.resolver.lab.test", rr::A},
                                                   {"multi.resolver.lab.test", rr::TXT}};
  BlackHole hole;
  BadServer garbage(BadServer::Reply::Garbage);
  LdnsResolver rotating(
      fastOptions({hole.nameserver(), garbage.nameserver(), closedPort(), lab_->nameserver()}));
  for (const auto& a : rotating.queryMany(questions)) {
    EXPECT_FALSE(a.isError()) << a.qname << ": " << a.error;
    EXPECT_EQ(a.server, lab_->nameserver().label()) << a.qname;
  }

  // With no good server, each question reports what its own attempts got, as query() does.
  LdnsResolver silent(fastOptions({hole.nameserver()}));
  for (const auto& a : silent.queryMany(questions)) {
    EXPECT_EQ(a.status, DnsStatus::Timeout) << a.qname;
    EXPECT_EQ(a.server, hole.nameserver().label());
  }
  BadServer wrongId(BadServer::Reply::WrongId);
  LdnsResolver spoofed(fastOptions({wrongId.nameserver(), closedPort()}));
  for (const auto& a : spoofed.queryMany(questions)) {
    EXPECT_EQ(a.status, DnsStatus::OtherError) << a.qname;
    EXPECT_NE(a.error.find("another query id"), std::string::npos) << a.error;
    EXPECT_NE(a.error.find("refused"), std::string::npos) << a.error;
  }
}

TEST_F(LdnsResolverLab, CachingResolverOverLdnsFromManyThreads) {
  dns::DnsCache cache;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto upstream = lab_->makeResolver();  // one LdnsResolver per thread
      dns::CachingResolver resolver(*upstream, cache);
      for (int i = 0; i < 25; ++i) {
        auto a = resolver.query("www.resolver.lab.test", rr::A);
        if (a.status != DnsStatus::NoError || a.records.size() != 1 ||
            a.records[0].data != "192.0.2.10")
          ++wrong;
        auto txt = resolver.query("multi.resolver.lab.test", rr::TXT);
        if (txt.records.size() != 1 || txt.records[0].strings.size() != 3) ++wrong;
        if (resolver.query("nope.resolver.lab.test", rr::A).status != DnsStatus::NxDomain) ++wrong;
        if (resolver.query("big.resolver.lab.test", rr::TXT).records.size() != 12) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(cache.hits(), 0u);
  EXPECT_EQ(cache.size(), 4u);
}

}  // namespace
}  // namespace mh::lab
