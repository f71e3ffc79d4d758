// The bench's SMTP + HTTPS server for the --smtp lab: every MX address and the MTA-STS policy host
// of the generated lab, served from inside the bench process by a few epoll threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/lab_generator.hpp"
#include "bench/lab_pki.hpp"

namespace mh::bench {

struct LabServerOptions {
  unsigned threads = 2;                    // epoll threads; each serves a share of the addresses
  std::chrono::seconds idle_timeout{120};  // a connection silent this long is closed
};

struct LabServerStats {
  std::uint64_t smtp_connections = 0;  // accepted on an MX address
  std::uint64_t smtp_addresses = 0;    // distinct MX addresses that got at least one connection
  std::uint64_t starttls = 0;          // STARTTLS answered 220
  std::uint64_t smtp_handshakes = 0;   // TLS handshakes completed after STARTTLS
  // Handshakes begun after STARTTLS but not completed: refused versions and suites, the hand-built
  // hellos of the enumeration (the client closes after the server's answer).
  std::uint64_t smtp_handshakes_unfinished = 0;
  std::uint64_t busy_greetings = 0;  // 421 greetings
  std::uint64_t quits = 0;           // QUIT answered 221 (plain or over TLS)
  std::uint64_t https_connections = 0;
  std::uint64_t https_handshakes = 0;
  std::uint64_t policies_served = 0;  // 200 with a policy
  std::uint64_t policies_not_found = 0;
  std::uint64_t rejected_peers = 0;  // not from 127.0.0.0/8 (closed at once)
  std::uint64_t idle_closed = 0;     // closed by the idle timeout
  std::uint64_t certificates_minted = 0;
  double smtp_connection_seconds = 0;  // the lifetimes of SMTP connections, summed
  double https_connection_seconds = 0;
  double cpu_seconds = 0;  // CPU time of the server threads
};

// Binds one listener per served (address, port): the SMTP port on every MX address of the lab
// except the NoListener ones (a connection there is refused by the kernel, as on a host where
// nothing listens), and the HTTPS port on the lab's policy host address. Everything is in
// 127.0.0.0/8, so only this machine can connect; a peer outside 127.0.0.0/8 is closed anyway.
// What happens on a connection is picked from its destination address (getsockname): the
// SmtpBehaviour of that MX address. Certificates come from `pki`, chosen by the SNI the client
// sent (the MX host name for the prober, mta-sts.<domain> for the policy fetch).
//
// SMTP: greeting, EHLO/HELO, STARTTLS, QUIT, NOOP, RSET; anything else (MAIL, RCPT, DATA) 502.
// A Silent address accepts and never says anything (idle_timeout closes what the client leaves).
// HTTPS: one GET per connection, /.well-known/mta-sts.txt with Host mta-sts.<domain>: the policy
// as text/plain, or 404.
// The constructor throws std::runtime_error when it cannot bind or OpenSSL fails.
class SmtpLabServer {
 public:
  SmtpLabServer(const LabTransport& transport, LabPki& pki, LabServerOptions options = {});
  ~SmtpLabServer();
  SmtpLabServer(const SmtpLabServer&) = delete;
  SmtpLabServer& operator=(const SmtpLabServer&) = delete;

  std::uint16_t smtpPort() const;
  std::uint16_t httpsPort() const;
  std::size_t listeners() const;
  LabServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mh::bench
