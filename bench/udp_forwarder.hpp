// A UDP DNS forwarder between the audit and knotd: adds latency each way and black-holes dead
// domains.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace mh::bench {

struct ForwarderOptions {
  std::uint16_t upstream_port = 0;          // knotd on 127.0.0.1
  std::chrono::microseconds delay{0};       // added to each direction (query and response)
  std::string drop_label_prefix = "dead-";  // queries with a label starting so are dropped
  // Queries sent to knotd and not yet answered, at most; the rest wait in the forwarder, as a
  // recursive resolver queues its clients' queries. knotd reads one socket with the kernel's
  // default receive buffer (about 160 queries on loopback): a burst beyond it is dropped by the
  // kernel and costs the audit a whole timeout, a loss no tuned resolver would cause. 0: no cap.
  std::size_t max_outstanding = 128;
  // The receive buffer of the socket the audit asks (bytes, the kernel doubles it); 0: 8 MiB. A
  // small one stands for a DNS server that a burst of queries overruns (the kernel drops what
  // does not fit, counted in ForwarderStats::overruns).
  int listen_rcvbuf = 0;
};

struct ForwarderStats {
  std::uint64_t queries = 0;     // received from the audit
  std::uint64_t dropped = 0;     // never forwarded (dead domains)
  std::uint64_t forwarded = 0;   // sent to knotd: the upstream queries of the run
  std::uint64_t answers = 0;     // relayed back
  std::uint64_t truncated = 0;   // answers with TC set (the audit would retry over TCP, unserved)
  std::uint64_t unanswered = 0;  // sent to knotd, no answer within a second (lost)
  double cpu_seconds = 0;        // CPU time of the forwarder thread
  std::uint64_t overruns = 0;    // queries the kernel dropped at the audit-facing socket (full)
};

// One thread, non-blocking sockets, FIFO delay queues (the delay is constant, so release times
// are in arrival order and packets in flight never wait for each other). Query IDs are rewritten
// towards knotd so that any number of clients can share the one upstream socket.
class UdpForwarder {
 public:
  explicit UdpForwarder(ForwarderOptions options);
  ~UdpForwarder();
  UdpForwarder(const UdpForwarder&) = delete;
  UdpForwarder& operator=(const UdpForwarder&) = delete;

  std::uint16_t port() const { return port_; }
  ForwarderStats stats() const;

 private:
  void run();

  ForwarderOptions options_;
  int listen_ = -1;
  int upstream_ = -1;
  int wake_ = -1;  // eventfd: stop
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> queries_{0}, dropped_{0}, forwarded_{0}, answers_{0}, truncated_{0},
      unanswered_{0}, overruns_{0};
  std::atomic<double> cpu_{0};
  std::thread thread_;
};

}  // namespace mh::bench
