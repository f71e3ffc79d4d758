// A UDP DNS forwarder between the audit and knotd: adds latency each way and black-holes dead
// domains.
#include "bench/udp_forwarder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <vector>

namespace mh::bench {

namespace {

using Clock = std::chrono::steady_clock;

int udpSocket(std::uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw std::runtime_error("forwarder: socket failed");
  int size = rcvbuf > 0 ? rcvbuf : 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  int sndbuf = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  const int one = 1;  // the kernel's count of datagrams dropped on a full buffer, on each read
  ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    ::close(fd);
    throw std::runtime_error("forwarder: bind failed");
  }
  return fd;
}

// True when a label of the question name starts with `prefix` (case-insensitive).
bool questionHasLabelPrefix(const std::uint8_t* p, std::size_t n, const std::string& prefix) {
  std::size_t at = 12;
  while (at < n && p[at] != 0) {
    const std::size_t len = p[at];
    if (len > 63 || at + 1 + len > n) return false;
    if (len >= prefix.size() &&
        ::strncasecmp(reinterpret_cast<const char*>(p + at + 1), prefix.data(), prefix.size()) == 0)
      return true;
    at += 1 + len;
  }
  return false;
}

struct Packet {
  Clock::time_point release;
  std::vector<std::uint8_t> bytes;
  sockaddr_in peer{};  // the client (queries and answers alike)
};

struct InFlight {
  sockaddr_in client{};
  std::uint16_t client_id = 0;
  bool used = false;
  Clock::time_point sent{};
};

// An answer from knotd later than this is taken as lost (knotd answers in microseconds).
constexpr auto kLostAfter = std::chrono::seconds(1);

}  // namespace

UdpForwarder::UdpForwarder(ForwarderOptions options) : options_(std::move(options)) {
  listen_ = udpSocket(0, options_.listen_rcvbuf);
  upstream_ = udpSocket(0);
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sockaddr_in sin{};
  socklen_t len = sizeof sin;
  ::getsockname(listen_, reinterpret_cast<sockaddr*>(&sin), &len);
  port_ = ntohs(sin.sin_port);
  thread_ = std::thread([this] { run(); });
}

UdpForwarder::~UdpForwarder() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(wake_, &one, sizeof one);
  thread_.join();
  ::close(listen_);
  ::close(upstream_);
  ::close(wake_);
}

ForwarderStats UdpForwarder::stats() const {
  return {queries_.load(),   dropped_.load(),    forwarded_.load(), answers_.load(),
          truncated_.load(), unanswered_.load(), cpu_.load(),       overruns_.load()};
}

void UdpForwarder::run() {
  sockaddr_in knot{};
  knot.sin_family = AF_INET;
  knot.sin_port = htons(options_.upstream_port);
  knot.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<InFlight> inflight(65536);
  std::uint16_t nextId = 0;
  std::deque<Packet> toKnot, toClient;
  std::deque<Packet> waiting;           // due to knotd, held while max_outstanding are out
  std::deque<std::uint16_t> sentOrder;  // upstream IDs in the order sent
  std::size_t outstanding = 0;
  std::array<std::uint8_t, 65536> buf{};

  auto sendQuery = [&](Packet& p) {
    // A fresh upstream ID; the in-flight table is as large as the ID space, so an ID is reused
    // only after 65,536 later queries (an answer lost by then is simply not relayed).
    const std::uint16_t id = nextId++;
    InFlight& f = inflight[id];
    if (f.used) --outstanding;  // its answer is lost (only without a cap can this happen)
    f.client = p.peer;
    f.client_id = std::uint16_t((p.bytes[0] << 8) | p.bytes[1]);
    f.used = true;
    f.sent = Clock::now();
    ++outstanding;
    sentOrder.push_back(id);
    p.bytes[0] = std::uint8_t(id >> 8);
    p.bytes[1] = std::uint8_t(id);
    ::sendto(upstream_, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<sockaddr*>(&knot),
             sizeof knot);
    ++forwarded_;
  };
  auto sendAnswer = [&](Packet& p) {
    ::sendto(listen_, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<sockaddr*>(&p.peer),
             sizeof p.peer);
    ++answers_;
  };
  auto threadCpu = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };

  const auto capped = [&] {
    return options_.max_outstanding != 0 && outstanding >= options_.max_outstanding;
  };
  // Queries due to knotd go out while the cap allows, in order, and wait otherwise.
  const auto offer = [&](Packet&& p) {
    if (waiting.empty() && !capped())
      sendQuery(p);
    else
      waiting.push_back(std::move(p));
  };
  const auto drain = [&] {
    const auto now = Clock::now();
    while (!sentOrder.empty()) {
      InFlight& f = inflight[sentOrder.front()];
      if (f.used && now - f.sent < kLostAfter) break;
      if (f.used) {  // lost: free its place
        f.used = false;
        --outstanding;
        ++unanswered_;
      }
      sentOrder.pop_front();
    }
    while (!waiting.empty() && !capped()) {
      sendQuery(waiting.front());
      waiting.pop_front();
    }
  };

  while (true) {
    const auto now = Clock::now();
    while (!toKnot.empty() && toKnot.front().release <= now) {
      offer(std::move(toKnot.front()));
      toKnot.pop_front();
    }
    drain();
    while (!toClient.empty() && toClient.front().release <= now) {
      sendAnswer(toClient.front());
      toClient.pop_front();
    }
    Clock::time_point next = Clock::time_point::max();
    if (!toKnot.empty()) next = toKnot.front().release;
    if (!toClient.empty()) next = std::min(next, toClient.front().release);
    if (!sentOrder.empty())  // to notice a lost answer
      next = std::min(next, inflight[sentOrder.front()].sent + kLostAfter);
    timespec timeout{};
    timespec* tp = nullptr;
    if (next != Clock::time_point::max()) {
      const auto wait = std::max(Clock::duration::zero(), next - Clock::now());
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
      timeout.tv_sec = ns / 1000000000;
      timeout.tv_nsec = ns % 1000000000;
      tp = &timeout;
    }
    pollfd fds[3] = {{listen_, POLLIN, 0}, {upstream_, POLLIN, 0}, {wake_, POLLIN, 0}};
    if (::ppoll(fds, 3, tp, nullptr) < 0 && errno != EINTR) break;
    cpu_.store(threadCpu());
    if (fds[2].revents & POLLIN) break;

    if (fds[0].revents & POLLIN) {
      for (int batch = 0; batch < 256; ++batch) {
        Packet p;
        iovec iov{buf.data(), buf.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t))];
        msghdr msg{};
        msg.msg_name = &p.peer;
        msg.msg_namelen = sizeof p.peer;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(listen_, &msg, 0);
        if (n < 0) break;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            std::uint32_t drops = 0;
            std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
            overruns_.store(drops);  // cumulative since the socket was made
          }
        }
        if (n < 12) continue;
        ++queries_;
        if (questionHasLabelPrefix(buf.data(), std::size_t(n), options_.drop_label_prefix)) {
          ++dropped_;
          continue;
        }
        p.bytes.assign(buf.data(), buf.data() + n);
        if (options_.delay.count() == 0) {
          offer(std::move(p));
        } else {
          p.release = Clock::now() + options_.delay;
          toKnot.push_back(std::move(p));
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      for (int batch = 0; batch < 256; ++batch) {
        const ssize_t n = ::recv(upstream_, buf.data(), buf.size(), 0);
        if (n < 0) break;
        if (n < 12) continue;
        const std::uint16_t id = std::uint16_t((buf[0] << 8) | buf[1]);
        InFlight& f = inflight[id];
        if (!f.used) continue;
        f.used = false;
        --outstanding;
        if (buf[2] & 0x02) ++truncated_;
        Packet p;
        p.peer = f.client;
        p.bytes.assign(buf.data(), buf.data() + n);
        p.bytes[0] = std::uint8_t(f.client_id >> 8);
        p.bytes[1] = std::uint8_t(f.client_id);
        if (options_.delay.count() == 0) {
          sendAnswer(p);
        } else {
          p.release = Clock::now() + options_.delay;
          toClient.push_back(std::move(p));
        }
      }
    }
    drain();  // answers made room
  }
  cpu_.store(threadCpu());
}

}  // namespace mh::bench
