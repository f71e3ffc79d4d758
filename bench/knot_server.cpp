// A bench-local knotd: serves the generated zones on a free loopback port as an RAII child process.
#include "bench/knot_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "checks/dns/ldns_resolver.hpp"

namespace mh::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string findKnotd() {
  if (const char* e = std::getenv("MH_KNOTD")) return e;
  for (const char* c : {"/usr/sbin/knotd", "/usr/local/sbin/knotd", "/usr/bin/knotd"})
    if (::access(c, X_OK) == 0) return c;
  throw std::runtime_error("knotd not found (apt-get install knot, or set MH_KNOTD)");
}

}  // namespace

std::uint16_t freeLoopbackPort() {
  for (int i = 0; i < 20; ++i) {
    Fd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(udp.fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) continue;
    socklen_t len = sizeof sin;
    ::getsockname(udp.fd, reinterpret_cast<sockaddr*>(&sin), &len);
    Fd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::bind(tcp.fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) continue;
    return ntohs(sin.sin_port);
  }
  throw std::runtime_error("no free loopback port");
}

KnotServer::KnotServer(const std::filesystem::path& dir, const std::vector<LabZoneFile>& zones,
                       KnotServerOptions options)
    : dir_(dir) {
  const auto started = Clock::now();
  std::filesystem::create_directories(dir_ / "run");
  std::filesystem::create_directories(dir_ / "db");
  port_ = freeLoopbackPort();
  const auto conf = dir_ / "knot.conf";
  {
    std::ofstream out(conf);
    out << "server:\n    rundir: \"" << (dir_ / "run").string() << "\"\n"
        << "    listen: 127.0.0.1@" << port_ << "\n"
        << "    udp-workers: " << options.udp_workers << "\n"
        << "    tcp-workers: 1\n    background-workers: 2\n"
        << "log:\n  - target: stderr\n    any: warning\n"
        << "database:\n    storage: \"" << (dir_ / "db").string() << "\"\n"
        << "template:\n  - id: default\n    storage: \"" << dir_.string() << "\"\n"
        << "    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\n"
        << "    semantic-checks: off\n"
        << "zone:\n";
    for (const auto& z : zones)
      out << "  - domain: \"" << z.zone << "\"\n    file: \"" << z.file.string() << "\"\n";
    if (!out) throw std::runtime_error("cannot write " + conf.string());
  }
  const std::string knotd = findKnotd(), confText = conf.string(),
                    logText = (dir_ / "knotd.log").string();
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int log = ::open(logText.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    const char* argv[] = {"knotd", "-c", confText.c_str(), nullptr};
    ::execv(knotd.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }

  // Ready when every zone that should load answers its SOA with NOERROR.
  dns::LdnsResolverOptions probe;
  probe.nameservers = {{"127.0.0.1", port_}};
  probe.timeout = std::chrono::milliseconds(200);
  probe.retries = 0;
  probe.dnssec_ok = false;
  dns::LdnsResolver resolver(probe);
  std::vector<std::string> pending;
  for (const auto& z : zones)
    if (!z.broken) pending.push_back(z.zone);
  const auto deadline = started + options.start_timeout;
  while (!pending.empty()) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("knotd exited:\n" + log());
    }
    if (Clock::now() > deadline) {
      stop();
      throw std::runtime_error("knotd not ready in time (waiting for " + pending.back() + "):\n" +
                               log());
    }
    // Zones load in order of the configuration: check from the end, drop the answered ones.
    while (!pending.empty() &&
           resolver.query(pending.back(), dns::rr::SOA).status == dns::DnsStatus::NoError)
      pending.pop_back();
    if (!pending.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  start_seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
}

KnotServer::~KnotServer() {
  stop();
}

void KnotServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

double KnotServer::cpuSeconds() const {
  const std::string stat = readFile("/proc/" + std::to_string(pid_) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

long KnotServer::rssKib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string KnotServer::log() const {
  return readFile(dir_ / "knotd.log");
}

}  // namespace mh::bench
