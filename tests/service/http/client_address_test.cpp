// Tests of client_address.hpp (trusted proxies, X-Forwarded-For, networks) and of the Host
// allow-list of the router and the configuration.
#include "service/http/client_address.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "service/http/router.hpp"
#include "service/http/serve_config.hpp"

namespace mh::service::http {
namespace {

TrustedProxies proxies(std::initializer_list<const char*> cidrs) {
  std::vector<Cidr> networks;
  for (const char* c : cidrs) networks.push_back(*parseCidr(c));
  return TrustedProxies(networks);
}

TEST(ClientAddress, CidrsParseAndMalformedOnesAreRefused) {
  EXPECT_TRUE(parseCidr("10.0.0.0/8"));
  EXPECT_TRUE(parseCidr("192.0.2.7"));
  EXPECT_TRUE(parseCidr("2001:db8::/32"));
  EXPECT_TRUE(parseCidr("::1"));
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "x", "10.0.0.0/",
                          "10.0.0.0/8a", "1.2.3.4.5"})
    EXPECT_FALSE(parseCidr(bad)) << bad;
}

TEST(ClientAddress, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  const auto trusted = proxies({"10.0.0.0/8", "::1"});
  EXPECT_TRUE(trusted.contains("10.1.2.3"));
  EXPECT_TRUE(trusted.contains("::ffff:10.1.2.3"));  // a dual-stack socket's form
  EXPECT_FALSE(trusted.contains("192.0.2.1"));
  // An untrusted peer's header is ignored: the peer is the client.
  EXPECT_EQ(trusted.client("192.0.2.1", "198.51.100.9"), "192.0.2.1");
  // From a proxy: the right-most address that is not a proxy.
  EXPECT_EQ(trusted.client("10.0.0.1", "198.51.100.9"), "198.51.100.9");
  EXPECT_EQ(trusted.client("10.0.0.1", "203.0.113.5, 198.51.100.9, 10.0.0.2"), "198.51.100.9");
  // A client cannot pick its address by writing the header itself: the proxy appends.
  EXPECT_EQ(trusted.client("::ffff:10.0.0.1", "1.1.1.1, 198.51.100.9"), "198.51.100.9");
  // Garbage stops the walk at the last address believed.
  EXPECT_EQ(trusted.client("10.0.0.1", "198.51.100.9, not-an-address"), "10.0.0.1");
  EXPECT_EQ(trusted.client("10.0.0.1", ""), "10.0.0.1");
  EXPECT_EQ(TrustedProxies().client("10.0.0.1", "198.51.100.9"), "10.0.0.1");
}

TEST(ClientAddress, NetworksAreThe24AndThe56) {
  EXPECT_EQ(addressNetwork("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(addressNetwork("::ffff:192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(addressNetwork("2001:db8:1:2ff:5::1"), "2001:db8:1:200::/56");
  EXPECT_EQ(addressNetwork("not an address"), "not an address");
}

TEST(HostAllowList, LoopbackNamesByDefaultOnLoopback) {
  ServeConfig c;
  c.bind = "127.0.0.1";
  const auto names = allowedHostnames(c);
  for (const char* host :
       {"localhost", "LOCALHOST:8080", "127.0.0.1:8080", "[::1]:8080", "localhost."})
    EXPECT_TRUE(hostAllowed(host, names)) << host;
  for (const char* host : {"evil.example", "evil.example:8080", "", "127.0.0.2", "[::2]"})
    EXPECT_FALSE(hostAllowed(host, names)) << host;

  c.hostnames = {"audit.cert.gov.vn"};
  EXPECT_TRUE(hostAllowed("Audit.Cert.gov.vn", allowedHostnames(c)));
  EXPECT_TRUE(hostAllowed("localhost", allowedHostnames(c)));

  c.bind = "0.0.0.0";
  EXPECT_TRUE(hostAllowed("audit.cert.gov.vn:443", allowedHostnames(c)));
  EXPECT_FALSE(hostAllowed("localhost", allowedHostnames(c)));
  c.hostnames.clear();  // not configured on a public address: any Host (warned at start)
  EXPECT_TRUE(allowedHostnames(c).empty());
  EXPECT_TRUE(hostAllowed("anything.example", allowedHostnames(c)));
}

TEST(ServeConfig, ProxiesHostnamesAndDeadlinesFromTheFile) {
  char tmpl[] = "/tmp/mh-config-test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string ini = dir + "/mh.ini";
  {
    std::ofstream out(ini);
    out << "[serve]\nhostnames = audit.example, www.audit.example\ntrusted_proxies = "
           "10.0.0.0/8, ::1\nrequest_deadline_seconds = 7\nmax_connections_per_client = 3\n"
           "[selfcheck]\nmax_jobs_per_client = 1\n[admin]\nattempts_per_minute = 4\n";
  }
  auto c = std::get<ServeConfig>(parseServeArguments({"--config", ini}));
  EXPECT_EQ(c.hostnames, (std::vector<std::string>{"audit.example", "www.audit.example"}));
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(c.request_deadline_seconds, 7);
  EXPECT_EQ(c.max_connections_per_client, 3);
  EXPECT_EQ(c.self_check.max_jobs_per_client, 1);
  EXPECT_EQ(c.admin_attempts_per_minute, 4);
  {
    std::ofstream out(ini);
    out << "[serve]\ntrusted_proxies = 10.0.0.0/40\n";
  }
  EXPECT_TRUE(std::holds_alternative<ServeUsage>(parseServeArguments({"--config", ini})));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mh::service::http
