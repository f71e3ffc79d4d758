// Tests for checks/spf/spf_record.cpp: record selection, term grammar, CIDR and domain-spec rules.
#include "checks/spf/spf_record.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace mh::spf {
namespace {

TEST(SpfRecordSelection, VersionMustBeFollowedBySpaceOrEnd) {
  EXPECT_TRUE(isSpfRecord("v=spf1"));
  EXPECT_TRUE(isSpfRecord("v=spf1 -all"));
  EXPECT_TRUE(isSpfRecord("V=SpF1 ~all"));
  EXPECT_FALSE(isSpfRecord("v=spf10"));
  EXPECT_FALSE(isSpfRecord("v=spf1mx"));
  EXPECT_FALSE(isSpfRecord(" v=spf1 -all"));
  EXPECT_FALSE(isSpfRecord("v=spf2.0/pra -all"));
}

TEST(SpfRecordParse, ParsesEveryMechanismKind) {
  auto p = parseSpfRecord(
      "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx mx:x.example.com/28 "
      "ptr ptr:example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}._spf.%{d}");
  ASSERT_TRUE(p.ok()) << p.errors[0].term << ": " << p.errors[0].reason;
  const auto& m = p.record.mechanisms;
  ASSERT_EQ(m.size(), 11u);
  EXPECT_EQ(m[0].kind, MechanismKind::All);
  EXPECT_EQ(m[0].qualifier, Qualifier::Pass);
  EXPECT_EQ(m[1].kind, MechanismKind::Include);
  EXPECT_EQ(m[1].qualifier, Qualifier::Fail);
  EXPECT_EQ(m[1].domain_spec, "_spf.example.com");
  EXPECT_EQ(m[2].qualifier, Qualifier::SoftFail);
  EXPECT_EQ(m[2].domain_spec, "");
  EXPECT_EQ(m[3].qualifier, Qualifier::Neutral);
  EXPECT_EQ(m[3].domain_spec, "mail.example.com");
  EXPECT_EQ(m[3].cidr4, 24);
  EXPECT_EQ(m[3].cidr6, 64);
  EXPECT_EQ(m[4].kind, MechanismKind::Mx);
  EXPECT_EQ(m[5].cidr4, 28);
  EXPECT_EQ(m[5].cidr6, 128);
  EXPECT_EQ(m[7].domain_spec, "example.com");
  EXPECT_EQ(m[8].network.toString(), "192.0.2.0");
  EXPECT_EQ(m[8].cidr4, 24);
  EXPECT_TRUE(m[9].network.v6);
  EXPECT_EQ(m[9].cidr6, 32);
  EXPECT_EQ(m[10].kind, MechanismKind::Exists);
  EXPECT_TRUE(p.record.hasAll());
  EXPECT_TRUE(p.record.usesPtr());
}

TEST(SpfRecordParse, ModifiersAndUnknownModifiers) {
  auto p =
      parseSpfRecord("v=spf1 redirect=_spf.example.com exp=exp.%{d} moo.cow-far_out=man:dog/cat");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.redirect.value_or(""), "_spf.example.com");
  EXPECT_EQ(p.record.exp.value_or(""), "exp.%{d}");
  ASSERT_EQ(p.record.unknown_modifiers.size(), 1u);
  EXPECT_EQ(p.record.unknown_modifiers[0].name, "moo.cow-far_out");
  EXPECT_FALSE(p.record.hasAll());
}

TEST(SpfRecordParse, EmptyRecordAndExtraSpaces) {
  EXPECT_TRUE(parseSpfRecord("v=spf1").ok());
  auto p = parseSpfRecord("v=spf1  a   -all ");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.mechanisms.size(), 2u);
}

struct BadCase {
  const char* record;
  const char* term;
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.record;
}

class SpfRecordSyntaxError : public testing::TestWithParam<BadCase> {};

TEST_P(SpfRecordSyntaxError, SPF01_IsReportedWithTheTerm) {
  auto p = parseSpfRecord(GetParam().record);
  ASSERT_FALSE(p.ok()) << GetParam().record;
  EXPECT_EQ(p.errors[0].term, GetParam().term);
  EXPECT_FALSE(p.errors[0].reason.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7208, SpfRecordSyntaxError,
    testing::Values(
        BadCase{"v=spf1 ip4:1.2.3.4 -all moo", "moo"},  // errors after "all" count
        BadCase{"v=spf1 -all.", "-all."}, BadCase{"v=spf1 -all:foo", "-all:foo"},
        BadCase{"v=spf1 -all/8", "-all/8"}, BadCase{"v=spf1 ptr/0", "ptr/0"},
        BadCase{"v=spf1 a/33", "a/33"}, BadCase{"v=spf1 a//129", "a//129"},
        BadCase{"v=spf1 a/24/64", "a/24/64"}, BadCase{"v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032"},
        BadCase{"v=spf1 ip4:1.2.3", "ip4:1.2.3"},
        BadCase{"v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080"},
        BadCase{"v=spf1 ip4:01.2.3.4", "ip4:01.2.3.4"}, BadCase{"v=spf1 ip4", "ip4"},
        BadCase{"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE"},
        BadCase{"v=spf1 ip6:::1/129", "ip6:::1/129"}, BadCase{"v=spf1 include:", "include:"},
        BadCase{"v=spf1 include:example.com/24", "include:example.com/24"},
        BadCase{"v=spf1 exists", "exists"}, BadCase{"v=spf1 a:museum", "a:museum"},
        BadCase{"v=spf1 a:museum.", "a:museum."}, BadCase{"v=spf1 a:abc.123", "a:abc.123"},
        BadCase{"v=spf1 a:example.-com", "a:example.-com"},
        BadCase{"v=spf1 redirect:example.com", "redirect:example.com"},
        BadCase{"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com"},
        BadCase{"v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com"},
        BadCase{"v=spf1 exp= -all", "exp="}, BadCase{"v=spf1 redirect=-all", "redirect=-all"},
        BadCase{"v=spf1 1up=foo", "1up=foo"}, BadCase{"v=spf1 =all", "=all"},
        BadCase{"v=spf1 -all foo=%abc", "foo=%abc"},
        BadCase{"v=spf1 a:%{r}.example.com", "a:%{r}.example.com"},
        BadCase{"v=spf1 a:%{a}.example.com", "a:%{a}.example.com"},
        BadCase{"v=spf1 a:ctrl.example.com\rptr", "a:ctrl.example.com\rptr"},
        BadCase{"v=spf1 \x80"
                "a:example.net",
                "\x80"
                "a:example.net"}));

TEST(SpfRecordParse, DomainSpecMayContainColonsAndSlashes) {
  auto p = parseSpfRecord("v=spf1 a:foo:bar/baz.example.com mx:example.xn--zckzah a:%{H}");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.mechanisms[0].domain_spec, "foo:bar/baz.example.com");
  EXPECT_EQ(p.record.mechanisms[0].cidr4, 32);
}

TEST(SpfRecordParse, CheckDomainSpec) {
  EXPECT_EQ(checkDomainSpec("example.com"), "");
  EXPECT_EQ(checkDomainSpec("example.com."), "");
  EXPECT_EQ(checkDomainSpec("%{d}"), "");
  EXPECT_EQ(checkDomainSpec("%{ir}.%{v}._spf.%{d2}"), "");
  EXPECT_NE(checkDomainSpec(""), "");
  EXPECT_NE(checkDomainSpec("foo-bar"), "");
  EXPECT_NE(checkDomainSpec("%{t}.example.com"), "");  // t only in explanations
}

TEST(IpAddress, ParsesMapsAndMatches) {
  auto v4 = IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(v4);
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->reverseName(), "1.2.0.192.in-addr.arpa");
  auto mapped = IpAddress::parse("::FFFF:192.0.2.1", true);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, *v4);
  EXPECT_TRUE(IpAddress::parse("::ffff:192.0.2.1")->v6);  // not mapped unless asked
  auto net = IpAddress::parse("192.0.2.0");
  EXPECT_TRUE(v4->inNetwork(*net, 24));
  EXPECT_FALSE(v4->inNetwork(*net, 32));
  EXPECT_TRUE(v4->inNetwork(*IpAddress::parse("10.0.0.0"), 0));
  auto v6 = IpAddress::parse("2001:DB8::CB01");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->toString(), "2001:db8::cb01");
  EXPECT_FALSE(v6->inNetwork(*net, 0));  // families never match
  EXPECT_EQ(v6->reverseName(),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_FALSE(IpAddress::parse("256.1.1.1"));
  EXPECT_FALSE(IpAddress::parse("1.2.3.4.5"));
}

}  // namespace
}  // namespace mh::spf
