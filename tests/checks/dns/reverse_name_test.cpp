// Tests for checks/dns/reverse_name.cpp.
#include "checks/dns/reverse_name.hpp"

#include <gtest/gtest.h>

namespace mh::dns {
namespace {

TEST(ReverseName, BuildsInAddrAndIp6ArpaNames) {
  EXPECT_EQ(reverseName("192.0.2.10"), "10.2.0.192.in-addr.arpa");
  EXPECT_EQ(reverseName("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_FALSE(reverseName("mail.example.test").has_value());
  EXPECT_FALSE(reverseName("192.0.2").has_value());
}

TEST(ReverseName, RecognisesIpLiteralsWrittenAsMxTargets) {
  EXPECT_TRUE(isIpLiteral("192.0.2.1."));
  EXPECT_TRUE(isIpLiteral("[2001:db8::25]"));
  EXPECT_FALSE(isIpLiteral("mx1.example.test"));
  EXPECT_FALSE(isIpLiteral("192.0.2.1.example.test"));
}

}  // namespace
}  // namespace mh::dns
