// Incremental SMTP reply parser (RFC 5321 §4.2) and EHLO keyword extraction (§4.1.1.1).
#include "checks/tls/smtp_reply.hpp"

#include <algorithm>
#include <cctype>

#include "checks/core/text.hpp"

namespace mh::tls {

namespace {

using ascii::isDigit;
constexpr bool isBlank(char c) { return ascii::isWsp(c); }
std::string_view trim(std::string_view s) { return ascii::trimWsp(s); }

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string SmtpReply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += " | ";
    out += l;
  }
  return out;
}

std::string_view toString(ReplyParseState s) {
  switch (s) {
    case ReplyParseState::NeedMore:
      return "need-more";
    case ReplyParseState::Complete:
      return "complete";
    case ReplyParseState::Malformed:
      return "malformed";
    case ReplyParseState::TooLong:
      return "too-long";
  }
  return "unknown";
}

void SmtpReplyParser::reset() {
  *this = SmtpReplyParser{};
}

void SmtpReplyParser::fail(ReplyParseState s, std::string_view why) {
  state_ = s;
  error_ = why;
}

std::size_t SmtpReplyParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && state_ == ReplyParseState::NeedMore) {
    const char c = data[used++];
    if (++total_ > kMaxReplySize) {
      fail(ReplyParseState::TooLong, "reply larger than the size limit");
      break;
    }
    if (c == '\n') {
      finishLine();
      continue;
    }
    line_.push_back(c);
    // +1: the CR of the CRLF sits in line_ until the LF arrives.
    if (line_.size() > kMaxReplyLineLength + 1)
      fail(ReplyParseState::TooLong, "reply line too long");
  }
  return used;
}

// RFC 5321 §4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                             Reply-code [ SP textstring ] CRLF
//                Reply-code = %x32-35 %x30-35 %x30-39
// and §4.2.1: every line of a multi-line reply carries the same code.
void SmtpReplyParser::finishLine() {
  std::string line = std::move(line_);
  line_.clear();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2]) ||
      line[0] < '2' || line[0] > '5' || line[1] > '5') {
    fail(ReplyParseState::Malformed, "line does not start with a reply code");
    return;
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code) {
    fail(ReplyParseState::Malformed, "reply code differs between lines");
    return;
  }
  reply_.code = code;
  if (line.size() == 3) {  // "250" alone ends the reply
    reply_.lines.emplace_back();
    state_ = ReplyParseState::Complete;
    return;
  }
  const char sep = line[3];
  if (sep != '-' && sep != ' ') {
    fail(ReplyParseState::Malformed, "reply code not followed by '-' or space");
    return;
  }
  reply_.lines.push_back(line.substr(4));
  if (sep == ' ') state_ = ReplyParseState::Complete;
}

ParsedReply parseReply(std::string_view data) {
  SmtpReplyParser p;
  ParsedReply out;
  out.consumed = p.feed(data);
  out.state = p.state();
  out.reply = p.reply();
  return out;
}

std::vector<EhloKeyword> ehloKeywords(const SmtpReply& ehlo) {
  std::vector<EhloKeyword> out;
  if (ehlo.codeClass() != 2) return out;
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    const std::string_view l = trim(ehlo.lines[i]);
    if (l.empty()) continue;
    const auto sp = l.find_first_of(" \t");
    EhloKeyword k;
    k.name = upper(l.substr(0, sp));
    if (sp != std::string_view::npos) k.params = std::string(trim(l.substr(sp)));
    out.push_back(std::move(k));
  }
  return out;
}

bool hasKeyword(const std::vector<EhloKeyword>& keywords, std::string_view name) {
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const EhloKeyword& k) { return equalsNoCase(k.name, name); });
}

}  // namespace mh::tls
