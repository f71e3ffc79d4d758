// Incremental SMTP reply parser (RFC 5321 §4.2) and EHLO keyword extraction (§4.1.1.1).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mh::tls {

// RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; real servers exceed it, so we tolerate
// four times that and still refuse an endless line.
inline constexpr std::size_t kMaxReplyLineLength = 2048;
// Upper bound for one (multi-line) reply, line ends included.
inline constexpr std::size_t kMaxReplySize = 64 * 1024;

// One complete reply: the three-digit code and the text of each line (without "NNN-"/"NNN ").
struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;

  int codeClass() const { return code / 100; }  // 2 positive, 3 intermediate, 4/5 negative
  // The lines joined with " | ", for evidence and logs.
  std::string text() const;
};

enum class ReplyParseState {
  NeedMore,   // the final "NNN " line has not arrived yet
  Complete,   // reply() holds a full reply
  Malformed,  // not an SMTP reply (bad code, bad separator, codes differ between lines)
  TooLong,    // a line longer than kMaxReplyLineLength or a reply larger than kMaxReplySize
};

std::string_view toString(ReplyParseState s);

// Feeds bytes as they arrive (any segmentation, down to one byte at a time). Lines end in CRLF;
// a bare LF is tolerated. Once the state is no longer NeedMore further bytes are not consumed.
class SmtpReplyParser {
 public:
  // Consumes bytes up to the end of the reply (or the error); returns how many were consumed,
  // so that bytes after the final line stay with the caller.
  std::size_t feed(std::string_view data);

  ReplyParseState state() const { return state_; }
  const SmtpReply& reply() const { return reply_; }
  // Why the reply is Malformed or TooLong (constant text; empty otherwise).
  std::string_view error() const { return error_; }
  void reset();

 private:
  void finishLine();
  void fail(ReplyParseState s, std::string_view why);

  ReplyParseState state_ = ReplyParseState::NeedMore;
  SmtpReply reply_;
  std::string line_;
  std::size_t total_ = 0;
  std::string_view error_;
};

// Parses a whole buffer; NeedMore when the buffer ends before the final line.
struct ParsedReply {
  ReplyParseState state = ReplyParseState::NeedMore;
  SmtpReply reply;
  std::size_t consumed = 0;
};
ParsedReply parseReply(std::string_view data);

// An EHLO keyword line (RFC 5321 §4.1.1.1: ehlo-line = ehlo-keyword *( SP ehlo-param )).
struct EhloKeyword {
  std::string name;    // upper-cased: "STARTTLS", "SIZE", "PIPELINING"
  std::string params;  // the rest of the line as sent: "52428800"
};

// The keywords of a 2xx EHLO reply: every line after the first (which names the server).
std::vector<EhloKeyword> ehloKeywords(const SmtpReply& ehlo);

// Case-insensitive lookup of a keyword.
bool hasKeyword(const std::vector<EhloKeyword>& keywords, std::string_view name);

}  // namespace mh::tls
