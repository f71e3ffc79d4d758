// One SMTP client connection with deadlines: non-blocking connect, send a command, read a reply
// (RFC 5321 §4.1, §4.2), over plain TCP or, after STARTTLS, over an OpenSSL session.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "checks/tls/deadline_io.hpp"
#include "checks/tls/smtp_reply.hpp"

namespace spdlog {
class logger;
}

namespace mh::tls {

struct ReplyRead {
  IoStatus status = IoStatus::Ok;
  SmtpReply reply;     // complete when status is Ok
  std::string detail;  // errno / parser / OpenSSL text when status is not Ok
};

// A client connection. The socket is non-blocking throughout; every operation takes an absolute
// deadline, so a peer that dribbles one byte at a time cannot stretch it.
// Thread safety: none; one session per probe.
class SmtpSession {
 public:
  // Connects to an IPv4 or IPv6 literal. detail receives the errno text on failure.
  IoStatus connect(std::string_view address, std::uint16_t port, SteadyClock::time_point deadline,
                   std::string& detail);

  // Sends `command` followed by CRLF.
  IoStatus sendCommand(std::string_view command, SteadyClock::time_point deadline,
                       std::string& detail);

  // Reads one complete reply, whatever the segmentation. Bytes received after its final line
  // stay buffered for the next call (see bufferedBytes()).
  ReplyRead readReply(SteadyClock::time_point deadline);

  // From now on all I/O goes through `ssl` (not owned; its fd must be this session's socket).
  void useTls(SSL* ssl) { ssl_ = ssl; }

  // Bytes received but not yet consumed by readReply.
  std::size_t bufferedBytes() const { return buffer_.size(); }
  void discardBuffered() { buffer_.clear(); }

  int fd() const { return fd_.get(); }
  UniqueFd releaseFd() { return std::move(fd_); }

 private:
  UniqueFd fd_;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// The "smtp" logger (constant messages, key=value fields; debug level per connection).
std::shared_ptr<spdlog::logger> smtpLogger();

}  // namespace mh::tls
