// One SMTP client connection with deadlines: non-blocking connect, send a command, read a reply
// (RFC 5321 §4.1, §4.2), over plain TCP or, after STARTTLS, over an OpenSSL session.
#include "checks/tls/smtp_session.hpp"

#include <spdlog/spdlog.h>

#include "checks/core/logging.hpp"

namespace mh::tls {

// One logger "smtp" for the whole SMTP side, registered once.
std::shared_ptr<spdlog::logger> smtpLogger() {
  static const auto logger = subsystemLogger("smtp");
  return logger;
}

IoStatus SmtpSession::connect(std::string_view address, std::uint16_t port,
                              SteadyClock::time_point deadline, std::string& detail) {
  UniqueFd fd;
  const IoStatus status = connectTcp(address, port, deadline, fd, detail);
  if (status != IoStatus::Ok) return status;
  fd_ = std::move(fd);
  ssl_ = nullptr;
  buffer_.clear();
  return IoStatus::Ok;
}

IoStatus SmtpSession::sendCommand(std::string_view command, SteadyClock::time_point deadline,
                                  std::string& detail) {
  return sendAll(fd_.get(), ssl_, std::string(command) + "\r\n", deadline, detail);
}

ReplyRead SmtpSession::readReply(SteadyClock::time_point deadline) {
  ReplyRead out;
  SmtpReplyParser parser;
  while (true) {
    const std::size_t used = parser.feed(buffer_);
    buffer_.erase(0, used);
    switch (parser.state()) {
      case ReplyParseState::Complete:
        out.reply = parser.reply();
        return out;
      case ReplyParseState::Malformed:
        out.status = IoStatus::Malformed;
        out.detail = std::string(parser.error());
        return out;
      case ReplyParseState::TooLong:
        out.status = IoStatus::TooLong;
        out.detail = std::string(parser.error());
        return out;
      case ReplyParseState::NeedMore:
        break;
    }
    if (SteadyClock::now() >= deadline) {
      out.status = IoStatus::Timeout;
      out.detail = "no complete reply before the deadline";
      return out;
    }
    out.status = receiveSome(fd_.get(), ssl_, buffer_, deadline, out.detail);
    if (out.status != IoStatus::Ok) return out;
  }
}

}  // namespace mh::tls
