// A raw TCP client for the attack tests of the HTTP front: connects from a chosen loopback
// source address (127.0.0.2, ...), sends bytes as it likes and reads with a time limit.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mh::service::http::testing {

class RawClient {
 public:
  RawClient(std::uint16_t port, const std::string& source = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads until `needle` has been read (when given), the peer closes, or `limit` passes.
  std::string read(std::chrono::milliseconds limit, std::string_view needle = {}) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (needle.empty() || received_.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return received_;
  }
  // Waits until the peer closes (EOF or reset) or `limit` passes; true when it closed.
  bool closedWithin(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!closed_ && std::chrono::steady_clock::now() < deadline)
      read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now()),
           "\x01never\x02");
    return closed_;
  }
  const std::string& received() const { return received_; }
  void clear() { received_.clear(); }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

// The number of HTTP responses in `bytes` (status lines "HTTP/1.1 NNN"; a response body of the
// service never holds one).
inline int countResponses(std::string_view bytes) {
  int n = 0;
  for (std::size_t at = bytes.find("HTTP/1.1 "); at != std::string_view::npos;
       at = bytes.find("HTTP/1.1 ", at + 1))
    if (at + 9 < bytes.size() && bytes[at + 9] >= '1' && bytes[at + 9] <= '5') ++n;
  return n;
}

// The status of the first response in `bytes`, 0 when there is none.
inline int firstStatus(std::string_view bytes) {
  if (bytes.size() < 12 || bytes.substr(0, 7) != "HTTP/1." || bytes[8] != ' ') return 0;
  return std::stoi(std::string(bytes.substr(9, 3)));
}

// GET /healthz on a fresh connection from `source`: the status (0: none) within `limit`.
inline int healthz(std::uint16_t port, std::chrono::milliseconds limit,
                   const std::string& source = "127.0.0.1") {
  RawClient c(port, source);
  if (!c.connected()) return 0;
  c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return firstStatus(c.read(limit, "\r\n\r\n"));
}

}  // namespace mh::service::http::testing
