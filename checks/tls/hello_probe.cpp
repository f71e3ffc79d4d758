// Hello-only probes: one ClientHello out, the server's first flight in, poll-based deadlines.
#include "checks/tls/hello_probe.hpp"

#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

namespace mh::tls {

namespace {

using Clock = std::chrono::steady_clock;

// Enough for any ServerHello plus whatever the server sends in the same flight before we stop.
constexpr std::size_t kMaxReply = 1 << 17;

std::string errnoText(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// Milliseconds left until `deadline` for poll(), at least 0.
int remainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

// Waits for `events` on `fd`: 1 ready, 0 deadline passed, -1 error (errno set).
int waitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, remainingMs(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r;
    return 1;  // readable, writable, or POLLERR/POLLHUP: the next send/recv says which
  }
}

std::array<std::uint8_t, 32> freshRandom() {
  std::array<std::uint8_t, 32> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) {
    std::random_device rd;  // the random only has to differ between probes
    for (auto& b : r) b = static_cast<std::uint8_t>(rd());
  }
  return r;
}

ProbeStatus statusForErrno(int err) {
  return err == ECONNRESET || err == EPIPE ? ProbeStatus::Reset : ProbeStatus::NetworkError;
}

bool judgeAccepted(const HelloProbeResult& r, const ClientHelloSpec& spec,
                   const std::vector<std::uint16_t>& offered) {
  if (r.status != ProbeStatus::Answered || !r.hello.accepted()) return false;
  const auto& h = r.hello;
  if (spec.version == ProtocolVersion::SslV2) {
    return h.sslv2 &&
           std::any_of(h.sslv2CipherSpecs.begin(), h.sslv2CipherSpecs.end(),
                       [](std::uint32_t k) { return findSslv2CipherKind(k) != nullptr; });
  }
  if (h.sslv2 || h.helloRetryRequest) return false;
  if (h.version != static_cast<std::uint16_t>(spec.version)) return false;
  return std::find(offered.begin(), offered.end(), h.cipherSuite) != offered.end();
}

}  // namespace

std::string_view toString(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::Answered:
      return "answered";
    case ProbeStatus::Closed:
      return "closed";
    case ProbeStatus::Reset:
      return "reset";
    case ProbeStatus::Timeout:
      return "timeout";
    case ProbeStatus::NetworkError:
      return "network_error";
  }
  return "network_error";
}

HelloProbeResult probeHello(int fd, const ClientHelloSpec& spec,
                            std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  HelloProbeResult result;
  result.requested = spec.version;
  const auto finish = [&](ProbeStatus status) {
    result.status = status;
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return result;
  };

  const std::vector<std::uint8_t> hello = buildClientHello(spec);
  while (result.bytesSent < hello.size()) {
    const ssize_t n = ::send(fd, hello.data() + result.bytesSent, hello.size() - result.bytesSent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      result.bytesSent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      result.error = errnoText("send", errno);
      return finish(statusForErrno(errno));
    }
    const int w = waitFor(fd, POLLOUT, deadline);
    if (w == 0) return finish(ProbeStatus::Timeout);
    if (w < 0) {
      result.error = errnoText("poll", errno);
      return finish(ProbeStatus::NetworkError);
    }
  }

  std::vector<std::uint8_t> reply;
  std::uint8_t buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      reply.insert(reply.end(), buffer, buffer + n);
      result.bytesReceived = reply.size();
      result.hello = parseServerHello(reply);
      if (result.hello.outcome != HelloOutcome::Incomplete || reply.size() >= kMaxReply) break;
      continue;
    }
    if (n == 0) return finish(ProbeStatus::Closed);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      result.error = errnoText("recv", errno);
      return finish(statusForErrno(errno));
    }
    const int w = waitFor(fd, POLLIN, deadline);
    if (w == 0) return finish(ProbeStatus::Timeout);
    if (w < 0) {
      result.error = errnoText("poll", errno);
      return finish(ProbeStatus::NetworkError);
    }
  }
  if (result.hello.outcome == HelloOutcome::Incomplete) {  // over kMaxReply without an answer
    result.hello.outcome = HelloOutcome::Malformed;
    result.hello.error = "no ServerHello within the first 128 KiB";
  }
  finish(ProbeStatus::Answered);
  std::vector<std::uint16_t> offered = spec.suites.empty() ? suitesFor(spec.version) : spec.suites;
  result.accepted = judgeAccepted(result, spec, offered);
  return result;
}

HelloProbeResult probeProtocol(int fd, ProtocolVersion version, std::string_view sni,
                               std::chrono::milliseconds timeout) {
  ClientHelloSpec spec;
  spec.version = version;
  spec.sni = std::string(sni);
  spec.random = freshRandom();
  return probeHello(fd, spec, timeout);
}

HelloProbeResult probeSuites(int fd, ProtocolVersion version, std::span<const std::uint16_t> suites,
                             std::string_view sni, std::chrono::milliseconds timeout) {
  ClientHelloSpec spec;
  spec.version = version;
  spec.suites.assign(suites.begin(), suites.end());
  spec.sni = std::string(sni);
  spec.random = freshRandom();
  if (spec.suites.empty()) {  // nothing to offer: nothing can be accepted; send nothing
    HelloProbeResult r;
    r.requested = version;
    r.status = ProbeStatus::NetworkError;
    r.error = "no cipher suites to offer";
    return r;
  }
  return probeHello(fd, spec, timeout);
}

}  // namespace mh::tls
