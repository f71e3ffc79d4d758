// Tests for checks/dns/ldns_resolver.cpp that need no server (the lab tests cover the I/O).
#include "checks/dns/ldns_resolver.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mh::dns {
namespace {

TEST(ParseNameserver, AcceptsAddressesWithAndWithoutPort) {
  auto v4 = parseNameserver("127.0.0.1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address, "127.0.0.1");
  EXPECT_EQ(v4->port, 53);

  auto v4port = parseNameserver("127.0.0.1:5353");
  ASSERT_TRUE(v4port);
  EXPECT_EQ(v4port->address, "127.0.0.1");
  EXPECT_EQ(v4port->port, 5353);

  auto v6 = parseNameserver("::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 53);

  auto v6port = parseNameserver("[2001:db8::53]:5353");
  ASSERT_TRUE(v6port);
  EXPECT_EQ(v6port->address, "2001:db8::53");
  EXPECT_EQ(v6port->port, 5353);

  auto v6bracket = parseNameserver("[::1]");
  ASSERT_TRUE(v6bracket);
  EXPECT_EQ(v6bracket->port, 53);

  // The DnsAnswer::server form reads back.
  auto label = parseNameserver("::1#5300");
  ASSERT_TRUE(label);
  EXPECT_EQ(label->label(), "::1#5300");
}

TEST(ParseNameserver, RejectsNamesAndBadPorts) {
  for (const char* bad : {"", "localhost", "ns1.example.test", "127.0.0.1:", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:53x", "[::1", "[::1]5353",
                          "[::1]:", "300.1.1.1", "127.0.0.1:-1", "[127.0.0.1]x"})
    EXPECT_FALSE(parseNameserver(bad)) << bad;
}

TEST(LdnsResolverConstruction, ThrowsWhenNoNameserverCanBeFound) {
  LdnsResolverOptions missing;
  missing.resolv_conf = "/nonexistent/resolv.conf";
  EXPECT_THROW(LdnsResolver{missing}, std::runtime_error);

  const auto path = std::filesystem::temp_directory_path() /
                    ("mh-resolv-" + std::to_string(::getpid()) + ".conf");
  std::ofstream(path) << "# no nameserver here\nsearch example.test\n";
  LdnsResolverOptions empty;
  empty.resolv_conf = path.string();
  EXPECT_THROW(LdnsResolver{empty}, std::runtime_error);

  std::ofstream(path) << "nameserver 192.0.2.53\nnameserver 2001:db8::53\n";
  LdnsResolverOptions good;
  good.resolv_conf = path.string();
  LdnsResolver resolver(good);
  ASSERT_EQ(resolver.nameservers().size(), 2u);
  EXPECT_EQ(resolver.nameservers()[0].label(), "192.0.2.53#53");
  EXPECT_EQ(resolver.nameservers()[1].label(), "2001:db8::53#53");
  std::filesystem::remove(path);
}

TEST(LdnsResolverConstruction, RejectsANameserverThatIsNotAnAddress) {
  LdnsResolverOptions options;
  options.nameservers = {{"ns1.example.test", 53}};
  EXPECT_THROW(LdnsResolver{options}, std::invalid_argument);
}

TEST(LdnsResolverQuery, InvalidNameIsAnsweredWithoutSending) {
  LdnsResolverOptions options;
  options.nameservers = {{"192.0.2.1", 53}};  // unreachable documentation address
  options.timeout = std::chrono::milliseconds(5000);
  LdnsResolver resolver(options);
  auto a = resolver.query(std::string(64, 'x') + ".example.test", rr::TXT);
  EXPECT_EQ(a.status, DnsStatus::InvalidName);
  EXPECT_FALSE(a.isError());
  EXPECT_TRUE(a.server.empty());
}

}  // namespace
}  // namespace mh::dns
