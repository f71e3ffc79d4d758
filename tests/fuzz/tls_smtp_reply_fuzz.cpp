// Fuzz target: the bytes an SMTP server sends (greeting, EHLO, STARTTLS replies) read by the
// incremental reply parser in any segmentation, then the EHLO keywords; must not crash, and
// every segmentation must read the same reply.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/tls/smtp_reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte chooses how the server's bytes are cut into reads (1 to 256 bytes each).
  const std::size_t step = static_cast<std::size_t>(data[0]) + 1;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  // The session reads replies one after another from one stream, as a pipelining server sends them.
  while (!bytes.empty()) {
    const auto whole = mh::tls::parseReply(bytes);
    mh::tls::SmtpReplyParser parser;
    std::size_t used = 0;
    while (used < bytes.size() && parser.state() == mh::tls::ReplyParseState::NeedMore) {
      const std::size_t n = parser.feed(bytes.substr(used, step));
      if (n == 0) __builtin_trap();  // a parser that needs more must consume
      used += n;
    }
    if (parser.state() != whole.state || used != whole.consumed ||
        parser.reply().code != whole.reply.code || parser.reply().lines != whole.reply.lines)
      __builtin_trap();
    if (whole.state != mh::tls::ReplyParseState::Complete) {
      (void)mh::tls::toString(whole.state);
      (void)parser.error();
      break;
    }
    if (whole.reply.lines.empty() || whole.reply.code < 200 || whole.reply.code > 559)
      __builtin_trap();
    (void)whole.reply.text();
    const auto keywords = mh::tls::ehloKeywords(whole.reply);
    (void)mh::tls::hasKeyword(keywords, "STARTTLS");
    for (const auto& k : keywords)
      if (k.name.empty()) __builtin_trap();
    bytes.remove_prefix(whole.consumed);
  }
  return 0;
}
