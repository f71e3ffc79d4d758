// Hello-only probes on a connected socket: send one ClientHello, read and parse the reply.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "checks/tls/client_hello.hpp"
#include "checks/tls/server_hello.hpp"

namespace mh::tls {

// How the exchange ended on the socket. Only Answered carries a server verdict in `hello`.
enum class ProbeStatus : std::uint8_t {
  Answered,      // the reply parsed to Accepted, Rejected, NotTls or Malformed
  Closed,        // EOF before a complete answer (many servers close on an unknown version)
  Reset,         // ECONNRESET / EPIPE before a complete answer
  Timeout,       // no complete answer within the timeout
  NetworkError,  // any other socket error (see `error`)
};

std::string_view toString(ProbeStatus status);

struct HelloProbeResult {
  ProbeStatus status = ProbeStatus::NetworkError;
  ProtocolVersion requested = ProtocolVersion::Tls12;
  ServerHello hello;  // the parse of every byte received (Incomplete unless Answered)
  // The server accepted exactly what was asked: a ServerHello for the requested version (an
  // SSLv2 SERVER-HELLO for SSLv2) choosing one of the offered suites (one SSLv2 cipher kind).
  bool accepted = false;
  std::size_t bytesSent = 0;
  std::size_t bytesReceived = 0;
  std::chrono::milliseconds elapsed{0};
  std::string error;  // errno text for NetworkError/Reset
};

// Sends the ClientHello of `spec` on `fd` (borrowed: neither closed nor left modified; it may be
// blocking or not) and reads until the reply parses, EOF, an error, or `timeout` for the whole
// exchange. Never throws for network outcomes. The socket is unusable afterwards: the caller
// closes it and opens a fresh connection for the next probe.
HelloProbeResult probeHello(int fd, const ClientHelloSpec& spec, std::chrono::milliseconds timeout);

// Does the server accept `version`? Offers every suite the version can use (suitesFor()).
HelloProbeResult probeProtocol(int fd, ProtocolVersion version, std::string_view sni,
                               std::chrono::milliseconds timeout);

// Does the server accept one of `suites` with `version`? The chosen one is hello.cipherSuite; to
// learn the server's preference order, probe again without the chosen suite.
HelloProbeResult probeSuites(int fd, ProtocolVersion version, std::span<const std::uint16_t> suites,
                             std::string_view sni, std::chrono::milliseconds timeout);

}  // namespace mh::tls
