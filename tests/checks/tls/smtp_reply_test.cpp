// Tests for checks/tls/smtp_reply.cpp: segmentation, limits, malformed replies, EHLO keywords.
#include "checks/tls/smtp_reply.hpp"

#include <gtest/gtest.h>

namespace mh::tls {
namespace {

constexpr std::string_view kEhlo =
    "250-mx1.example.test Hello\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 52428800\r\n"
    "250-starttls\r\n"
    "250-AUTH\r\n"
    "250 8BITMIME\r\n";

TEST(SmtpReplyParser, SingleLine) {
  auto r = parseReply("220 mx1.example.test ESMTP ready\r\n");
  ASSERT_EQ(r.state, ReplyParseState::Complete);
  EXPECT_EQ(r.reply.code, 220);
  EXPECT_EQ(r.reply.codeClass(), 2);
  ASSERT_EQ(r.reply.lines.size(), 1u);
  EXPECT_EQ(r.reply.lines[0], "mx1.example.test ESMTP ready");
}

TEST(SmtpReplyParser, ByteByByteMultiLine) {
  SmtpReplyParser p;
  for (std::size_t i = 0; i < kEhlo.size(); ++i) {
    ASSERT_EQ(p.state(), ReplyParseState::NeedMore) << "at byte " << i;
    EXPECT_EQ(p.feed(kEhlo.substr(i, 1)), 1u);
  }
  ASSERT_EQ(p.state(), ReplyParseState::Complete);
  EXPECT_EQ(p.reply().code, 250);
  EXPECT_EQ(p.reply().lines.size(), 6u);
  EXPECT_EQ(p.reply().lines[2], "SIZE 52428800");
}

TEST(SmtpReplyParser, EverySplitPointGivesTheSameReply) {
  const auto whole = parseReply(kEhlo);
  for (std::size_t cut = 0; cut <= kEhlo.size(); ++cut) {
    SmtpReplyParser p;
    p.feed(kEhlo.substr(0, cut));
    p.feed(kEhlo.substr(cut));
    ASSERT_EQ(p.state(), ReplyParseState::Complete) << cut;
    EXPECT_EQ(p.reply().lines, whole.reply.lines) << cut;
  }
}

TEST(SmtpReplyParser, BareLfAndCodeOnlyFinalLine) {
  auto r = parseReply("250-first\n250\n");
  ASSERT_EQ(r.state, ReplyParseState::Complete);
  EXPECT_EQ(r.reply.lines, (std::vector<std::string>{"first", ""}));
}

TEST(SmtpReplyParser, StopsAtTheEndOfTheReply) {
  const std::string_view data = "220 ready\r\nextra bytes";
  SmtpReplyParser p;
  EXPECT_EQ(p.feed(data), 11u);
  EXPECT_EQ(p.state(), ReplyParseState::Complete);
  EXPECT_EQ(p.feed("more"), 0u);
}

TEST(SmtpReplyParser, IncompleteNeedsMore) {
  EXPECT_EQ(parseReply("250-a\r\n250-b\r\n").state, ReplyParseState::NeedMore);
  EXPECT_EQ(parseReply("220 no line end").state, ReplyParseState::NeedMore);
}

TEST(SmtpReplyParser, GarbageIsMalformed) {
  for (std::string_view g : {"SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 400 Bad Request\r\n",
                             "22 short\r\n", "2x0 letters\r\n", "\r\n", "220_ready\r\n",
                             "620 first digit out of range\r\n", "180 too low\r\n",
                             "\x16\x03\x01"
                             "garbage\n"}) {
    SmtpReplyParser p;
    p.feed(g);
    EXPECT_EQ(p.state(), ReplyParseState::Malformed) << g;
    EXPECT_FALSE(p.error().empty());
  }
}

TEST(SmtpReplyParser, CodesMustAgreeAcrossLines) {
  EXPECT_EQ(parseReply("250-a\r\n251 b\r\n").state, ReplyParseState::Malformed);
}

TEST(SmtpReplyParser, LineTooLong) {
  SmtpReplyParser p;
  p.feed("220 ");
  p.feed(std::string(kMaxReplyLineLength, 'x'));
  EXPECT_EQ(p.state(), ReplyParseState::TooLong);
  // A line at the limit is fine.
  auto ok = parseReply("220 " + std::string(kMaxReplyLineLength - 4, 'x') + "\r\n");
  EXPECT_EQ(ok.state, ReplyParseState::Complete);
}

TEST(SmtpReplyParser, ReplyTooLarge) {
  SmtpReplyParser p;
  const std::string line = "250-" + std::string(100, 'x') + "\r\n";
  for (int i = 0; i < 1000 && p.state() == ReplyParseState::NeedMore; ++i) p.feed(line);
  EXPECT_EQ(p.state(), ReplyParseState::TooLong);
}

TEST(SmtpReplyParser, ResetStartsOver) {
  SmtpReplyParser p;
  p.feed("garbage\n");
  p.reset();
  p.feed("221 bye\r\n");
  EXPECT_EQ(p.state(), ReplyParseState::Complete);
  EXPECT_EQ(p.reply().code, 221);
}

TEST(EhloKeywords, ExtractedCaseInsensitively) {
  auto r = parseReply(kEhlo);
  auto k = ehloKeywords(r.reply);
  ASSERT_EQ(k.size(), 5u);
  EXPECT_EQ(k[0].name, "PIPELINING");
  EXPECT_EQ(k[1].name, "SIZE");
  EXPECT_EQ(k[1].params, "52428800");
  EXPECT_EQ(k[2].name, "STARTTLS");
  EXPECT_EQ(k[3].name, "AUTH");
  EXPECT_TRUE(hasKeyword(k, "StartTLS"));
  EXPECT_TRUE(hasKeyword(k, "8bitmime"));
  EXPECT_FALSE(hasKeyword(k, "SMTPUTF8"));
}

TEST(EhloKeywords, NoneFromANegativeOrSingleLineReply) {
  EXPECT_TRUE(ehloKeywords(parseReply("502 no EHLO\r\n").reply).empty());
  EXPECT_TRUE(ehloKeywords(parseReply("250 mx1 only\r\n").reply).empty());
}

}  // namespace
}  // namespace mh::tls
