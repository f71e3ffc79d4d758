// The HTTP front: an acceptor thread that waits for each connection's first request without a
// thread, the connection loop on Poco's thread pool, and the watchdog of the per-request deadlines.
//
// Why not Poco's HTTPServer: its timeouts apply to each read, so a client that drips one header
// line every few seconds holds a thread for as long as it likes; its queue drops connections
// without an answer when full; and a request body that the handler did not read is parsed as the
// next request of a keep-alive connection (request smuggling behind a reusing proxy). Here:
// - the acceptor thread accepts and watches the new connections itself (edge-triggered epoll, so
//   a connection is looked at again only when new bytes arrive; never blocking):
//   a connection is handed to a thread (Poco's TCPServerDispatcher) only once its first request
//   head, and its body when it has a Content-Length or is chunked and small, are in the socket
//   buffer (seen with MSG_PEEK, nothing consumed). A slow client costs a descriptor, not a
//   thread. Past request_deadline_seconds it is answered 408 and closed;
// - at accept, a client address with max_connections_per_client open connections is answered
//   429 + Retry-After, and more than max_waiting_heads connections still sending their first
//   request 503 + Retry-After; when max_threads + max_queued connections are already with the
//   threads, a complete request is answered 503 + Retry-After (all by the acceptor, without
//   blocking, then closed);
// - on a thread, a watchdog holds one wall-clock deadline per connection: reading a further
//   request of a keep-alive connection must end within request_deadline_seconds (from its first
//   byte); past it the socket's reads are shut down (the blocked read returns at once), the
//   client gets 408 and the connection is closed, and two seconds later the whole socket is shut
//   down if the 408 could not be written. Handling and writing a response have their own deadline
//   (response_deadline_seconds: a client that does not read). When three quarters of the threads
//   are taken, answers close their connection instead of keeping it alive;
// - the body of every request is read in full (at most max_body_bytes; 413 and close beyond)
//   before the router sees it, whatever the route, so the next request always starts where
//   this one ended; ambiguous framing (Content-Length twice, or with Transfer-Encoding, or a
//   transfer coding other than chunked) is refused with 400 and the connection closed.
#include "service/http/http_front.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/String.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "service/http/audit_jobs.hpp"

namespace mh::service::http {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerRequestImpl;
using Poco::Net::HTTPServerResponseImpl;
using Poco::Net::StreamSocket;

constexpr auto kCutGrace = std::chrono::seconds(2);
constexpr std::size_t kDrainOnRefusal = 16 * 1024;
constexpr std::size_t kMaxHeadBytes = 16 * 1024;  // a longer head is handed on (and refused)

// A complete response written by the front itself (no router, no handler): the accept filter's
// 503/429 and the 400/408 of a request head that could not be read.
std::string rawResponse(int status, std::string_view reason, std::string_view code,
                        std::string_view message, int retry_after) {
  const std::string body = std::string(R"({"error":{"code":")") + std::string(code) +
                           R"(","message":")" + std::string(message) + "\"}}";
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  head += "Content-Type: application/json; charset=utf-8\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  head += "Connection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  if (retry_after > 0) head += "Retry-After: " + std::to_string(retry_after) + "\r\n";
  return head + "\r\n" + body;
}

// Writes `text` without ever blocking (a refused or cut-off client may not read): what does not
// fit in the socket buffer is lost, which a small error answer never is in practice.
void sendWithoutBlocking(int fd, const std::string& text) {
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
}

// Reads and drops what a refused client has sent (at most `limit` bytes); false when it closed.
bool drain(int fd, std::size_t limit) {
  char buffer[4096];
  for (std::size_t drained = 0; drained < limit;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    drained += static_cast<std::size_t>(n);
  }
  return true;
}

enum class Body { Complete, TooLarge, BadFraming, Incomplete };

std::size_t headerCount(const HTTPServerRequest& request, const std::string& name) {
  std::size_t n = 0;
  for (const auto& [key, value] : request)
    if (Poco::icompare(key, name) == 0) ++n;
  return n;
}

// Reads the whole body of a request (RFC 9112 §6.3: Content-Length, or chunked, or none).
Body readBody(HTTPServerRequest& request, HTTPServerResponseImpl& response, std::size_t max,
              std::string& body) {
  const std::size_t lengths = headerCount(request, "Content-Length");
  const bool coded = request.has("Transfer-Encoding");
  const bool chunked = request.getChunkedTransferEncoding();
  if (lengths > 1 || (lengths == 1 && coded) || (coded && !chunked)) return Body::BadFraming;
  if (!chunked && lengths == 0) return Body::Complete;  // no body (not "read until close")
  Poco::Int64 expected = -1;
  if (lengths == 1) {
    try {
      expected = request.getContentLength64();
    } catch (const Poco::Exception&) {
      return Body::BadFraming;
    }
    if (expected < 0) return Body::BadFraming;
    if (expected > static_cast<Poco::Int64>(max)) return Body::TooLarge;
    if (expected == 0) return Body::Complete;
  }
  if (request.getExpectContinue()) response.sendContinue();
  try {
    std::istream& in = request.stream();
    char buffer[1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (body.size() > max) return Body::TooLarge;
    }
    if (in.bad()) return Body::Incomplete;
  } catch (const Poco::Exception&) {
    return Body::Incomplete;
  } catch (const std::ios_base::failure&) {
    return Body::Incomplete;
  }
  if (expected >= 0 && static_cast<Poco::Int64>(body.size()) != expected) return Body::Incomplete;
  return Body::Complete;
}

// Unregisters the connection from the front before its socket is closed (declared after the
// session, so destroyed before it): the watchdog never shuts down a reused descriptor.
class Registration {
 public:
  Registration(HttpFront& front, int fd) : front_(front), id_(front.enter(fd)) {}
  ~Registration() { front_.leave(id_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  std::uint64_t id() const { return id_; }

 private:
  HttpFront& front_;
  std::uint64_t id_;
};

class FrontConnection final : public Poco::Net::TCPServerConnection {
 public:
  FrontConnection(const StreamSocket& socket, HttpFront& front)
      : TCPServerConnection(socket), front_(front) {}

  void run() override {
    const FrontLimits& limits = front_.limits();
    const auto requestBudget = std::chrono::seconds(limits.request_deadline_seconds);
    const auto responseBudget = std::chrono::seconds(limits.response_deadline_seconds);
    Poco::Net::HTTPServerSession session(socket(), front_.params());
    Registration registration(front_, socket().impl()->sockfd());
    const auto id = registration.id();
    front_.arm(id, requestBudget, true);  // the first request: from the connection's start
    bool first = true;
    try {
      while (!front_.stopping()) {
        if (!first) front_.disarm(id);  // the keep-alive wait has its own bound
        if (!session.hasMoreRequests()) break;
        if (!first) front_.arm(id, requestBudget, true);
        first = false;
        if (!serveOne(session, id, responseBudget)) break;
      }
    } catch (const std::exception& e) {
      httpLogger()->debug("connection ended what=\"{}\"", e.what());
    }
  }

 private:
  // One request; false when the connection must end.
  bool serveOne(Poco::Net::HTTPServerSession& session, std::uint64_t id,
                std::chrono::seconds responseBudget) {
    const int fd = socket().impl()->sockfd();
    std::optional<HTTPServerResponseImpl> response;
    std::optional<HTTPServerRequestImpl> request;
    try {
      response.emplace(session);
      request.emplace(*response, session, front_.params().get());
    } catch (const Poco::Net::NoMessageException&) {
      if (front_.cutOff(id))
        sendWithoutBlocking(
            fd, rawResponse(408, "Request Timeout", "timeout", "request not received in time", 0));
      return false;
    } catch (const Poco::Exception&) {
      if (front_.cutOff(id)) {
        sendWithoutBlocking(
            fd, rawResponse(408, "Request Timeout", "timeout", "request not received in time", 0));
      } else {
        sendWithoutBlocking(
            fd, rawResponse(400, "Bad Request", "bad_request", "malformed request head", 0));
      }
      return false;
    }
    response->setDate(Poco::Timestamp());
    response->setVersion(request->getVersion());
    const auto& params = *front_.params();
    response->setKeepAlive(params.getKeepAlive() && request->getKeepAlive() &&
                           session.canKeepAlive() && !front_.underPressure());

    std::string body;
    const Body read = readBody(*request, *response, front_.limits().max_body_bytes, body);
    const bool cut = front_.cutOff(id);
    front_.arm(id, responseBudget, false);
    RequestSink& sink = front_.sink();
    if (cut || read == Body::Incomplete) {
      if (cut) sink.refuse(*request, *response, 408, "timeout", "request not received in time");
      return false;
    }
    if (read == Body::TooLarge) {
      sink.refuse(*request, *response, 413, "body_too_large", "request body too large");
      return false;
    }
    if (read == Body::BadFraming) {
      sink.refuse(*request, *response, 400, "bad_framing",
                  "give one Content-Length or Transfer-Encoding: chunked, not both");
      return false;
    }
    sink.serve(*request, *response, body);
    front_.disarm(id);
    session.setKeepAlive(params.getKeepAlive() && response->getKeepAlive() &&
                         session.canKeepAlive());
    return session.getKeepAlive();
  }

  HttpFront& front_;
};

class FrontConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit FrontConnectionFactory(HttpFront& front) : front_(front) {}
  Poco::Net::TCPServerConnection* createConnection(const StreamSocket& socket) override {
    return new FrontConnection(socket, front_);
  }

 private:
  HttpFront& front_;
};

}  // namespace

HttpFront::HttpFront(Poco::Net::ServerSocket socket, FrontLimits limits, TrustedProxies proxies,
                     RequestSink& sink)
    : socket_(std::move(socket)),
      limits_(limits),
      proxies_(std::move(proxies)),
      sink_(sink),
      params_(new Poco::Net::HTTPServerParams),
      pool_(2, limits.max_threads + 2) {
  params_->setMaxThreads(limits_.max_threads);
  // Poco's own queue never refuses: dispatch() keeps it below this bound, and answers instead.
  params_->setMaxQueued(limits_.max_threads + limits_.max_queued + 1);
  params_->setTimeout(Poco::Timespan(limits_.timeout_seconds, 0));
  params_->setKeepAlive(true);
  params_->setKeepAliveTimeout(Poco::Timespan(limits_.keep_alive_seconds, 0));
  params_->setMaxKeepAliveRequests(100);
  params_->setServerName("mailhygiene");
  params_->setSoftwareVersion("");
  dispatcher_ =
      new Poco::Net::TCPServerDispatcher(new FrontConnectionFactory(*this), pool_, params_);
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
}

HttpFront::~HttpFront() {
  stop();
  dispatcher_->release();
  ::close(epoll_);
}

void HttpFront::start() {
  socket_.setBlocking(false);
  watchdog_ = std::thread([this] { watch(); });
  acceptor_ = std::thread([this] { acceptLoop(); });
  started_ = true;
}

void HttpFront::stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  if (started_) {
    acceptor_.join();  // it closes the connections still waiting for their first request
    dispatcher_->stop();
    {
      // Idle keep-alive connections and requests still being read end now; the answers being
      // written are finished.
      std::lock_guard lock(mutex_);
      for (auto& [id, e] : live_)
        if (!e.deadline || e.request_phase) ::shutdown(e.fd, SHUT_RD);
    }
    pool_.joinAll();
  }
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void HttpFront::acceptLoop() {
  epoll_event listen{};
  listen.events = EPOLLIN;
  listen.data.fd = socket_.impl()->sockfd();
  epoll_ctl(epoll_, EPOLL_CTL_ADD, listen.data.fd, &listen);
  std::vector<epoll_event> events(256);
  while (!stopping_.load()) {
    const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == listen.data.fd) {
        acceptNew();
      } else if (closing_.count(events[i].data.fd)) {
        drainClosing(events[i].data.fd);
      } else {
        examine(events[i].data.fd, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      }
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto it = closing_.begin(); it != closing_.end();) {
      if (now < it->second.until) {
        ++it;
        continue;
      }
      epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
      it = closing_.erase(it);
    }
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (now < it->second.deadline) {
        ++it;
        continue;
      }
      counters_.request_deadline++;
      epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
      refuse(it->second.socket,
             rawResponse(408, "Request Timeout", "timeout", "request not received in time", 0));
      {
        std::lock_guard lock(mutex_);
        forget(it->second.peer);
      }
      it = waiting_.erase(it);
    }
  }
  closing_.clear();
  std::lock_guard lock(mutex_);
  for (const auto& [fd, w] : waiting_) forget(w.peer);
  waiting_.clear();
}

void HttpFront::refuse(const StreamSocket& socket, const std::string& answer) {
  const int fd = socket.impl()->sockfd();
  if (!drain(fd, kDrainOnRefusal)) return;  // gone already
  sendWithoutBlocking(fd, answer);
  if (closing_.size() >= static_cast<std::size_t>(limits_.max_waiting_heads)) return;
  closing_.emplace(fd, Closing{socket, std::chrono::steady_clock::now() + kCutGrace});
  epoll_event e{};
  e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  e.data.fd = fd;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e);
}

void HttpFront::drainClosing(int fd) {
  if (drain(fd, kDrainOnRefusal)) return;  // not closed yet (or a flood: dropped at `until`)
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  closing_.erase(fd);
}

void HttpFront::examine(int fd, bool hung_up) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  Head head = headState(fd);
  if (head == Head::Waiting && hung_up) head = Head::Closed;  // it can no longer complete
  if (head == Head::Waiting) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  if (head == Head::Complete) {
    dispatch(it->second);
  } else {
    std::lock_guard lock(mutex_);
    forget(it->second.peer);
  }
  waiting_.erase(it);
}

void HttpFront::acceptNew() {
  for (int i = 0; i < 256; ++i) {  // what the backlog holds now, a bounded number at a time
    StreamSocket socket;
    std::string peer;
    try {
      socket = socket_.acceptConnection();
      peer = socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
      return;  // nothing more to accept (EAGAIN), or the client already left
    }
    peer = canonicalAddress(peer).value_or(peer);
    const int fd = socket.impl()->sockfd();
    int status = 0;
    {
      std::lock_guard lock(mutex_);
      if (waiting_.size() >= static_cast<std::size_t>(limits_.max_waiting_heads)) {
        status = 503;
      } else if (!proxies_.contains(peer) &&
                 per_client_[peer] >= limits_.max_connections_per_client) {
        status = 429;
      } else {
        ++per_client_[peer];
      }
    }
    if (status == 503) {
      counters_.refused_waiting_heads++;
      refuse(socket, rawResponse(503, "Service Unavailable", "busy",
                                 "too many connections waiting; retry later", 2));
      continue;
    }
    if (status == 429) {
      counters_.refused_per_client++;
      refuse(socket, rawResponse(429, "Too Many Requests", "too_many_connections",
                                 "too many open connections from this address", 1));
      continue;
    }
    socket.setNoDelay(true);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(limits_.request_deadline_seconds);
    waiting_.emplace(fd, Waiting{socket, fd, peer, deadline});
    epoll_event e{};
    e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    e.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e);  // bytes already there are reported at once
  }
}

HttpFront::Head HttpFront::headState(int fd) const {
  std::string buffer(kMaxHeadBytes + limits_.max_body_bytes + 64, '\0');
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return Head::Closed;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? Head::Waiting : Head::Closed;
  buffer.resize(static_cast<std::size_t>(n));
  const auto end = buffer.find("\r\n\r\n");
  if (end == std::string::npos)  // a head too long for Poco is handed on and refused there
    return buffer.size() >= kMaxHeadBytes ? Head::Complete : Head::Waiting;
  // The body: only what decides whether it has arrived; the thread parses the real framing.
  std::string head = Poco::toLower(buffer.substr(0, end + 2));
  const auto bodyStart = end + 4;
  if (head.find("\ntransfer-encoding:") != std::string::npos) {
    const bool ended = buffer.find("0\r\n\r\n", bodyStart) != std::string::npos;
    return ended || buffer.size() >= bodyStart + limits_.max_body_bytes ? Head::Complete
                                                                        : Head::Waiting;
  }
  const auto cl = head.find("\ncontent-length:");
  if (cl == std::string::npos) return Head::Complete;
  const auto value = head.substr(cl + 16, head.find('\r', cl + 1) - cl - 16);
  std::size_t length = 0;
  try {
    length = std::stoul(value);
  } catch (const std::exception&) {
    return Head::Complete;  // malformed: refused on the thread
  }
  if (length > limits_.max_body_bytes) return Head::Complete;  // 413 on the thread
  return buffer.size() >= bodyStart + length ? Head::Complete : Head::Waiting;
}

void HttpFront::dispatch(Waiting& w) {
  {
    std::lock_guard lock(mutex_);
    if (dispatched_ < limits_.max_threads + limits_.max_queued) {
      ++dispatched_;
      accepted_[w.fd] = w.peer;
      dispatcher_->enqueue(w.socket);
      return;
    }
    forget(w.peer);
  }
  counters_.refused_queue_full++;
  refuse(w.socket, rawResponse(503, "Service Unavailable", "busy",
                               "too many requests waiting; retry later", 2));
}

void HttpFront::forget(const std::string& peer) {
  if (auto c = per_client_.find(peer); c != per_client_.end() && --c->second <= 0)
    per_client_.erase(c);
}

bool HttpFront::underPressure() {
  std::lock_guard lock(mutex_);
  return dispatched_ * 4 >= limits_.max_threads * 3;
}

std::uint64_t HttpFront::enter(int fd) {
  std::lock_guard lock(mutex_);
  Entry e;
  e.fd = fd;
  if (auto it = accepted_.find(fd); it != accepted_.end()) {
    e.peer = it->second;
    accepted_.erase(it);
  }
  const auto id = next_id_++;
  live_.emplace(id, std::move(e));
  return id;
}

void HttpFront::leave(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(id);
  if (it == live_.end()) return;
  if (!it->second.peer.empty()) {
    --dispatched_;
    forget(it->second.peer);
  }
  live_.erase(it);
}

void HttpFront::arm(std::uint64_t id, std::chrono::seconds budget, bool request_phase) {
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(id);
    if (it == live_.end() || it->second.cut) return;
    it->second.deadline = std::chrono::steady_clock::now() + budget;
    it->second.request_phase = request_phase;
  }
  wake_.notify_all();
}

void HttpFront::disarm(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = live_.find(id); it != live_.end() && !it->second.cut) it->second.deadline.reset();
}

bool HttpFront::cutOff(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(id);
  return it != live_.end() && it->second.cut;
}

void HttpFront::watch() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    const auto now = std::chrono::steady_clock::now();
    for (auto& [id, e] : live_) {
      if (!e.deadline || *e.deadline > now) continue;
      if (e.request_phase && !e.cut) {
        ::shutdown(e.fd, SHUT_RD);  // the blocked read returns; the 408 can still be written
        e.cut = true;
        e.deadline = now + kCutGrace;
        counters_.request_deadline++;
      } else {
        ::shutdown(e.fd, SHUT_RDWR);
        if (!e.request_phase) counters_.response_deadline++;
        e.deadline.reset();
      }
    }
  }
}

std::string HttpFront::metricsText() const {
  auto line = [](const char* reason, std::uint64_t n) {
    return std::string("mailhygiene_http_connections_refused_total{reason=\"") + reason + "\"} " +
           std::to_string(n) + "\n";
  };
  std::string out =
      "# HELP mailhygiene_http_connections_refused_total Connections answered and closed at "
      "accept.\n# TYPE mailhygiene_http_connections_refused_total counter\n";
  out += line("queue_full", counters_.refused_queue_full.load());
  out += line("waiting_heads", counters_.refused_waiting_heads.load());
  out += line("per_client", counters_.refused_per_client.load());
  out +=
      "# HELP mailhygiene_http_deadline_cutoffs_total Connections cut off at a deadline.\n"
      "# TYPE mailhygiene_http_deadline_cutoffs_total counter\n";
  out += "mailhygiene_http_deadline_cutoffs_total{phase=\"request\"} " +
         std::to_string(counters_.request_deadline.load()) + "\n";
  out += "mailhygiene_http_deadline_cutoffs_total{phase=\"response\"} " +
         std::to_string(counters_.response_deadline.load()) + "\n";
  return out;
}

}  // namespace mh::service::http
