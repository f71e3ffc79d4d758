// Hostile servers on loopback for the abuse tests: a TLS handshake dripped one byte at a time
// (after an SMTP STARTTLS dialogue or straight away, as an HTTPS host) and a tarpit that never
// greets. Each is a script for the scripted server of tests/checks/tls/lab_smtp_server.hpp.
#pragma once

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "tests/checks/tls/lab_smtp_server.hpp"

namespace mh::abuse {

using namespace std::chrono_literals;

// The longest a hostile script holds one connection when the client never leaves.
inline constexpr auto kHoldLimit = 30s;

// Answers the client's TLS handshake with the real server flight of the connection's context,
// but sends it one byte every `interval`, until the client closes (or kHoldLimit).
inline void dripHandshake(tls::testing::ServerConn& c, std::chrono::milliseconds interval) {
  std::unique_ptr<SSL, tls::testing::SslFree> ssl(SSL_new(c.ctx()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);  // ssl owns both
  SSL_set_accept_state(ssl.get());
  std::string pending;
  const auto end = std::chrono::steady_clock::now() + kHoldLimit;
  auto next = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) {
      char buf[4096];
      const ssize_t n = ::recv(c.fd(), buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;  // the client left
      if (n > 0) {
        BIO_write(in, buf, static_cast<int>(n));
        SSL_do_handshake(ssl.get());
      }
    }
    char flight[4096];
    int got = 0;
    while ((got = BIO_read(out, flight, sizeof flight)) > 0) pending.append(flight, got);
    if (!pending.empty() && std::chrono::steady_clock::now() >= next) {
      if (::send(c.fd(), pending.data(), 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) pending.erase(0, 1);
      next = std::chrono::steady_clock::now() + interval;
    }
  }
}

// An SMTP server that offers STARTTLS, then drips its TLS handshake.
inline tls::testing::ScriptedServer::Script smtpDrip(std::chrono::milliseconds interval) {
  return [interval](tls::testing::ServerConn& c) {
    c.sendLines({"220 mx ESMTP"}, 1ms);
    if (!c.readLine()) return;  // EHLO
    c.sendLines({"250-mx", "250-STARTTLS", "250 8BITMIME"}, 1ms);
    if (!c.readLine()) return;  // STARTTLS
    c.send("220 2.0.0 Ready to start TLS\r\n");
    dripHandshake(c, interval);
  };
}

// An HTTPS host (the MTA-STS policy host) that drips its TLS handshake.
inline tls::testing::ScriptedServer::Script httpsDrip(std::chrono::milliseconds interval) {
  return [interval](tls::testing::ServerConn& c) { dripHandshake(c, interval); };
}

// Accepts and never says a word (an SMTP tarpit: no greeting).
inline void tarpit(tls::testing::ServerConn& c) {
  c.waitForClose(kHoldLimit);
}

}  // namespace mh::abuse
