// I/O with a stranger on a non-blocking socket, plain or through OpenSSL, bounded by deadlines.
#include "checks/tls/deadline_io.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "checks/tls/openssl_errors.hpp"

namespace mh::tls {

namespace {

constexpr std::size_t kReadChunk = 4096;

int millisLeft(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  // Round up so that a deadline a fraction of a millisecond away still gets one poll.
  return static_cast<int>(std::clamp<std::int64_t>(left.count() + 1, 0, 24 * 3600 * 1000));
}

std::string errnoText(int err) {
  return std::strerror(err);
}

std::string firstOpensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "openssl error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

bool toSockAddr(std::string_view address, std::uint16_t port, SockAddr& out) {
  const std::string text(address);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// Waits for the direction OpenSSL asked for; false when the deadline passed or the call failed.
bool waitForSsl(SSL* ssl, int fd, int rc, SteadyClock::time_point deadline, IoStatus& status,
                std::string& detail) {
  const int err = SSL_get_error(ssl, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    if (waitReady(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return true;
    status = IoStatus::Timeout;
    detail = "no progress before the deadline";
    return false;
  }
  if (err == SSL_ERROR_ZERO_RETURN) {
    status = IoStatus::Closed;
    detail = "tls close_notify";
  } else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    status = IoStatus::Closed;
    detail = errno != 0 ? errnoText(errno) : "connection closed";
  } else {
    status = IoStatus::TlsError;
    detail = firstOpensslError();
  }
  ERR_clear_error();
  return false;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string_view toString(IoStatus s) {
  switch (s) {
    case IoStatus::Ok:
      return "ok";
    case IoStatus::Timeout:
      return "timeout";
    case IoStatus::ConnectFailed:
      return "connect-failed";
    case IoStatus::Closed:
      return "closed";
    case IoStatus::Malformed:
      return "malformed";
    case IoStatus::TooLong:
      return "too-long";
    case IoStatus::TlsError:
      return "tls-error";
  }
  return "unknown";
}

bool waitReady(int fd, short events, SteadyClock::time_point deadline) {
  while (true) {
    const int timeout = millisLeft(deadline);
    if (timeout <= 0) return false;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, timeout);
    if (rc > 0) return true;  // ready, or an error/hang-up the next call will report
    if (rc == 0) {
      if (SteadyClock::now() >= deadline) return false;
      continue;
    }
    if (errno != EINTR) return true;  // let the following I/O call report the error
  }
}

IoStatus connectTcp(std::string_view address, std::uint16_t port, SteadyClock::time_point deadline,
                    UniqueFd& out, std::string& detail) {
  SockAddr sa;
  if (!toSockAddr(address, port, sa)) {
    detail = "not an IP address literal";
    return IoStatus::ConnectFailed;
  }
  UniqueFd fd(::socket(sa.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    detail = errnoText(errno);
    return IoStatus::ConnectFailed;
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa.storage), sa.length) != 0) {
    if (errno != EINPROGRESS) {
      detail = errnoText(errno);
      return IoStatus::ConnectFailed;
    }
    if (!waitReady(fd.get(), POLLOUT, deadline)) {
      detail = "connect timed out";
      return IoStatus::Timeout;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      detail = errnoText(err);
      return IoStatus::ConnectFailed;
    }
  }
  out = std::move(fd);
  return IoStatus::Ok;
}

IoStatus tlsHandshake(SSL* ssl, int fd, SteadyClock::time_point deadline, std::string& detail) {
  ERR_clear_error();
  while (true) {
    if (SteadyClock::now() >= deadline) {
      detail = "no handshake before the deadline";
      return IoStatus::Timeout;
    }
    errno = 0;
    const int rc = SSL_connect(ssl);
    if (rc == 1) return IoStatus::Ok;
    const int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!waitReady(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
        detail = "no handshake before the deadline";
        return IoStatus::Timeout;
      }
      continue;
    }
    const int savedErrno = errno;
    detail = opensslErrors();
    if (!detail.empty()) return IoStatus::TlsError;
    detail = err == SSL_ERROR_SYSCALL && savedErrno != 0 ? errnoText(savedErrno)
                                                         : std::string("connection closed");
    return IoStatus::Closed;
  }
}

IoStatus sendAll(int fd, SSL* ssl, std::string_view data, SteadyClock::time_point deadline,
                 std::string& detail) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    if (ssl != nullptr) {
      const int rc = SSL_write(ssl, data.data() + sent, static_cast<int>(data.size() - sent));
      if (rc > 0) {
        sent += static_cast<std::size_t>(rc);
        continue;
      }
      IoStatus status = IoStatus::Ok;
      if (!waitForSsl(ssl, fd, rc, deadline, status, detail)) return status;
      continue;
    }
    const ssize_t rc = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (rc > 0) {
      sent += static_cast<std::size_t>(rc);
      continue;
    }
    if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!waitReady(fd, POLLOUT, deadline)) {
        detail = "send timed out";
        return IoStatus::Timeout;
      }
      continue;
    }
    detail = errnoText(errno);
    return IoStatus::Closed;
  }
  return IoStatus::Ok;
}

IoStatus receiveSome(int fd, SSL* ssl, std::string& buffer, SteadyClock::time_point deadline,
                     std::string& detail) {
  char chunk[kReadChunk];
  while (true) {
    if (SteadyClock::now() >= deadline) {
      detail = "no reply before the deadline";
      return IoStatus::Timeout;
    }
    if (ssl != nullptr) {
      const int rc = SSL_read(ssl, chunk, sizeof chunk);
      if (rc > 0) {
        buffer.append(chunk, static_cast<std::size_t>(rc));
        return IoStatus::Ok;
      }
      IoStatus status = IoStatus::Ok;
      if (!waitForSsl(ssl, fd, rc, deadline, status, detail)) {
        if (status == IoStatus::Timeout) detail = "no reply before the deadline";
        return status;
      }
      continue;
    }
    const ssize_t rc = ::recv(fd, chunk, sizeof chunk, 0);
    if (rc > 0) {
      buffer.append(chunk, static_cast<std::size_t>(rc));
      return IoStatus::Ok;
    }
    if (rc == 0) {
      detail = "connection closed";
      return IoStatus::Closed;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!waitReady(fd, POLLIN, deadline)) {
        detail = "no reply before the deadline";
        return IoStatus::Timeout;
      }
      continue;
    }
    detail = errnoText(errno);
    return IoStatus::Closed;
  }
}

}  // namespace mh::tls
