// Tests for checks/tls/address_safety.cpp: the special-purpose address table.
#include "checks/tls/address_safety.hpp"

#include <gtest/gtest.h>

namespace mh::tls {
namespace {

struct Row {
  const char* address;
  AddressClass cls;
};

class AddressTable : public ::testing::TestWithParam<Row> {};

TEST_P(AddressTable, Classifies) {
  const auto& r = GetParam();
  EXPECT_EQ(classifyAddress(r.address), r.cls)
      << r.address << " -> " << toString(classifyAddress(r.address));
}

const Row kRows[] = {
    {"8.8.8.8", AddressClass::Public},
    {"203.162.4.191", AddressClass::Public},
    {"1.0.0.1", AddressClass::Public},
    {"0.0.0.0", AddressClass::Unspecified},
    {"0.1.2.3", AddressClass::Unspecified},
    {"127.0.0.1", AddressClass::Loopback},
    {"127.255.255.254", AddressClass::Loopback},
    {"10.0.0.1", AddressClass::Private},
    {"172.16.0.1", AddressClass::Private},
    {"172.31.255.255", AddressClass::Private},
    {"172.32.0.1", AddressClass::Public},
    {"192.168.1.1", AddressClass::Private},
    {"100.64.0.1", AddressClass::SharedCgnat},
    {"100.127.255.255", AddressClass::SharedCgnat},
    {"100.128.0.1", AddressClass::Public},
    {"169.254.169.254", AddressClass::LinkLocal},
    {"224.0.0.1", AddressClass::Multicast},
    {"239.255.255.250", AddressClass::Multicast},
    {"255.255.255.255", AddressClass::Broadcast},
    {"240.0.0.1", AddressClass::Reserved},
    {"192.0.0.8", AddressClass::Reserved},
    {"192.0.2.10", AddressClass::Documentation},
    {"198.51.100.7", AddressClass::Documentation},
    {"203.0.113.9", AddressClass::Documentation},
    {"198.18.0.1", AddressClass::Benchmarking},
    {"198.19.255.255", AddressClass::Benchmarking},
    {"198.20.0.1", AddressClass::Public},
    {"::", AddressClass::Unspecified},
    {"::1", AddressClass::Loopback},
    {"0:0:0:0:0:0:0:1", AddressClass::Loopback},
    {"2001:4860:4860::8888", AddressClass::Public},
    {"2402:800::1", AddressClass::Public},
    {"fe80::1", AddressClass::LinkLocal},
    {"febf::1", AddressClass::LinkLocal},
    {"fec0::1", AddressClass::UniqueLocal},
    {"fc00::1", AddressClass::UniqueLocal},
    {"fd12:3456::1", AddressClass::UniqueLocal},
    {"ff02::1", AddressClass::Multicast},
    {"2001:db8::25", AddressClass::Documentation},
    {"3fff::1", AddressClass::Documentation},
    {"2001:2::1", AddressClass::Benchmarking},
    {"2001::1", AddressClass::Reserved},
    {"2001:10::1", AddressClass::Reserved},
    {"100::1", AddressClass::Reserved},
    {"::10.0.0.1", AddressClass::Reserved},
    {"4000::1", AddressClass::Reserved},
    {"::ffff:127.0.0.1", AddressClass::Loopback},
    {"::ffff:10.1.2.3", AddressClass::Private},
    {"::ffff:8.8.8.8", AddressClass::Public},
    {"64:ff9b::10.0.0.1", AddressClass::Private},
    {"64:ff9b::7f00:1", AddressClass::Loopback},
    {"64:ff9b::8.8.8.8", AddressClass::Public},
    {"64:ff9b:1::1", AddressClass::Private},
    {"2002:a00:1::1", AddressClass::Private},
    {"2002:808:808::1", AddressClass::Public},
    {"", AddressClass::Invalid},
    {"mx1.example.test", AddressClass::Invalid},
    {"256.1.1.1", AddressClass::Invalid},
    {"[::1]", AddressClass::Invalid},
    {"fe80::1%eth0", AddressClass::Invalid},
    {"127.0.0.1:25", AddressClass::Invalid},
};

INSTANTIATE_TEST_SUITE_P(Rows, AddressTable, ::testing::ValuesIn(kRows));

TEST(IsProbeAllowed, PublicAlwaysInternalOnlyWithTheLabFlag) {
  EXPECT_TRUE(isProbeAllowed("8.8.8.8", false));
  EXPECT_TRUE(isProbeAllowed("2001:4860:4860::8888", false));
  for (const char* a : {"127.0.0.1", "10.0.0.1", "::1", "fd00::1", "100.64.1.1", "169.254.1.1",
                        "192.0.2.1", "::ffff:192.168.0.1", "64:ff9b::a00:1"}) {
    EXPECT_FALSE(isProbeAllowed(a, false)) << a;
    EXPECT_TRUE(isProbeAllowed(a, true)) << a;
  }
  for (const char* a : {"0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255", "bogus"}) {
    EXPECT_FALSE(isProbeAllowed(a, false)) << a;
    EXPECT_FALSE(isProbeAllowed(a, true)) << a;
  }
}

}  // namespace
}  // namespace mh::tls
