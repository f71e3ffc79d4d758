// The HTTP front of `mailhygiene serve`: Poco's TCPServer with our own connection loop, so that no
// client can hold the service (deadlines per request, connections per address, a bounded queue,
// request bodies always consumed before the next request is read).
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "service/http/client_address.hpp"

namespace mh::service::http {

struct FrontLimits {
  int max_threads = 16;                // connections served at once (one thread each)
  int max_queued = 64;                 // accepted connections waiting for a thread (503 beyond)
  int max_connections_per_client = 8;  // open connections per client address (429 beyond)
  int request_deadline_seconds = 10;   // whole request head and body, from the first byte asked
  int response_deadline_seconds = 60;  // the handler and the whole response written
  int keep_alive_seconds = 5;          // idle wait for the next request of a connection
  int timeout_seconds = 10;            // each socket read or write (Poco's own timeout)
  std::size_t max_body_bytes = 4096;   // larger request bodies are refused (413, closed)
  int max_waiting_heads = 1024;        // connections still sending their first request (503)
};

// Where the front hands the requests it has read in full.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // A request whose head and body were read within the deadline; `body` holds the whole body.
  virtual void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const std::string& body) = 0;
  // A request the front answers itself (bad framing, body too large, deadline): the router
  // writes the JSON error; the connection is closed after it.
  virtual void refuse(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response, int status, std::string_view code,
                      std::string_view message) = 0;
};

// Counters of the front for /metrics.
struct FrontCounters {
  std::atomic<std::uint64_t> refused_queue_full{0};
  std::atomic<std::uint64_t> refused_waiting_heads{0};
  std::atomic<std::uint64_t> refused_per_client{0};
  std::atomic<std::uint64_t> request_deadline{0};
  std::atomic<std::uint64_t> response_deadline{0};
};

class HttpFront {
 public:
  // `socket` is bound and listening; `proxies` are exempt from the per-address cap (their
  // clients are told apart by X-Forwarded-For, in the router).
  HttpFront(Poco::Net::ServerSocket socket, FrontLimits limits, TrustedProxies proxies,
            RequestSink& sink);
  ~HttpFront();  // stop()
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  void start();
  // Stops accepting, lets the requests being answered finish, cuts idle and half-read ones and
  // waits for every connection thread. Idempotent.
  void stop();

  std::uint16_t port() const { return socket_.address().port(); }
  std::string metricsText() const;

  // Used by the connection loop (http_front.cpp).
  std::uint64_t enter(int fd);   // a connection handed to a thread runs
  void leave(std::uint64_t id);  // ... and ends, before its fd is closed
  // True when most threads are taken: answers then close their connection (no keep-alive).
  bool underPressure();
  void arm(std::uint64_t id, std::chrono::seconds budget, bool request_phase);
  void disarm(std::uint64_t id);
  bool cutOff(std::uint64_t id);  // the request deadline passed: reads were shut down
  bool stopping() const { return stopping_.load(); }
  const FrontLimits& limits() const { return limits_; }
  RequestSink& sink() { return sink_; }
  Poco::Net::HTTPServerParams::Ptr params() const { return params_; }
  FrontCounters& counters() { return counters_; }

 private:
  // A connection accepted whose first request is not complete yet: no thread waits for it.
  struct Waiting {
    Poco::Net::StreamSocket socket;
    int fd = -1;
    std::string peer;
    std::chrono::steady_clock::time_point deadline;
  };
  enum class Head { Waiting, Complete, Closed };
  Head headState(int fd) const;
  void acceptLoop();
  void acceptNew();
  void dispatch(Waiting& w);
  void examine(int fd, bool hung_up);    // new bytes (or the end) on a waiting connection
  void forget(const std::string& peer);  // a connection of peer ended (mutex_ held)
  // Answers a refused connection from the acceptor and closes it gracefully: what the client
  // sends meanwhile is read and dropped for up to two seconds (a close with unread bytes would
  // reset the connection and could destroy the answer before the client reads it).
  void refuse(const Poco::Net::StreamSocket& socket, const std::string& answer);
  void drainClosing(int fd);

  struct Entry {
    int fd = -1;
    std::string peer;  // the key of per_client_
    std::optional<std::chrono::steady_clock::time_point> deadline;
    bool request_phase = false;
    bool cut = false;  // reads shut down at the request deadline; the whole socket at +grace
  };
  void watch();

  Poco::Net::ServerSocket socket_;
  FrontLimits limits_;
  TrustedProxies proxies_;
  RequestSink& sink_;
  Poco::Net::HTTPServerParams::Ptr params_;
  FrontCounters counters_;
  Poco::ThreadPool pool_;
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;  // reference-counted by Poco
  std::thread acceptor_;
  std::map<int, Waiting> waiting_;  // by descriptor; the acceptor thread's only
  int epoll_ = -1;                  // the acceptor's: the listening socket, waiting_, closing_
  struct Closing {
    Poco::Net::StreamSocket socket;
    std::chrono::steady_clock::time_point until;
  };
  std::map<int, Closing> closing_;  // answered, half-closed, until the client closes

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::map<std::uint64_t, Entry> live_;    // connections being served, by id
  std::map<std::string, int> per_client_;  // open connections per peer address
  std::map<int, std::string> accepted_;    // dispatched, not yet running: fd -> peer
  int dispatched_ = 0;                     // connections given to the threads (or queued)
  std::uint64_t next_id_ = 1;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
  bool quit_ = false;  // the watchdog's end
  std::thread watchdog_;
};

}  // namespace mh::service::http
