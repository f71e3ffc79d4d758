// Test helpers: the lab PKI (a throw-away CA and certificates made with the openssl CLI at test
// time) and a scripted SMTP server on loopback with a real OpenSSL TLS side.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mh::tls::testing {

inline constexpr const char* kMxHost = "mx1.example.test";

// The lab CA and server certificates, made once per test binary. Each leaf `<name>.pem` has its
// key in `<name>.key`:
//   server     EC P-256 for kMxHost, issued by the lab CA, valid 2 days
//   selfsigned EC P-256 for kMxHost, self-signed
//   wrongname  EC P-256 for other.example.test, issued by the lab CA
//   wildcard   EC P-256 for *.example.test, issued by the lab CA
//   rsa1024    RSA 1024 for kMxHost, issued by the lab CA
//   rsa2048    RSA 2048 for kMxHost, issued by the lab CA
//   sha1       EC P-256 for kMxHost, issued by the lab CA with an ecdsa-with-SHA1 signature
struct LabPki {
  std::filesystem::path dir;
  std::string ca_file;
  std::string cert_file;  // server.pem
  std::string key_file;   // server.key
  bool ok = false;

  std::string pem(std::string_view name) const {
    return (dir / (std::string(name) + ".pem")).string();
  }
  std::string key(std::string_view name) const {
    return (dir / (std::string(name) + ".key")).string();
  }

  ~LabPki() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

inline LabPki& labPki() {
  static LabPki pki = [] {
    LabPki p;
    char tmpl[] = "/tmp/mh-tlslab-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return p;
    p.dir = tmpl;
    const std::string d = p.dir.string();
    p.ca_file = d + "/ca.pem";
    p.cert_file = d + "/server.pem";
    p.key_file = d + "/server.key";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string ecKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
    // leaf <name> <key options> <DNS name> [extra x509 options]; /bin/sh syntax.
    const std::string leaf =
        "leaf() { printf 'subjectAltName=DNS:%s\\nbasicConstraints=CA:FALSE\\n"
        "extendedKeyUsage=serverAuth\\n' \"$3\" > $1.cnf &&"
        " openssl req $2 -nodes -keyout $1.key -out $1.csr -subj \"/CN=$3\" &&"
        " openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $1.pem"
        " -days 2 -extfile $1.cnf $4; }; ";
    const std::string host = kMxHost;
    const std::string cmd =
        "(cd " + d + " && " + leaf + "openssl req -x509" + ec +
        "-keyout ca.key -out ca.pem -days 2 -subj '/CN=mailhygiene test CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign" +
        " && leaf server '" + ecKey + "' " + host + " && leaf wrongname '" + ecKey +
        "' other.example.test && leaf wildcard '" + ecKey +
        "' '*.example.test' && leaf rsa1024 '-newkey rsa:1024' " + host +
        " && leaf rsa2048 '-newkey rsa:2048' " + host + " && leaf sha1 '" + ecKey + "' " + host +
        " -sha1 && openssl req -x509" + ec + "-keyout selfsigned.key -out selfsigned.pem -days 2" +
        " -subj '/CN=" + host + "' -addext subjectAltName=DNS:" + host + ") >/dev/null 2>&1";
    p.ok = std::system(cmd.c_str()) == 0;
    return p;
  }();
  return pki;
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// The TLS side of a scripted server.
struct ServerTls {
  std::string cert_file;  // empty: the lab's server.pem / server.key
  std::string key_file;
  int min_version = 0;  // TLS1_VERSION ... ; 0 = OpenSSL's default
  int max_version = 0;
  std::string cipher_list;         // e.g. "DEFAULT:@SECLEVEL=0" for TLS 1.0/1.1
  bool server_preference = false;  // SSL_OP_CIPHER_SERVER_PREFERENCE
};

// One accepted connection of the scripted server: blocking I/O with a receive timeout so that a
// broken test cannot hang, plain or TLS.
class ServerConn {
 public:
  ServerConn(int fd, SSL_CTX* ctx, std::vector<std::string>& log, std::mutex& mu)
      : fd_(fd), ctx_(ctx), log_(log), mu_(mu) {
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~ServerConn() {
    ssl_.reset();
    ::close(fd_);
  }
  ServerConn(const ServerConn&) = delete;
  ServerConn& operator=(const ServerConn&) = delete;

  void send(std::string_view data) {
    if (ssl_)
      SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
    else
      ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  }
  // Each line in its own write, with a pause between them (as aiosmtpd does).
  void sendLines(const std::vector<std::string>& lines,
                 std::chrono::milliseconds pause = std::chrono::milliseconds(15)) {
    for (const auto& l : lines) {
      send(l + "\r\n");
      std::this_thread::sleep_for(pause);
    }
  }
  // One command line without CRLF, recorded in the server's log; nullopt on close or timeout.
  std::optional<std::string> readLine() {
    std::string line;
    char c = 0;
    while (true) {
      const long n = ssl_ ? SSL_read(ssl_.get(), &c, 1) : ::recv(fd_, &c, 1, 0);
      if (n <= 0) return std::nullopt;
      if (c == '\n') break;
      if (c != '\r') line.push_back(c);
    }
    const std::lock_guard lock(mu_);
    log_.push_back(line);
    return line;
  }
  bool startTls(int min_version = 0) {
    ssl_.reset(SSL_new(ctx_));
    SSL_set_fd(ssl_.get(), fd_);
    if (min_version != 0) SSL_set_min_proto_version(ssl_.get(), min_version);
    if (SSL_accept(ssl_.get()) != 1) return false;
    if (const char* sni = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name)) sni_ = sni;
    return true;
  }
  // Holds the connection open until the client goes away (or `limit`).
  void waitForClose(std::chrono::milliseconds limit = std::chrono::seconds(8)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    char c;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0 && ::recv(fd_, &c, 1, MSG_DONTWAIT) == 0) return;
    }
  }
  int fd() const { return fd_; }
  SSL_CTX* ctx() const { return ctx_; }
  const std::string& sni() const { return sni_; }

 private:
  int fd_;
  SSL_CTX* ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  std::vector<std::string>& log_;
  std::mutex& mu_;
  std::string sni_;
};

// A scripted SMTP server on 127.0.0.1:0 (or another loopback address, or ::1): every accepted
// connection runs `script`, one connection at a time.
class ScriptedServer {
 public:
  using Script = std::function<void(ServerConn&)>;

  explicit ScriptedServer(Script script, const char* address = "127.0.0.1")
      : ScriptedServer(std::move(script), ServerTls{}, address) {}

  ScriptedServer(Script script, const ServerTls& tls, const char* address = "127.0.0.1",
                 std::uint16_t port = 0)
      : script_(std::move(script)) {
    const auto& pki = labPki();
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    if (!tls.cipher_list.empty()) SSL_CTX_set_cipher_list(ctx_.get(), tls.cipher_list.c_str());
    if (tls.min_version != 0) SSL_CTX_set_min_proto_version(ctx_.get(), tls.min_version);
    if (tls.max_version != 0) SSL_CTX_set_max_proto_version(ctx_.get(), tls.max_version);
    if (tls.server_preference) SSL_CTX_set_options(ctx_.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    const std::string cert = tls.cert_file.empty() ? pki.cert_file : tls.cert_file;
    const std::string key = tls.key_file.empty() ? pki.key_file : tls.key_file;
    SSL_CTX_use_certificate_chain_file(ctx_.get(), cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_.get(), key.c_str(), SSL_FILETYPE_PEM);

    sockaddr_storage ss{};
    socklen_t len = 0;
    if (std::string_view(address).find(':') != std::string_view::npos) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      ::inet_pton(AF_INET6, address, &a->sin6_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      ::inet_pton(AF_INET, address, &a->sin_addr);
      len = sizeof *a;
    }
    listen_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (listen_ >= 0) ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listen_ < 0 || ::bind(listen_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        ::listen(listen_, 8) != 0)
      return;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_ >= 0) ::close(listen_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  bool ok() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  std::vector<std::string> commands() const {
    const std::lock_guard lock(mu_);
    return log_;
  }
  std::string sni() const {
    const std::lock_guard lock(mu_);
    return sni_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      ServerConn conn(fd, ctx_.get(), log_, mu_);
      script_(conn);
      const std::lock_guard lock(mu_);
      if (!conn.sni().empty()) sni_ = conn.sni();
    }
  }

  Script script_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  int listen_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mu_;
  std::vector<std::string> log_;
  std::string sni_;
};

inline const std::vector<std::string> kGreeting = {"220-mx1.example.test ESMTP",
                                                   "220 welcome, a multi-line greeting"};
inline const std::vector<std::string> kEhloWithStartTls = {
    "250-mx1.example.test", "250-PIPELINING", "250-SIZE 10240000",
    "250-STARTTLS",         "250-AUTH",       "250 8BITMIME"};

// A well-behaved server: multi-line replies line by line, STARTTLS, TLS, 221 to QUIT.
inline void goodServer(ServerConn& c, int min_tls = 0,
                       std::chrono::milliseconds pause = std::chrono::milliseconds(15)) {
  c.sendLines(kGreeting, pause);
  if (!c.readLine()) return;  // EHLO
  c.sendLines(kEhloWithStartTls, pause);
  if (!c.readLine()) return;  // STARTTLS
  c.send("220 2.0.0 Ready to start TLS\r\n");
  if (!c.startTls(min_tls)) return;
  if (auto q = c.readLine(); q && *q == "QUIT") c.send("221 2.0.0 Bye\r\n");
}

}  // namespace mh::tls::testing

namespace mh::tls::testing {
// goodServer with 1 ms between reply lines, for tests that make many connections.
inline void quickServer(ServerConn& c) {
  goodServer(c, 0, std::chrono::milliseconds(1));
}
}  // namespace mh::tls::testing
