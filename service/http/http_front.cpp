// The connection loop of the HTTP front, its accept filter (bounded queue, connections per
// address) and the watchdog that enforces the per-request deadlines.
//
// Why not Poco's HTTPServer: its timeouts apply to each read, so a client that drips one header
// line every few seconds holds a thread for as long as it likes; its queue drops connections
// without an answer when full; and a request body that the handler did not read is parsed as the
// next request of a keep-alive connection (request smuggling behind a reusing proxy). Here:
// - the accept filter (TCPServerConnectionFilter, run on the acceptor thread, never blocking)
//   answers 503 + Retry-After when max_threads + max_queued connections are already admitted,
//   and 429 + Retry-After when the peer already has max_connections_per_client open;
// - a watchdog thread holds one wall-clock deadline per connection: reading a request's head and
//   body must end within request_deadline_seconds (counted from when the first byte is asked
//   for); past it the socket's reads are shut down (the blocked read returns at once), the
//   client gets 408 and the connection is closed; two seconds later the whole socket is shut
//   down if the 408 could not be written. Handling and writing the response have a deadline of
//   their own (response_deadline_seconds, a client that does not read its answer);
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
#include <sys/socket.h>

#include "service/http/audit_jobs.hpp"

namespace mh::service::http {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerRequestImpl;
using Poco::Net::HTTPServerResponseImpl;
using Poco::Net::StreamSocket;

constexpr auto kCutGrace = std::chrono::seconds(2);
constexpr std::size_t kDrainOnRefusal = 16 * 1024;

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

// A refused connection: the bytes it has already sent are read (so that closing it does not
// reset the connection before the answer is read), then the answer is written.
void refuseConnection(int fd, const std::string& answer) {
  char buffer[4096];
  for (std::size_t drained = 0; drained < kDrainOnRefusal;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
  sendWithoutBlocking(fd, answer);
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
        sendWithoutBlocking(fd, rawResponse(408, "Request Timeout", "timeout",
                                            "request not received in time", 0));
      return false;
    } catch (const Poco::Exception&) {
      if (front_.cutOff(id)) {
        sendWithoutBlocking(fd, rawResponse(408, "Request Timeout", "timeout",
                                            "request not received in time", 0));
      } else {
        sendWithoutBlocking(fd, rawResponse(400, "Bad Request", "bad_request",
                                            "malformed request head", 0));
      }
      return false;
    }
    response->setDate(Poco::Timestamp());
    response->setVersion(request->getVersion());
    const auto& params = *front_.params();
    response->setKeepAlive(params.getKeepAlive() && request->getKeepAlive() &&
                           session.canKeepAlive());

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

class AcceptFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit AcceptFilter(HttpFront& front) : front_(front) {}
  bool accept(const StreamSocket& socket) override { return front_.admit(socket); }

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
  // Poco's own queue never refuses: admit() keeps it below this bound, and answers instead.
  params_->setMaxQueued(limits_.max_threads + limits_.max_queued + 1);
  params_->setTimeout(Poco::Timespan(limits_.timeout_seconds, 0));
  params_->setKeepAlive(true);
  params_->setKeepAliveTimeout(Poco::Timespan(limits_.keep_alive_seconds, 0));
  params_->setMaxKeepAliveRequests(100);
  params_->setServerName("mailhygiene");
  params_->setSoftwareVersion("");
  server_ = std::make_unique<Poco::Net::TCPServer>(new FrontConnectionFactory(*this), pool_,
                                                   socket_, params_);
  server_->setConnectionFilter(new AcceptFilter(*this));
}

HttpFront::~HttpFront() {
  stop();
}

void HttpFront::start() {
  watchdog_ = std::thread([this] { watch(); });
  server_->start();
  started_ = true;
}

void HttpFront::stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  if (started_) {
    server_->stop();
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

bool HttpFront::admit(const StreamSocket& socket) {
  const int fd = socket.impl()->sockfd();
  std::string peer;
  try {
    peer = socket.peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    return false;  // already gone
  }
  peer = canonicalAddress(peer).value_or(peer);
  int status = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_.load() || admitted_ >= limits_.max_threads + limits_.max_queued) {
      status = 503;
    } else if (!proxies_.contains(peer) &&
               per_client_[peer] >= limits_.max_connections_per_client) {
      status = 429;
    } else {
      ++admitted_;
      ++per_client_[peer];
      accepted_[fd] = peer;
      return true;
    }
  }
  if (status == 503) {
    counters_.refused_queue_full++;
    refuseConnection(fd, rawResponse(503, "Service Unavailable", "busy",
                                     "too many connections waiting; retry later", 2));
  } else {
    counters_.refused_per_client++;
    refuseConnection(fd, rawResponse(429, "Too Many Requests", "too_many_connections",
                                     "too many open connections from this address", 1));
  }
  return false;
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
    --admitted_;
    if (auto c = per_client_.find(it->second.peer); c != per_client_.end() && --c->second <= 0)
      per_client_.erase(c);
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
