// I/O with a stranger on a non-blocking socket, plain or through OpenSSL, every call bounded by an
// absolute deadline (steady clock): a peer that sends one byte at a time cannot stretch it.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mh::tls {

using SteadyClock = std::chrono::steady_clock;

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

enum class IoStatus {
  Ok,
  Timeout,        // the deadline passed first
  ConnectFailed,  // refused, unreachable, or the address is not a literal
  Closed,         // the peer closed or reset the connection
  Malformed,      // the bytes are not an SMTP reply
  TooLong,        // a reply beyond kMaxReplyLineLength / kMaxReplySize
  TlsError,       // an OpenSSL error on the TLS channel
};

std::string_view toString(IoStatus s);

// Waits until fd is ready for `events` (POLLIN/POLLOUT) or the deadline; false on timeout.
bool waitReady(int fd, short events, SteadyClock::time_point deadline);

// A non-blocking TCP connection (TCP_NODELAY) to an IPv4 or IPv6 literal. detail receives the
// errno text on failure.
IoStatus connectTcp(std::string_view address, std::uint16_t port, SteadyClock::time_point deadline,
                    UniqueFd& out, std::string& detail);

// Drives SSL_connect on `ssl` (whose fd is a non-blocking socket) until the handshake completes,
// fails or the deadline passes: one deadline for the whole handshake, however the peer paces it.
// TlsError carries OpenSSL's error queue ("...:SSL routines::..."), Closed an errno text or
// "connection closed".
IoStatus tlsHandshake(SSL* ssl, int fd, SteadyClock::time_point deadline, std::string& detail);

// Sends all of `data` (through `ssl` when not null).
IoStatus sendAll(int fd, SSL* ssl, std::string_view data, SteadyClock::time_point deadline,
                 std::string& detail);

// Appends what arrives next (at most one read of up to 4 KiB) to `buffer`. Closed at the end of
// the stream ("connection closed", or "tls close_notify").
IoStatus receiveSome(int fd, SSL* ssl, std::string& buffer, SteadyClock::time_point deadline,
                     std::string& detail);

}  // namespace mh::tls
