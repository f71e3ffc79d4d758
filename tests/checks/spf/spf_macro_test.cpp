// Tests for checks/spf/spf_macro.cpp: RFC 7208 §7.4 examples, escapes, scope and errors.
#include "checks/spf/spf_macro.hpp"

#include <gtest/gtest.h>

namespace mh::spf {
namespace {

MacroContext rfcContext() {
  MacroContext ctx;
  ctx.sender = "strong-bad@email.example.com";
  ctx.local_part = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = *IpAddress::parse("192.0.2.3");
  ctx.helo = "mx.example.org";
  ctx.receiver = "receiver.example.net";
  ctx.timestamp = 1700000000;
  return ctx;
}

std::string expand(std::string_view text, const MacroContext& ctx,
                   MacroScope scope = MacroScope::DomainSpec) {
  auto e = expandMacros(text, ctx, scope);
  EXPECT_TRUE(e.ok) << text << ": " << e.error;
  return e.value;
}

TEST(SpfMacro, Rfc7208Section74Examples) {
  auto ctx = rfcContext();
  EXPECT_EQ(expand("%{s}", ctx), "strong-bad@email.example.com");
  EXPECT_EQ(expand("%{o}", ctx), "email.example.com");
  EXPECT_EQ(expand("%{d}", ctx), "email.example.com");
  EXPECT_EQ(expand("%{d4}", ctx), "email.example.com");
  EXPECT_EQ(expand("%{d3}", ctx), "email.example.com");
  EXPECT_EQ(expand("%{d2}", ctx), "example.com");
  EXPECT_EQ(expand("%{d1}", ctx), "com");
  EXPECT_EQ(expand("%{dr}", ctx), "com.example.email");
  EXPECT_EQ(expand("%{d2r}", ctx), "example.email");
  EXPECT_EQ(expand("%{l}", ctx), "strong-bad");
  EXPECT_EQ(expand("%{l-}", ctx), "strong.bad");
  EXPECT_EQ(expand("%{lr}", ctx), "strong-bad");
  EXPECT_EQ(expand("%{lr-}", ctx), "bad.strong");
  EXPECT_EQ(expand("%{l1r-}", ctx), "strong");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", ctx), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp._spf.%{d2}", ctx), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{d2}.trusted-domains.example.net", ctx),
            "example.com.trusted-domains.example.net");
}

TEST(SpfMacro, Ipv6AndExplanationOnlyLetters) {
  auto ctx = rfcContext();
  ctx.ip = *IpAddress::parse("2001:db8::cb01");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", ctx),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
  EXPECT_EQ(expand("%{c} %{r} %{t}", ctx, MacroScope::Explanation),
            "2001:db8::cb01 receiver.example.net 1700000000");
  EXPECT_FALSE(expandMacros("%{c}", ctx, MacroScope::DomainSpec).ok);
  EXPECT_FALSE(expandMacros("%{r}", ctx, MacroScope::DomainSpec).ok);
  EXPECT_FALSE(expandMacros("%{t}", ctx, MacroScope::DomainSpec).ok);
}

TEST(SpfMacro, EscapesAndUrlEncoding) {
  auto ctx = rfcContext();
  EXPECT_EQ(expand("a%%b%_c%-d", ctx), "a%b c%20d");
  ctx.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(expand("l=%{L}", ctx), "l=~jack%26jill%3Dup-a_b3.c");
  ctx.helo = "JUMPIN' JUPITER";
  EXPECT_EQ(expand("%{H}", ctx), "JUMPIN%27%20JUPITER");
}

TEST(SpfMacro, MultipleDelimitersSplitTogether) {
  auto ctx = rfcContext();
  ctx.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(expand("%{l2r+-}", ctx), "bar.foo");
}

TEST(SpfMacro, SyntaxErrors) {
  for (const char* bad :
       {"%", "%(ir)", "foo%.bar", "%{", "%{i", "%{x}", "%{d0}", "%{d2q}", "%{}"}) {
    EXPECT_NE(checkMacroString(bad, MacroScope::Explanation), "") << bad;
    EXPECT_FALSE(expandMacros(bad, rfcContext(), MacroScope::Explanation).ok) << bad;
  }
  EXPECT_EQ(checkMacroString("%{d2r-.}", MacroScope::DomainSpec), "");
}

TEST(SpfMacro, PtrMacroUsesTheInjectedValidator) {
  auto ctx = rfcContext();
  EXPECT_EQ(expand("%{p}", ctx), "unknown");
  std::string asked;
  ctx.validated_ptr = [&](std::string_view d) {
    asked = d;
    return std::string("mx.email.example.com");
  };
  EXPECT_EQ(expand("%{p2}", ctx), "example.com");
  EXPECT_EQ(asked, "email.example.com");
}

TEST(SpfMacro, TargetNameTruncation) {
  EXPECT_EQ(toTargetName("example.com."), "example.com");
  std::string longName;
  for (int i = 0; i < 30; ++i) longName += "abcdefghi.";
  longName += "example.com";
  std::string t = toTargetName(longName);
  EXPECT_LE(t.size(), 253u);
  EXPECT_EQ(t.substr(t.size() - 11), "example.com");
  EXPECT_EQ(t.substr(0, 10), "abcdefghi.");  // whole labels were dropped on the left
}

}  // namespace
}  // namespace mh::spf
