// The real stub resolver: ldns builds and parses packets, our own UDP/TCP I/O keeps outcomes exact.
//
// Why not ldns_resolver_query_status / ldns_send: measured with ldns 1.8.3, a server that never
// answers and a closed port both end in LDNS_STATUS_NETWORK_ERR with no packet, and the closed
// port also waits the full timeout (ldns sends from an unconnected UDP socket, so the ICMP
// "port unreachable" is never seen). ldns also moves to the next server only when no packet
// came back, so a SERVFAIL or REFUSED from the first server ends the query, and its retry count
// is the total number of tries. A finding accuses an agency, so "timeout" and "network error"
// must stay apart and one broken server must not decide the answer: the I/O is done here with
// connected sockets (ICMP errors surface as ECONNREFUSED/EHOSTUNREACH at once), and ldns only
// builds the query (ldns_pkt_query_new, ldns_pkt2buffer_wire) and parses the reply
// (ldns_wire2pkt, then answerFromPacket).
#include "checks/dns/ldns_resolver.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include "checks/core/logging.hpp"
#include "checks/dns/ldns_convert.hpp"
#include "checks/dns/ldns_ptr.hpp"

namespace mh::dns {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint16_t kMinUdpSize = 512;
constexpr std::size_t kMaxMessage = 65535;

std::shared_ptr<spdlog::logger> dnsLogger() {
  static const auto logger = subsystemLogger("dns");
  return logger;
}

// A socket descriptor, closed on every exit path.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

struct AddrinfoFree {
  void operator()(addrinfo* p) const { ::freeaddrinfo(p); }
};

std::optional<SocketAddress> toSocketAddress(const NameserverAddress& server) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* raw = nullptr;
  const std::string port = std::to_string(server.port);
  if (::getaddrinfo(server.address.c_str(), port.c_str(), &hints, &raw) != 0 || raw == nullptr)
    return std::nullopt;
  std::unique_ptr<addrinfo, AddrinfoFree> info(raw);
  SocketAddress out;
  std::memcpy(&out.storage, info->ai_addr, info->ai_addrlen);
  out.length = info->ai_addrlen;
  return out;
}

std::string ownedString(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  std::free(s);
  return out;
}

std::string errnoText(std::string_view what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

int millisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, millisLeft(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the following call report the error
  }
}

// How one exchange with one server ended.
enum class Transfer { Response, Timeout, NetworkError, Malformed };

struct Exchange {
  Transfer kind = Transfer::Timeout;
  LdnsPktPtr packet;   // Transfer::Response only
  std::string detail;  // what went wrong otherwise
};

struct Question {
  const ldns_rdf* name;
  std::uint16_t type;
  std::uint16_t id;
};

enum class Verdict { Ok, WrongId, Malformed };

// Parses a reply and checks it answers our question: same ID, QR set, opcode QUERY, the one
// question equal (case-insensitively) to ours.
Verdict checkReply(const std::uint8_t* data, std::size_t size, const Question& q, LdnsPktPtr& out,
                   std::string& detail) {
  if (size < 12) {
    detail = "short response";
    return Verdict::Malformed;
  }
  const std::uint16_t id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
  if (id != q.id) {
    detail = "response with another query id";
    return Verdict::WrongId;
  }
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK || raw == nullptr) {
    ldns_pkt_free(raw);
    detail = "unparseable response";
    return Verdict::Malformed;
  }
  LdnsPktPtr pkt(raw);
  if (!ldns_pkt_qr(pkt.get()) || ldns_pkt_get_opcode(pkt.get()) != LDNS_PACKET_QUERY) {
    detail = "not a query response";
    return Verdict::Malformed;
  }
  const ldns_rr_list* question = ldns_pkt_question(pkt.get());
  if (question == nullptr || ldns_rr_list_rr_count(question) != 1) {
    detail = "response without our question";
    return Verdict::Malformed;
  }
  const ldns_rr* rr = ldns_rr_list_rr(question, 0);
  if (ldns_dname_compare(ldns_rr_owner(rr), q.name) != 0 ||
      static_cast<std::uint16_t>(ldns_rr_get_type(rr)) != q.type ||
      ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
    detail = "response to another question";
    return Verdict::Malformed;
  }
  out = std::move(pkt);
  return Verdict::Ok;
}

// One UDP query of a batch: what was sent, and how its exchange ended once it has.
struct UdpFlight {
  Question question;
  std::vector<std::uint8_t> query;
  std::optional<Exchange> outcome;
  std::string ignored;  // why the last reply with a foreign ID was ignored
};

Exchange failed(Transfer kind, std::string detail) {
  Exchange e;
  e.kind = kind;
  e.detail = std::move(detail);
  return e;
}

// UDP exchanges in flight together, one connected socket each: replies with a foreign ID are
// ignored (as a spoofed packet would be) until that query's deadline; ICMP errors end the
// exchange as NetworkError. A flight whose outcome is already set (it could not be encoded) is
// not sent. With a limit, at most as many queries as it grants towards `server` are in flight: the
// others are sent as earlier ones end (a sliding window), each with its own full timeout; every
// answer and every timeout is reported to the limit, which paces that server (AIMD).
void udpExchangeAll(const SocketAddress& to, std::string_view server,
                    std::vector<UdpFlight>& flights, std::chrono::milliseconds timeout,
                    InFlightLimit* limit) {
  const std::size_t n = flights.size();
  std::vector<Socket> sockets;
  sockets.reserve(n);
  for (std::size_t i = 0; i < n; ++i) sockets.emplace_back(-1);
  std::vector<Clock::time_point> deadlines(n);
  std::vector<bool> holding(n, false);  // the flight holds a slot of the limit
  std::size_t held = 0;
  std::size_t nextToSend = 0;

  auto finish = [&](std::size_t i, Exchange e) {
    const Transfer kind = e.kind;
    flights[i].outcome = std::move(e);
    if (!holding[i]) return;
    holding[i] = false;
    --held;
    if (!limit) return;
    if (kind == Transfer::Timeout)
      limit->lost(server, deadlines[i] - timeout);
    else if (kind == Transfer::Response || kind == Transfer::Malformed)
      limit->answered(server);
    else
      limit->release(server, 1);  // a local error says nothing about the server's pace
  };
  auto send = [&](std::size_t i) {
    auto& f = flights[i];
    Socket sock(::socket(to.storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!sock.valid())
      return finish(i, failed(Transfer::NetworkError, errnoText("udp socket", errno)));
    if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&to.storage), to.length) != 0)
      return finish(i, failed(Transfer::NetworkError, errnoText("udp connect", errno)));
    if (::send(sock.get(), f.query.data(), f.query.size(), 0) !=
        static_cast<ssize_t>(f.query.size()))
      return finish(i, failed(Transfer::NetworkError, errnoText("udp send", errno)));
    sockets[i] = std::move(sock);
    deadlines[i] = Clock::now() + timeout;
  };
  // Sends what the limit allows; waits for a slot only when this batch holds none.
  auto launch = [&] {
    while (nextToSend < n && flights[nextToSend].outcome) ++nextToSend;
    if (nextToSend == n) return;
    const std::size_t wanted = n - nextToSend;
    std::size_t granted = limit == nullptr ? wanted
                          : held == 0      ? limit->acquire(server, wanted)
                                           : limit->tryAcquire(server, wanted);
    for (; granted > 0 && nextToSend < n; ++nextToSend) {
      if (flights[nextToSend].outcome) continue;
      --granted;
      holding[nextToSend] = true;
      ++held;
      send(nextToSend);
    }
    if (limit && granted > 0) limit->release(server, granted);
  };

  // One receive buffer per thread, reused: a fresh zeroed 64 KiB vector per query cost a memset
  // each time and, with many audit threads, fragmented the malloc arenas between long-lived
  // cache entries (peak RSS 759 MB instead of 98 MB for a 3,000-domain bench run).
  thread_local std::vector<std::uint8_t> buffer(kMaxMessage);
  std::vector<pollfd> polled;
  std::vector<std::size_t> polledFlight;
  while (true) {
    launch();
    polled.clear();
    polledFlight.clear();
    auto firstDeadline = Clock::time_point::max();
    for (std::size_t i = 0; i < nextToSend; ++i)
      if (!flights[i].outcome) {
        polled.push_back({sockets[i].get(), POLLIN, 0});
        polledFlight.push_back(i);
        firstDeadline = std::min(firstDeadline, deadlines[i]);
      }
    if (polled.empty()) {
      if (nextToSend >= n) return;
      continue;  // nothing in flight: launch() waits for a slot
    }
    const int rc = ::poll(polled.data(), polled.size(), millisLeft(firstDeadline));
    if (rc < 0 && errno != EINTR) {
      const int err = errno;
      for (std::size_t i : polledFlight)
        finish(i, failed(Transfer::NetworkError, errnoText("udp poll", err)));
      continue;
    }
    for (std::size_t k = 0; rc > 0 && k < polled.size(); ++k) {
      if (polled[k].revents == 0) continue;
      const std::size_t i = polledFlight[k];
      // Drain what is queued on this socket: our reply may follow a foreign one.
      while (!flights[i].outcome) {
        const ssize_t got = ::recv(polled[k].fd, buffer.data(), buffer.size(), 0);
        if (got < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          if (errno == EINTR) continue;
          finish(i, failed(Transfer::NetworkError, errnoText("udp receive", errno)));
          break;
        }
        Exchange e;
        std::string detail;
        switch (checkReply(buffer.data(), static_cast<std::size_t>(got), flights[i].question,
                           e.packet, detail)) {
          case Verdict::Ok:
            e.kind = Transfer::Response;
            finish(i, std::move(e));
            break;
          case Verdict::WrongId:
            flights[i].ignored = detail;
            break;
          case Verdict::Malformed:
            finish(i, failed(Transfer::Malformed, detail));
            break;
        }
      }
    }
    const auto now = Clock::now();
    for (std::size_t i : polledFlight)
      if (!flights[i].outcome && deadlines[i] <= now)
        finish(i, flights[i].ignored.empty() ? failed(Transfer::Timeout, "udp timeout")
                                             : failed(Transfer::Malformed, flights[i].ignored));
  }
}

// Sends or receives exactly `size` bytes before the deadline.
Exchange tcpTransfer(int fd, std::uint8_t* data, std::size_t size, bool sending,
                     Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = sending ? ::send(fd, data + done, size - done, MSG_NOSIGNAL)
                              : ::recv(fd, data + done, size - done, 0);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return failed(Transfer::NetworkError, "tcp connection closed by server");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return failed(Transfer::NetworkError, errnoText(sending ? "tcp send" : "tcp receive", errno));
    if (!waitFor(fd, sending ? POLLOUT : POLLIN, deadline))
      return failed(Transfer::Timeout, "tcp timeout");
  }
  Exchange ok;
  ok.kind = Transfer::Response;
  return ok;
}

// One TCP exchange (RFC 1035 §4.2.2 length-prefixed message), used after a truncated UDP reply.
Exchange tcpExchange(const SocketAddress& to, const std::vector<std::uint8_t>& query,
                     const Question& q, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Socket sock(::socket(to.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return failed(Transfer::NetworkError, errnoText("tcp socket", errno));
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&to.storage), to.length) != 0) {
    if (errno != EINPROGRESS)
      return failed(Transfer::NetworkError, errnoText("tcp connect", errno));
    if (!waitFor(sock.get(), POLLOUT, deadline))
      return failed(Transfer::Timeout, "tcp connect timeout");
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return failed(Transfer::NetworkError, errnoText("tcp connect", err));
  }

  std::vector<std::uint8_t> frame(query.size() + 2);
  frame[0] = static_cast<std::uint8_t>(query.size() >> 8);
  frame[1] = static_cast<std::uint8_t>(query.size() & 0xff);
  std::copy(query.begin(), query.end(), frame.begin() + 2);
  if (auto e = tcpTransfer(sock.get(), frame.data(), frame.size(), true, deadline);
      e.kind != Transfer::Response)
    return e;

  std::uint8_t prefix[2];
  if (auto e = tcpTransfer(sock.get(), prefix, sizeof(prefix), false, deadline);
      e.kind != Transfer::Response)
    return e;
  std::vector<std::uint8_t> reply(static_cast<std::size_t>((prefix[0] << 8) | prefix[1]));
  if (auto e = tcpTransfer(sock.get(), reply.data(), reply.size(), false, deadline);
      e.kind != Transfer::Response)
    return e;

  Exchange e;
  std::string detail;
  if (checkReply(reply.data(), reply.size(), q, e.packet, detail) != Verdict::Ok)
    return failed(Transfer::Malformed, "tcp " + detail);
  e.kind = Transfer::Response;
  return e;
}

// The outcome of one attempt at one server.
struct Attempt {
  const NameserverAddress* server = nullptr;
  Transfer kind = Transfer::Timeout;
  DnsAnswer answer;  // Transfer::Response only
  std::string detail;
};

DnsAnswer bareAnswer(const std::string& qname, std::uint16_t qtype, DnsStatus status) {
  DnsAnswer a;
  a.qname = qname;
  a.qtype = qtype;
  a.status = status;
  return a;
}

// One question of a batch while it is being asked.
struct Pending {
  std::string qname;
  std::uint16_t type = 0;
  LdnsRdfPtr dname;
  std::vector<Attempt> attempts;    // every attempt that gave no usable answer
  std::optional<DnsAnswer> result;  // the first usable answer
};

// The wire form of a query for (name, type) with `id`; EDNS0 with `edns_udp_size` unless it is 0.
std::optional<std::vector<std::uint8_t>> encodeQuery(const ldns_rdf* name, std::uint16_t type,
                                                     std::uint16_t id, bool recursion_desired,
                                                     std::uint16_t edns_udp_size, bool dnssec_ok) {
  LdnsPktPtr pkt(ldns_pkt_query_new(ldns_rdf_clone(name), static_cast<ldns_rr_type>(type),
                                    LDNS_RR_CLASS_IN, recursion_desired ? LDNS_RD : 0));
  LdnsBufferPtr wire(ldns_buffer_new(LDNS_MIN_BUFLEN));
  if (!pkt || !wire) return std::nullopt;
  ldns_pkt_set_id(pkt.get(), id);
  if (edns_udp_size > 0) {
    ldns_pkt_set_edns_udp_size(pkt.get(), edns_udp_size);
    ldns_pkt_set_edns_do(pkt.get(), dnssec_ok);
  }
  if (ldns_pkt2buffer_wire(wire.get(), pkt.get()) != LDNS_STATUS_OK) return std::nullopt;
  const std::uint8_t* begin = ldns_buffer_begin(wire.get());
  return std::vector<std::uint8_t>(begin, begin + ldns_buffer_position(wire.get()));
}

// Asks `server` every question of `asking` at once over UDP, then over TCP the ones that came
// back truncated; each question gets either its usable answer or one more failed attempt.
void askServer(const NameserverAddress& server, const std::vector<Pending*>& asking,
               const LdnsResolverOptions& options, std::mt19937& random) {
  const auto address = toSocketAddress(server);  // checked in the constructor
  std::uniform_int_distribution<unsigned> idDistribution(0, 0xffff);
  auto encode = [&](const Pending& p, std::uint16_t id) {
    return encodeQuery(p.dname.get(), p.type, id, options.recursion_desired, options.edns_udp_size,
                       options.dnssec_ok);
  };

  std::vector<UdpFlight> flights(asking.size());
  for (std::size_t i = 0; i < asking.size(); ++i) {
    flights[i].question = {asking[i]->dname.get(), asking[i]->type,
                           static_cast<std::uint16_t>(idDistribution(random))};
    if (auto bytes = encode(*asking[i], flights[i].question.id))
      flights[i].query = std::move(*bytes);
    else
      flights[i].outcome = failed(Transfer::Malformed, "cannot encode the query");
  }
  udpExchangeAll(*address, server.label(), flights, options.timeout, options.in_flight.get());

  for (std::size_t i = 0; i < asking.size(); ++i) {
    Pending& p = *asking[i];
    Exchange e = std::move(*flights[i].outcome);
    if (e.kind == Transfer::Response && ldns_pkt_tc(e.packet.get())) {
      const Question q{p.dname.get(), p.type, static_cast<std::uint16_t>(idDistribution(random))};
      if (auto bytes = encode(p, q.id))
        e = tcpExchange(*address, *bytes, q, options.timeout);
      else
        e = failed(Transfer::Malformed, "cannot encode the query");
    }
    Attempt attempt;
    attempt.server = &server;
    attempt.kind = e.kind;
    attempt.detail = e.detail;
    if (e.kind == Transfer::Response) {
      attempt.answer = answerFromPacket(e.packet.get(), p.qname, p.type);
      attempt.answer.server = server.label();
      if (!attempt.answer.isError()) {
        p.result = std::move(attempt.answer);
        continue;
      }
      attempt.detail = std::string(toString(attempt.answer.status));
      if (!attempt.answer.error.empty()) attempt.detail += " (" + attempt.answer.error + ")";
    }
    p.attempts.push_back(std::move(attempt));
  }
}

// No usable answer: prefer what a server said over what the network did (see the header).
DnsAnswer chooseFailure(const Pending& p) {
  const Attempt* chosen = nullptr;
  for (Transfer kind :
       {Transfer::Response, Transfer::Malformed, Transfer::Timeout, Transfer::NetworkError}) {
    for (const auto& a : p.attempts)
      if (a.kind == kind) chosen = &a;  // the last of its kind
    if (chosen) break;
  }
  DnsAnswer result;
  switch (chosen->kind) {
    case Transfer::Response:
      result = chosen->answer;
      break;
    case Transfer::Malformed:
      result = bareAnswer(p.qname, p.type, DnsStatus::OtherError);
      break;
    case Transfer::Timeout:
      result = bareAnswer(p.qname, p.type, DnsStatus::Timeout);
      break;
    case Transfer::NetworkError:
      result = bareAnswer(p.qname, p.type, DnsStatus::NetworkError);
      break;
  }
  result.server = chosen->server->label();
  std::string detail;
  for (const auto& a : p.attempts) {
    if (!detail.empty()) detail += "; ";
    detail += a.server->label() + " " + a.detail;
  }
  result.error = detail;
  return result;
}

}  // namespace

std::string NameserverAddress::label() const {
  return address + "#" + std::to_string(port);
}

std::optional<NameserverAddress> parseNameserver(std::string_view text) {
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' && rest.front() != '#') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else if (const auto hash = text.find('#'); hash != std::string_view::npos) {
    host = text.substr(0, hash);
    port = text.substr(hash + 1);
    if (port.empty()) return std::nullopt;
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  }

  NameserverAddress out;
  out.address = std::string(host);
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, out.address.c_str(), &v4) != 1 &&
      ::inet_pton(AF_INET6, out.address.c_str(), &v6) != 1)
    return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

LdnsResolver::LdnsResolver(LdnsResolverOptions options) : options_(std::move(options)) {
  if (options_.nameservers.empty()) {
    ldns_resolver* raw = nullptr;
    const ldns_status st = ldns_resolver_new_frm_file(&raw, options_.resolv_conf.c_str());
    LdnsResolverPtr conf(raw);
    if (st != LDNS_STATUS_OK || !conf)
      throw std::runtime_error("cannot read nameservers from " + options_.resolv_conf + ": " +
                               ldns_get_errorstr_by_id(st));
    ldns_rdf** list = ldns_resolver_nameservers(conf.get());
    for (std::size_t i = 0; i < ldns_resolver_nameserver_count(conf.get()); ++i) {
      NameserverAddress ns;
      ns.address = ownedString(ldns_rdf2str(list[i]));
      ns.port = ldns_resolver_port(conf.get());
      options_.nameservers.push_back(std::move(ns));
    }
    if (options_.nameservers.empty())
      throw std::runtime_error("no nameserver in " + options_.resolv_conf);
  }
  for (const auto& ns : options_.nameservers)
    if (!toSocketAddress(ns))
      throw std::invalid_argument("nameserver is not an IP address: " + ns.address);
  options_.retries = std::max(0, options_.retries);
  options_.timeout = std::max(options_.timeout, std::chrono::milliseconds(1));
  options_.edns_udp_size = std::max(options_.edns_udp_size, kMinUdpSize);

  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  random_.seed(seed);
}

DnsAnswer LdnsResolver::query(std::string_view name, std::uint16_t type) {
  const DnsQuestion question{std::string(name), type};
  return std::move(queryMany({&question, 1}).front());
}

std::vector<DnsAnswer> LdnsResolver::queryMany(std::span<const DnsQuestion> questions) {
  const auto started = Clock::now();
  std::vector<DnsAnswer> answers(questions.size());
  std::vector<Pending> pending(questions.size());
  for (std::size_t i = 0; i < questions.size(); ++i) {
    Pending& p = pending[i];
    p.qname = normaliseName(questions[i].name);
    p.type = questions[i].type;
    if (isValidDnsName(p.qname)) {
      const std::string absolute = p.qname == "." ? p.qname : p.qname + ".";
      p.dname.reset(ldns_dname_new_frm_str(absolute.c_str()));
    }
    if (!p.dname) {
      p.result = bareAnswer(p.qname, p.type, DnsStatus::InvalidName);
      p.result->error = "not a valid DNS name";
    }
  }

  // Same order as for a single query: per round, each server in turn, for every question that
  // has no usable answer yet; all those questions are in flight together.
  for (int round = 0; round <= options_.retries; ++round) {
    for (const auto& server : options_.nameservers) {
      std::vector<Pending*> asking;
      for (auto& p : pending)
        if (!p.result) asking.push_back(&p);
      if (asking.empty()) break;
      askServer(server, asking, options_, random_);
    }
  }

  for (std::size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    answers[i] = p.result ? std::move(*p.result) : chooseFailure(p);
    if (auto logger = dnsLogger(); logger->should_log(spdlog::level::debug)) {
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      logger->debug("query done name={} type={} status={} server={} failed_attempts={} ms={}",
                    p.qname, typeName(p.type), toString(answers[i].status), answers[i].server,
                    p.attempts.size(), ms);
    }
  }
  return answers;
}

ExchangeResult exchangeOnce(const NameserverAddress& server, std::string_view name,
                            std::uint16_t type, const ExchangeOptions& options) {
  ExchangeResult result;
  result.answer = bareAnswer(normaliseName(name), type, DnsStatus::NetworkError);
  result.answer.server = server.label();
  const auto address = toSocketAddress(server);
  const std::string absolute = result.answer.qname == "." ? "." : result.answer.qname + ".";
  LdnsRdfPtr dname(isValidDnsName(result.answer.qname) ? ldns_dname_new_frm_str(absolute.c_str())
                                                       : nullptr);
  if (!address || !dname) {
    result.answer.status = DnsStatus::InvalidName;
    result.answer.error = !address ? "not an IP address" : "not a valid DNS name";
    return result;
  }
  std::random_device device;
  const Question q{dname.get(), type, static_cast<std::uint16_t>(device() & 0xffff)};
  auto wire = encodeQuery(dname.get(), type, q.id, options.recursion_desired,
                          options.edns ? std::max(options.edns_udp_size, kMinUdpSize) : 0,
                          options.dnssec_ok);
  if (!wire) {
    result.answer.status = DnsStatus::OtherError;
    result.answer.error = "cannot encode the query";
    return result;
  }
  Exchange e;
  if (options.tcp) {
    e = tcpExchange(*address, *wire, q, options.timeout);
  } else {
    std::vector<UdpFlight> flight(1);
    flight[0].question = q;
    flight[0].query = std::move(*wire);
    udpExchangeAll(*address, server.label(), flight, options.timeout, nullptr);
    e = std::move(*flight[0].outcome);
  }
  if (e.kind != Transfer::Response) {
    result.answer.status = e.kind == Transfer::Timeout     ? DnsStatus::Timeout
                           : e.kind == Transfer::Malformed ? DnsStatus::OtherError
                                                           : DnsStatus::NetworkError;
    result.answer.error = e.detail;
    return result;
  }
  result.responded = true;
  result.truncated = ldns_pkt_tc(e.packet.get());
  result.edns = ldns_pkt_edns(e.packet.get());
  result.size = ldns_pkt_size(e.packet.get());
  result.answer = answerFromPacket(e.packet.get(), result.answer.qname, type);
  result.answer.server = server.label();
  return result;
}

}  // namespace mh::dns
