// The real-MTA lab: a private Postfix master on loopback ports, started and stopped by the test.
#include "tests/lab/postfix_lab.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/lab/lab_certificates.hpp"
#include "tests/lab/run_program.hpp"

namespace mh::lab {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 5;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// Postfix's daemon directory (Debian: /usr/lib/postfix/sbin), from postconf; empty when Postfix is
// not installed.
std::string daemonDirectory() {
  if (!programExists("postconf")) return "";
  const auto run =
      runProgram({"postconf", "-d", "-h", "daemon_directory"}, std::chrono::seconds(10));
  return run.exit_status == 0 ? trim(run.out) : "";
}

// A TCP socket bound to address:port without SO_REUSEADDR; -1 when the port is taken.
int bindTcp(const std::string& address, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sin.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A port free on `address` now; master binds it a moment later (a lost race is retried).
std::uint16_t freePort(const std::string& address) {
  const int fd = bindTcp(address, 0);
  if (fd < 0) return 0;
  sockaddr_in sin{};
  socklen_t len = sizeof sin;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

// Something listens on address:port (our bind fails with EADDRINUSE).
bool portTaken(const std::string& address, std::uint16_t port) {
  const int fd = bindTcp(address, port);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == EADDRINUSE;
}

bool makeDir(const std::filesystem::path& path, mode_t mode, uid_t uid, gid_t gid) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  return !ec && ::chmod(path.c_str(), mode) == 0 && ::chown(path.c_str(), uid, gid) == 0;
}

}  // namespace

std::optional<std::string> PostfixLab::unavailableReason() {
  if (::geteuid() != 0)
    return std::string("the Postfix lab runs Postfix's master, which must start as root");
  if (daemonDirectory().empty()) return std::string("postfix is not installed (postconf missing)");
  if (::getpwnam("postfix") == nullptr || ::getgrnam("postdrop") == nullptr)
    return std::string("the postfix user or postdrop group is missing");
  return std::nullopt;
}

PostfixLab::PostfixLab(PostfixLabOptions options) : options_(std::move(options)) {
  if (auto why = unavailableReason()) throw std::runtime_error(*why);
  master_ = daemonDirectory() + "/master";
  char tmpl[] = "/tmp/mh-postfix-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);  // the postfix user walks into queue/ and data/
  try {
    prepare();
    std::string why;
    for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
      bool retry = false;
      if (tryStart(why, retry)) return;
      stop();
      if (!retry) break;
    }
    throw std::runtime_error("Postfix lab did not start: " + why + "\n--- maillog ---\n" + log());
  } catch (...) {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

PostfixLab::~PostfixLab() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

void PostfixLab::prepare() {
  const passwd* pw = ::getpwnam("postfix");
  const group* gr = ::getgrnam("postdrop");
  const uid_t postfix = pw->pw_uid;
  const gid_t postdrop = gr->gr_gid;
  // The queue folders master needs (what `postfix check` would create, minus the mail queues:
  // this instance never accepts a message).
  if (!makeDir(dir_ / "etc", 0755, 0, 0) || !makeDir(dir_ / "queue", 0755, 0, 0) ||
      !makeDir(dir_ / "queue/pid", 0755, 0, 0) ||
      !makeDir(dir_ / "queue/private", 0700, postfix, 0) ||
      !makeDir(dir_ / "queue/public", 0710, postfix, postdrop) ||
      !makeDir(dir_ / "data", 0700, postfix, 0))
    throw std::runtime_error("cannot make the Postfix folders in " + dir_.string());
}

bool PostfixLab::tryStart(std::string& why, bool& retry) {
  for (auto& l : options_.listeners) {
    if (l.port == 0) l.port = freePort(l.address);
    if (l.port == 0) {
      why = "no free port on " + l.address;
      return false;
    }
  }
  const std::string d = dir_.string();
  {
    std::ofstream main(dir_ / "etc/main.cf");
    main << "compatibility_level = 3.6\n"
         << "queue_directory = " << d << "/queue\n"
         << "data_directory = " << d << "/data\n"
         << "mail_owner = postfix\n"
         << "setgid_group = postdrop\n"
         << "myhostname = " << options_.hostname << "\n"
         << "mydestination =\n"
         << "relay_domains =\n"
         << "local_recipient_maps =\n"
         << "alias_maps =\n"
         << "alias_database =\n"
         << "inet_interfaces = loopback-only\n"
         << "inet_protocols = ipv4\n"
         << "smtpd_relay_restrictions = reject\n"
         << "smtpd_peername_lookup = no\n"
         << "maillog_file = " << d << "/maillog\n"
         << "maillog_file_prefixes = " << d << "\n"
         << "smtpd_tls_security_level = may\n"
         << "smtpd_tls_cert_file = " << options_.cert_file << "\n"
         << "smtpd_tls_key_file = " << options_.key_file << "\n"
         << "smtpd_tls_loglevel = 1\n"
         << "smtpd_tls_session_cache_database =\n"
         << "debug_peer_list = 127.0.0.0/8\n"
         << "debug_peer_level = 1\n";
    for (const auto& line : options_.main_cf) main << line << "\n";
    std::ofstream master(dir_ / "etc/master.cf");
    master << "postlog unix-dgram n - n - 1 postlogd\n"
           << "anvil unix - - n - 1 anvil\n"
           << "tlsmgr unix - - n 1000? 1 tlsmgr\n"
           << "rewrite unix - - n - - trivial-rewrite\n"
           << "proxymap unix - - n - - proxymap\n";
    for (const auto& l : options_.listeners) {
      master << l.address << ":" << l.port << " inet n - n - - smtpd\n"
             << "  -o syslog_name=postfix-" << l.name << "\n";
      for (const auto& [key, value] : l.overrides)
        master << "  -o { " << key << " = " << value << " }\n";
    }
    if (!main || !master) {
      why = "cannot write the Postfix configuration";
      return false;
    }
  }

  const std::string config = d + "/etc";
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    why = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec. master makes itself a session leader, so
    // its SIGTERM to its process group reaches only Postfix's own processes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const char* argv[] = {"master", "-c", config.c_str(), nullptr};
    ::execv(master_.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }

  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "master exited with status " + std::to_string(WEXITSTATUS(status));
      // "bind 127.0.0.1 port N: Address already in use": another process took the port.
      retry = log().find("Address already in use") != std::string::npos;
      for (auto& l : options_.listeners) l.port = 0;
      return false;
    }
    bool ready = true;
    for (const auto& l : options_.listeners) ready = ready && portTaken(l.address, l.port);
    if (ready) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  why = "timed out waiting for the smtpd listeners";
  return false;
}

void PostfixLab::stop() {
  stopChild(pid_);
}

std::uint16_t PostfixLab::port(const std::string& listener) const {
  for (const auto& l : options_.listeners)
    if (l.name == listener) return l.port;
  throw std::invalid_argument("no Postfix listener named " + listener);
}

std::string PostfixLab::log() const {
  return readFile(dir_ / "maillog");
}

std::vector<SmtpdSession> PostfixLab::sessions() const {
  return parseSmtpdSessions(log());
}

std::vector<SmtpdSession> PostfixLab::waitForSessions(const std::string& listener,
                                                      std::size_t count,
                                                      std::chrono::milliseconds limit) const {
  const auto deadline = Clock::now() + limit;
  while (true) {
    std::vector<SmtpdSession> mine;
    for (auto& s : sessions())
      if (s.listener == listener) mine.push_back(std::move(s));
    if (mine.size() >= count || Clock::now() >= deadline) return mine;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<SmtpdSession> parseSmtpdSessions(const std::string& log) {
  // "Nov 21 13:45:41 mx1 postfix-good/smtpd[30838]: < unknown[127.0.0.1]: EHLO probe.test"
  std::vector<SmtpdSession> done;
  std::map<std::string, SmtpdSession> open;  // by "tag[pid]"
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto smtpd = line.find("/smtpd[");
    if (smtpd == std::string::npos) continue;
    const auto tagStart = line.rfind(' ', smtpd) + 1;
    const auto tagEnd = line.find("]: ", smtpd);
    if (tagEnd == std::string::npos) continue;
    const std::string process = line.substr(tagStart, tagEnd + 1 - tagStart);
    std::string tag = line.substr(tagStart, smtpd - tagStart);
    if (tag.starts_with("postfix-")) tag = tag.substr(8);
    const std::string message = line.substr(tagEnd + 3);
    SmtpdSession& s = open[process];
    s.listener = tag;
    if (message.starts_with("connect from ")) {
      s = SmtpdSession{tag, {}, {}, {}};
    } else if (message.starts_with("< ")) {
      const auto colon = message.find("]: ");
      if (colon == std::string::npos) continue;
      s.client_commands.push_back(message.substr(colon + 3));
    } else if (message.starts_with("disconnect from ")) {
      s.disconnect_line = message;
      std::istringstream words(message.substr(message.find(']') + 1));
      for (std::string word; words >> word;) {
        const auto eq = word.find('=');
        if (eq != std::string::npos) s.counters[word.substr(0, eq)] = word.substr(eq + 1);
      }
      done.push_back(std::move(s));
      open.erase(process);
    }
  }
  return done;
}

PostfixLab& sharedPostfixLab() {
  static std::mutex mu;
  static std::unique_ptr<PostfixLab> lab;
  static std::string error;
  const std::lock_guard lock(mu);
  if (lab) return *lab;
  if (!error.empty()) throw std::runtime_error(error);
  std::string why;
  const auto good = issueLabCertificate({.file_name = "postfix-mx1", .host = kPostfixMxHost}, why);
  const auto wrongName =
      issueLabCertificate({.file_name = "postfix-other", .host = "other.example.test"}, why);
  const auto selfSigned = issueLabCertificate(
      {.file_name = "postfix-selfsigned", .host = kPostfixMxHost, .self_signed = true}, why);
  if (!good || !wrongName || !selfSigned) {
    error = "lab certificates: " + why;
    throw std::runtime_error(error);
  }
  PostfixLabOptions o;
  o.hostname = kPostfixMxHost;
  o.cert_file = good->cert_file;
  o.key_file = good->key_file;
  o.listeners = {
      {.name = "debian-defaults"},
      {.name = "modern",
       .overrides = {{"smtpd_tls_protocols", ">=TLSv1.2"},
                     {"smtpd_tls_ciphers", "high"},
                     {"tls_high_cipherlist", "ECDHE+AESGCM:ECDHE+CHACHA20"}}},
      {.name = "wrong-name",
       .overrides = {{"smtpd_tls_cert_file", wrongName->cert_file},
                     {"smtpd_tls_key_file", wrongName->key_file}}},
      {.name = "self-signed",
       .overrides = {{"smtpd_tls_cert_file", selfSigned->cert_file},
                     {"smtpd_tls_key_file", selfSigned->key_file}}},
      {.name = "no-tls", .overrides = {{"smtpd_tls_security_level", "none"}}},
  };
  try {
    lab = std::make_unique<PostfixLab>(o);
  } catch (const std::exception& e) {
    error = e.what();
    throw;
  }
  return *lab;
}

}  // namespace mh::lab
