// The bench's SMTP + HTTPS lab server: non-blocking sockets and OpenSSL over epoll threads.
#include "bench/smtp_lab_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench/knot_server.hpp"
#include "checks/tls/openssl_ptr.hpp"

namespace mh::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxInput = 64 * 1024;  // a request or line longer than this is dropped
constexpr int kBacklog = 1024;

using tls::SslCtxPtr;
using tls::SslPtr;

double threadCpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::uint32_t parseIpv4(const std::string& address) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1)
    throw std::runtime_error("lab server: not an IPv4 address: " + address);
  return a.s_addr;  // network order
}

bool isLoopback(std::uint32_t networkOrder) {
  return (ntohl(networkOrder) >> 24) == 127;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

CertKind certKindOf(SmtpBehaviour b) {
  switch (b) {
    case SmtpBehaviour::Expired:
      return CertKind::Expired;
    case SmtpBehaviour::SelfSigned:
      return CertKind::SelfSigned;
    case SmtpBehaviour::WrongName:
      return CertKind::WrongName;
    default:
      return CertKind::Valid;
  }
}

// What epoll's data.ptr points at.
struct Handle {
  enum class Type { Listener, Connection, Wake } type;
};

struct Endpoint {
  std::string host;
  SmtpBehaviour behaviour = SmtpBehaviour::Modern;
  LeafKey key = LeafKey::Rsa2048;
};

struct Listener : Handle {
  int fd = -1;
  bool https = false;
};

struct Connection : Handle {
  int fd = -1;
  bool https = false;
  const Endpoint* endpoint = nullptr;  // SMTP
  SslPtr ssl;
  enum class Phase { Plain, Handshake, Secure } phase = Phase::Plain;
  bool closing = false;           // close once `out` is written
  bool starttls_pending = false;  // start the handshake once `out` is written
  std::string in, out;
  Clock::time_point started, last;
  std::uint32_t interest = 0;
};

}  // namespace

struct SmtpLabServer::Impl {
  LabPki& pki;
  LabServerOptions options;
  std::unordered_map<std::uint32_t, Endpoint> endpoints;  // by MX address (network order)
  std::unordered_map<std::string, std::string> policies;  // "mta-sts.<domain>" -> body
  std::uint32_t https_address = 0;
  std::uint16_t smtp_port = 0, https_port = 0;
  SslCtxPtr modern, legacy, https;
  std::vector<std::unique_ptr<Listener>> listeners;

  struct Worker {
    int epoll = -1;
    Handle wake_handle{Handle::Type::Wake};
    int wake = -1;
    std::thread thread;
    std::atomic<double> cpu{0};
    std::atomic<std::uint64_t> addresses{0};
  };
  std::vector<std::unique_ptr<Worker>> workers;

  std::atomic<std::uint64_t> smtp_connections{0}, starttls{0}, smtp_handshakes{0},
      smtp_unfinished{0}, busy{0}, quits{0}, https_connections{0}, https_handshakes{0}, served{0},
      not_found{0}, rejected{0}, idle_closed{0}, smtp_micros{0}, https_micros{0};

  Impl(const LabTransport& transport, LabPki& p, LabServerOptions o) : pki(p), options(o) {
    for (const auto& h : transport.smtp_hosts)
      endpoints[parseIpv4(h.address)] =
          Endpoint{h.host, h.behaviour, h.ecdsa ? LeafKey::EcdsaP256 : LeafKey::Rsa2048};
    policies = transport.policies;
    https_address = parseIpv4(transport.https_address);
    modern = context(false, false);
    legacy = context(true, false);
    https = context(false, true);
    bindAll();
    const unsigned n = std::max(1u, options.threads);
    for (unsigned t = 0; t < n; ++t) {
      auto w = std::make_unique<Worker>();
      w->epoll = ::epoll_create1(EPOLL_CLOEXEC);
      w->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (w->epoll < 0 || w->wake < 0) throw std::runtime_error("lab server: epoll/eventfd");
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = &w->wake_handle;
      ::epoll_ctl(w->epoll, EPOLL_CTL_ADD, w->wake, &ev);
      workers.push_back(std::move(w));
    }
    // Each listener belongs to one worker: an address's connections stay on one thread.
    for (std::size_t i = 0; i < listeners.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = listeners[i].get();
      ::epoll_ctl(workers[i % workers.size()]->epoll, EPOLL_CTL_ADD, listeners[i]->fd, &ev);
    }
    for (auto& w : workers) w->thread = std::thread([this, worker = w.get()] { run(*worker); });
  }

  ~Impl() {
    for (auto& w : workers) {
      const std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(w->wake, &one, sizeof one);
    }
    for (auto& w : workers) {
      if (w->thread.joinable()) w->thread.join();
      ::close(w->epoll);
      ::close(w->wake);
    }
    for (auto& l : listeners) ::close(l->fd);
  }

  SslCtxPtr context(bool legacyVersions, bool forHttps) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw std::runtime_error("lab server: SSL_CTX_new");
    SSL_CTX* c = ctx.get();
    // No server-side session cache (it would grow with every handshake of the run); TLS 1.3
    // session tickets are sent as Postfix and web servers send them (stateless, nothing kept).
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    bool ok = true;
    if (legacyVersions) {
      // An old Zimbra/Exchange: TLS 1.0 and 1.1 on, OpenSSL's whole DEFAULT list (CBC-SHA1 and
      // static-RSA suites included); SHA-1 handshakes need security level 0.
      ok = SSL_CTX_set_min_proto_version(c, TLS1_VERSION) == 1 &&
           SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0") == 1;
    } else {
      // A well-configured server: TLS 1.2 and 1.3, ECDHE with AEAD suites only.
      ok = SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1 &&
           SSL_CTX_set_cipher_list(c, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1;
    }
    if (!ok) throw std::runtime_error("lab server: TLS settings");
    SSL_CTX_set_cert_cb(c, forHttps ? &httpsCertificate : &smtpCertificate, this);
    return ctx;
  }

  // The certificate of an SMTP connection: by its MX address's behaviour, for the SNI name.
  static int smtpCertificate(SSL* ssl, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    auto* c = static_cast<Connection*>(SSL_get_app_data(ssl));
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    const std::string name = sni ? lower(sni) : c->endpoint->host;
    return self->useCertificate(ssl, certKindOf(c->endpoint->behaviour), c->endpoint->key, name);
  }

  // The certificate of a policy host: valid, for mta-sts.<domain> as asked.
  static int httpsCertificate(SSL* ssl, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    return self->useCertificate(ssl, CertKind::Valid, LeafKey::Rsa2048,
                                sni ? lower(sni) : std::string("mta-sts.lab.test"));
  }

  int useCertificate(SSL* ssl, CertKind kind, LeafKey key, const std::string& name) {
    try {
      const X509Ptr cert = pki.certificate(kind, key, name);
      return SSL_use_certificate(ssl, cert.get()) == 1 && SSL_use_PrivateKey(ssl, pki.key(key)) == 1
                 ? 1
                 : 0;
    } catch (const std::exception&) {
      return 0;
    }
  }

  void bindAll() {
    for (int attempt = 0; attempt < 10; ++attempt) {
      smtp_port = freeLoopbackPort();
      https_port = freeLoopbackPort();
      if (smtp_port == https_port) continue;
      std::vector<std::unique_ptr<Listener>> bound;
      bool ok = true;
      for (const auto& [address, endpoint] : endpoints) {
        if (endpoint.behaviour == SmtpBehaviour::NoListener) continue;
        auto l = listen(address, smtp_port, false);
        if (!l) {
          ok = false;
          break;
        }
        bound.push_back(std::move(l));
      }
      if (ok) {
        if (auto l = listen(https_address, https_port, true))
          bound.push_back(std::move(l));
        else
          ok = false;
      }
      if (ok) {
        listeners = std::move(bound);
        return;
      }
      for (auto& l : bound) ::close(l->fd);
    }
    throw std::runtime_error("lab server: no port free on every lab address");
  }

  std::unique_ptr<Listener> listen(std::uint32_t address, std::uint16_t port, bool forHttps) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      throw std::runtime_error(std::string("lab server: socket: ") + strerror(errno) +
                               " (one listener per MX address: raise ulimit -n)");
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = address;
    sin.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 ||
        ::listen(fd, kBacklog) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EADDRINUSE) return nullptr;  // the port is taken there: try another one
      char text[INET_ADDRSTRLEN] = "";
      ::inet_ntop(AF_INET, &address, text, sizeof text);
      throw std::runtime_error(std::string("lab server: cannot listen on ") + text + ":" +
                               std::to_string(port) + ": " + strerror(error));
    }
    auto l = std::make_unique<Listener>();
    l->type = Handle::Type::Listener;
    l->fd = fd;
    l->https = forHttps;
    return l;
  }

  // ---- one worker thread ------------------------------------------------------------------

  void run(Worker& w) {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);  // OpenSSL writes with write(2)
    std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;
    std::unordered_set<std::uint32_t> seen;  // destination addresses served by this worker
    auto lastSweep = Clock::now();
    epoll_event events[64];
    for (;;) {
      const int n = ::epoll_wait(w.epoll, events, 64, 1000);
      const auto now = Clock::now();
      for (int i = 0; i < n; ++i) {
        auto* h = static_cast<Handle*>(events[i].data.ptr);
        if (h->type == Handle::Type::Wake) {
          for (auto& [c, owned] : connections) finish(*c);
          w.cpu.store(threadCpu());
          return;
        }
        if (h->type == Handle::Type::Listener) {
          acceptAll(w, *static_cast<Listener*>(h), connections, seen, now);
          continue;
        }
        auto* c = static_cast<Connection*>(h);
        if (connections.find(c) == connections.end()) continue;  // closed earlier in this batch
        c->last = now;
        if (!drive(*c)) {
          finish(*c);
          connections.erase(c);
        } else {
          watch(w, *c);
        }
      }
      if (now - lastSweep > std::chrono::seconds(1)) {
        lastSweep = now;
        for (auto it = connections.begin(); it != connections.end();) {
          if (now - it->first->last > options.idle_timeout) {
            ++idle_closed;
            finish(*it->first);
            it = connections.erase(it);
          } else {
            ++it;
          }
        }
      }
      w.cpu.store(threadCpu());
    }
  }

  void acceptAll(Worker& w, Listener& l,
                 std::unordered_map<Connection*, std::unique_ptr<Connection>>& connections,
                 std::unordered_set<std::uint32_t>& seen, Clock::time_point now) {
    for (;;) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      const int fd =
          ::accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or an error the next event retries
      sockaddr_in local{};
      socklen_t localLen = sizeof local;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen);
      if (peer.sin_family != AF_INET || !isLoopback(peer.sin_addr.s_addr)) {
        ++rejected;
        ::close(fd);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Connection>();
      c->type = Handle::Type::Connection;
      c->fd = fd;
      c->https = l.https;
      c->started = c->last = now;
      if (l.https) {
        ++https_connections;
        startTls(*c);
      } else {
        // The behaviour comes from the address the client connected to.
        const auto it = endpoints.find(local.sin_addr.s_addr);
        if (it == endpoints.end()) {
          ::close(fd);
          continue;
        }
        ++smtp_connections;
        if (seen.insert(local.sin_addr.s_addr).second) w.addresses.store(seen.size());
        c->endpoint = &it->second;
        if (c->endpoint->behaviour == SmtpBehaviour::Silent) {
          // Nothing is ever sent; what the client sends is read and ignored until it gives up.
        } else if (c->endpoint->behaviour == SmtpBehaviour::Busy) {
          ++busy;
          c->out = "421 4.7.0 " + c->endpoint->host + " Too many connections, try again later\r\n";
        } else {
          c->out = "220 " + c->endpoint->host + " ESMTP lab\r\n";
        }
      }
      Connection* raw = c.get();
      connections.emplace(raw, std::move(c));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.ptr = raw;
      raw->interest = ev.events;
      ::epoll_ctl(w.epoll, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void watch(Worker& w, Connection& c) {
    epoll_event ev{};
    ev.events = c.interest;
    ev.data.ptr = &c;
    ::epoll_ctl(w.epoll, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void startTls(Connection& c) {
    c.ssl.reset(SSL_new(c.https                                             ? https.get()
                        : c.endpoint->behaviour == SmtpBehaviour::LegacyTls ? legacy.get()
                                                                            : modern.get()));
    SSL_set_fd(c.ssl.get(), c.fd);
    SSL_set_app_data(c.ssl.get(), &c);
    SSL_set_accept_state(c.ssl.get());
    c.phase = Connection::Phase::Handshake;
    c.in.clear();  // RFC 3207 §4.2: nothing received before the handshake is kept
  }

  void finish(Connection& c) {
    if (c.phase == Connection::Phase::Handshake && !c.https) ++smtp_unfinished;
    if (c.ssl && c.phase == Connection::Phase::Secure) SSL_shutdown(c.ssl.get());
    c.ssl.reset();
    ::close(c.fd);
    const auto micros = std::uint64_t(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.started).count());
    (c.https ? https_micros : smtp_micros) += micros;
    ERR_clear_error();
  }

  // Moves the connection as far as it can go without blocking; false when it is to be closed.
  bool drive(Connection& c) {
    char buf[16 * 1024];
    for (;;) {
      if (c.phase == Connection::Phase::Handshake) {
        const int rc = SSL_do_handshake(c.ssl.get());
        if (rc == 1) {
          ++(c.https ? https_handshakes : smtp_handshakes);
          c.phase = Connection::Phase::Secure;
          continue;
        }
        const int err = SSL_get_error(c.ssl.get(), rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          c.interest = err == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
          return true;
        }
        return false;
      }
      while (!c.out.empty()) {
        const bool secure = c.phase == Connection::Phase::Secure;
        const long n = secure ? SSL_write(c.ssl.get(), c.out.data(), int(c.out.size()))
                              : ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n > 0) {
          c.out.erase(0, std::size_t(n));
          continue;
        }
        if (secure) {
          const int err = SSL_get_error(c.ssl.get(), int(n));
          if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            c.interest = err == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
            return true;
          }
          return false;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          c.interest = EPOLLOUT;
          return true;
        }
        return false;
      }
      if (c.closing) return false;
      if (c.starttls_pending) {
        c.starttls_pending = false;
        startTls(c);
        continue;
      }
      long n = 0;
      if (c.phase == Connection::Phase::Secure) {
        n = SSL_read(c.ssl.get(), buf, sizeof buf);
        if (n <= 0) {
          const int err = SSL_get_error(c.ssl.get(), int(n));
          if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            c.interest = err == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
            return true;
          }
          return false;
        }
      } else {
        n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          c.interest = EPOLLIN;
          return true;
        }
        if (n <= 0) return false;
      }
      c.in.append(buf, std::size_t(n));
      if (c.in.size() > kMaxInput) return false;
      if (c.https)
        httpRequest(c);
      else
        smtpCommands(c);
    }
  }

  void smtpCommands(Connection& c) {
    const Endpoint& e = *c.endpoint;
    const bool secure = c.phase == Connection::Phase::Secure;
    std::size_t eol;
    while (!c.closing && !c.starttls_pending && (eol = c.in.find('\n')) != std::string::npos) {
      std::string line = c.in.substr(0, eol);
      c.in.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string verb = upper(line.substr(0, line.find(' ')));
      if (e.behaviour == SmtpBehaviour::Silent) {
        continue;
      } else if (e.behaviour == SmtpBehaviour::Busy) {
        c.out += verb == "QUIT" ? "221 2.0.0 Bye\r\n" : "421 4.7.0 Try again later\r\n";
        quits += verb == "QUIT";
        c.closing = true;
      } else if (verb == "EHLO") {
        c.out += "250-" + e.host + "\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n";
        if (!secure && e.behaviour != SmtpBehaviour::NoStartTls) c.out += "250-STARTTLS\r\n";
        c.out += "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n";
      } else if (verb == "HELO") {
        c.out += "250 " + e.host + "\r\n";
      } else if (verb == "STARTTLS" && !secure && e.behaviour != SmtpBehaviour::NoStartTls) {
        c.out += "220 2.0.0 Ready to start TLS\r\n";
        ++starttls;
        c.starttls_pending = true;
      } else if (verb == "QUIT") {
        c.out += "221 2.0.0 Bye\r\n";
        ++quits;
        c.closing = true;
      } else if (verb == "NOOP" || verb == "RSET") {
        c.out += "250 2.0.0 Ok\r\n";
      } else if (verb == "STARTTLS") {
        c.out += secure ? "503 5.5.1 TLS already active\r\n" : "502 5.5.1 Not implemented\r\n";
      } else {
        c.out += "502 5.5.1 Not implemented in the lab\r\n";
      }
    }
  }

  void httpRequest(Connection& c) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    const std::string head = c.in.substr(0, end);
    c.in.clear();
    std::string host;
    std::size_t pos = head.find("\r\n");
    const std::string requestLine = head.substr(0, pos);
    while (pos != std::string::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string field = head.substr(pos + 2, next - pos - 2);
      if (lower(field.substr(0, 5)) == "host:") {
        host = lower(field.substr(5));
        host.erase(0, host.find_first_not_of(" \t"));
        host = host.substr(0, host.find(':'));
      }
      pos = next;
    }
    const auto it = policies.find(host);
    if (requestLine.rfind("GET /.well-known/mta-sts.txt ", 0) == 0 && it != policies.end()) {
      ++served;
      c.out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
              std::to_string(it->second.size()) + "\r\nConnection: close\r\n\r\n" + it->second;
    } else {
      ++not_found;
      const std::string body = "not found\n";
      c.out = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    c.closing = true;
  }
};

SmtpLabServer::SmtpLabServer(const LabTransport& transport, LabPki& pki, LabServerOptions options)
    : impl_(std::make_unique<Impl>(transport, pki, options)) {}

SmtpLabServer::~SmtpLabServer() = default;

std::uint16_t SmtpLabServer::smtpPort() const {
  return impl_->smtp_port;
}
std::uint16_t SmtpLabServer::httpsPort() const {
  return impl_->https_port;
}
std::size_t SmtpLabServer::listeners() const {
  return impl_->listeners.size();
}

LabServerStats SmtpLabServer::stats() const {
  const Impl& i = *impl_;
  LabServerStats s;
  s.smtp_connections = i.smtp_connections;
  for (const auto& w : i.workers) {
    s.smtp_addresses += w->addresses.load();
    s.cpu_seconds += w->cpu.load();
  }
  s.starttls = i.starttls;
  s.smtp_handshakes = i.smtp_handshakes;
  s.smtp_handshakes_unfinished = i.smtp_unfinished;
  s.busy_greetings = i.busy;
  s.quits = i.quits;
  s.https_connections = i.https_connections;
  s.https_handshakes = i.https_handshakes;
  s.policies_served = i.served;
  s.policies_not_found = i.not_found;
  s.rejected_peers = i.rejected;
  s.idle_closed = i.idle_closed;
  s.certificates_minted = i.pki.minted();
  s.smtp_connection_seconds = double(i.smtp_micros.load()) / 1e6;
  s.https_connection_seconds = double(i.https_micros.load()) / 1e6;
  return s;
}

}  // namespace mh::bench
