// The DNS lab: a real knotd serving tests/lab/zones on a free loopback port, plus dead servers.
#include "tests/lab/knot_lab.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/lab/run_program.hpp"

namespace mh::lab {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 5;
constexpr std::string_view kBrokenPrefix = "servfail.";
constexpr std::string_view kNotAuthPrefix = "notauth.";

// A descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Binds a socket of `type` to addr:port (port 0 = any); returns the fd or -1.
int bindSocket(int family, int type, const char* addr, std::uint16_t port) {
  Fd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return -1;
  if (family == AF_INET6) {
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    ::inet_pton(AF_INET, addr, &sin->sin_addr);
    len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, addr, &sin6->sin6_addr);
    len = sizeof(sockaddr_in6);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return -1;
  return fd.release();
}

std::uint16_t boundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

bool ipv6LoopbackUsable() {
  Fd fd(bindSocket(AF_INET6, SOCK_DGRAM, "::1", 0));
  return fd.get() >= 0;
}

// A port free for UDP and TCP on 127.0.0.1 (and ::1 when wanted), released before returning:
// knotd binds it a moment later, and a lost race is retried by the caller.
std::optional<std::uint16_t> freePort(bool ipv6) {
  for (int i = 0; i < 20; ++i) {
    Fd udp(bindSocket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0));
    if (udp.get() < 0) continue;
    const std::uint16_t port = boundPort(udp.get());
    Fd tcp(bindSocket(AF_INET, SOCK_STREAM, "127.0.0.1", port));
    if (tcp.get() < 0) continue;
    if (ipv6) {
      Fd udp6(bindSocket(AF_INET6, SOCK_DGRAM, "::1", port));
      Fd tcp6(bindSocket(AF_INET6, SOCK_STREAM, "::1", port));
      if (udp6.get() < 0 || tcp6.get() < 0) continue;
    }
    return port;
  }
  return std::nullopt;
}

std::optional<std::string> findKnotd() {
  std::vector<std::string> dirs;
  if (const char* explicitPath = std::getenv("MH_KNOTD")) {
    if (::access(explicitPath, X_OK) == 0) return std::string(explicitPath);
    return std::nullopt;
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');)
      if (!dir.empty()) dirs.push_back(dir);
  }
  // Debian installs knotd in /usr/sbin, which a non-root PATH may lack.
  for (const char* dir : {"/usr/sbin", "/usr/local/sbin", "/sbin"}) dirs.emplace_back(dir);
  for (const auto& dir : dirs) {
    const std::string candidate = dir + "/knotd";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string logTag(const std::string& zone) {
  return zone == "." ? "[.]" : "[" + zone + ".]";
}

// True when dir/a.zone should be served by this lab.
bool wanted(const KnotLabOptions& options, const std::string& zone) {
  return options.only_zones.empty() ||
         std::find(options.only_zones.begin(), options.only_zones.end(), zone) !=
             options.only_zones.end();
}

bool listed(const std::vector<std::string>& list, const std::string& zone) {
  return std::find(list.begin(), list.end(), zone) != list.end();
}

std::string absoluteName(const std::string& zone) {
  return zone == "." ? "." : zone + ".";
}

// Runs a tool (PATH lookup) in `cwd`, returning its stdout; throws on failure.
std::string runTool(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("knot lab: pipe failed");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const std::string dir = cwd.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execvp(argv[0], const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, buf + n);
  ::close(out[0]);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0)
    throw std::runtime_error("knot lab: " + args.front() +
                             " failed (is ldnsutils installed?): " + text);
  return text;
}

// A fresh ECDSAP256SHA256 KSK for `zone` in `dir`; returns the key file base name.
std::string makeKey(const std::string& zone, const std::filesystem::path& dir) {
  std::string base =
      runTool({"ldns-keygen", "-a", "ECDSAP256SHA256", "-k", absoluteName(zone)}, dir);
  while (!base.empty() && (base.back() == '\n' || base.back() == ' ')) base.pop_back();
  return base;
}

class LabEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

std::mutex gSharedMutex;
std::unique_ptr<KnotLab> gShared;
std::optional<std::string> gSharedError;

void LabEnvironment::TearDown() {
  std::lock_guard lock(gSharedMutex);
  gShared.reset();
}

[[maybe_unused]] ::testing::Environment* const kLabEnvironment =
    ::testing::AddGlobalTestEnvironment(new LabEnvironment);

}  // namespace

std::filesystem::path labDir() {
  return MH_LAB_DIR;
}
std::filesystem::path zoneDir() {
  return labDir() / "zones";
}

std::vector<LabZone> zonesIn(const std::filesystem::path& dir) {
  std::vector<LabZone> zones;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto& path = entry.path();
    if (!entry.is_regular_file() || path.extension() != ".zone") continue;
    LabZone zone;
    zone.name = path.stem().string();
    if (zone.name == "root") zone.name = ".";
    zone.file = std::filesystem::absolute(path);
    zone.broken = zone.name.starts_with(kBrokenPrefix) || zone.name.starts_with(kNotAuthPrefix);
    zones.push_back(std::move(zone));
  }
  std::sort(zones.begin(), zones.end(),
            [](const LabZone& a, const LabZone& b) { return a.name < b.name; });
  return zones;
}

KnotLab::KnotLab(KnotLabOptions options) : options_(std::move(options)) {
  for (auto& zone : zonesIn(options_.zone_dir))
    if (wanted(options_, zone.name)) zones_.push_back(std::move(zone));
  if (zones_.empty())
    throw std::runtime_error("knot lab: no zone to serve in " + options_.zone_dir.string());

  char pattern[] = "/tmp/mh-knot-lab.XXXXXX";
  if (::mkdtemp(pattern) == nullptr)
    throw std::runtime_error(std::string("knot lab: mkdtemp: ") + std::strerror(errno));
  dir_ = pattern;
  std::filesystem::create_directories(dir_ / "run");
  std::filesystem::create_directories(dir_ / "db");
  ipv6_ = ipv6LoopbackUsable();
  if (!options_.signed_zones.empty() || !options_.extra_records.empty()) {
    try {
      prepareZones();
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw;
    }
  }

  std::string why;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    const auto port = freePort(ipv6_);
    if (!port) {
      why = "no free loopback port";
      continue;
    }
    bool retry = false;
    if (tryStart(*port, why, retry)) return;
    stop();
    if (!retry) break;
  }
  const std::string log = this->log();
  std::filesystem::remove_all(dir_);
  throw std::runtime_error("knot lab: knotd did not start: " + why + "\n--- knotd log ---\n" + log);
}

// DNSSEC lab: delegations, extra records, keys, DS in parents, ldns-signzone (RFC 4035 §2).
void KnotLab::prepareZones() {
  const auto zonesDir = dir_ / "zones";
  const auto keysDir = dir_ / "keys";
  std::filesystem::create_directories(zonesDir);
  std::filesystem::create_directories(keysDir);
  std::map<std::string, std::string> text;
  for (const auto& z : zones_) text[z.name] = readFile(z.file) + "\n";
  for (const auto& [zone, lines] : options_.extra_records) {
    auto it = text.find(zone);
    if (it == text.end()) throw std::runtime_error("knot lab: extra records for unserved " + zone);
    for (const auto& l : lines) it->second += l + "\n";
  }
  const bool dnssec = !options_.signed_zones.empty();
  auto parentOf = [&](const std::string& zone) -> std::optional<std::string> {
    if (zone == ".") return std::nullopt;
    for (std::string n = zone;;) {
      const auto dot = n.find('.');
      n = dot == std::string::npos ? "." : n.substr(dot + 1);
      if (text.count(n)) return n;
      if (n == ".") return std::nullopt;
    }
  };
  if (dnssec)
    for (const auto& z : zones_)
      if (auto p = parentOf(z.name)) text[*p] += absoluteName(z.name) + " 300 IN NS ns.lab.test.\n";

  // Children first, so that each DS is in its parent before the parent is signed.
  std::vector<LabZone*> order;
  for (auto& z : zones_) order.push_back(&z);
  auto depth = [](const std::string& n) {
    return n == "." ? 0 : static_cast<int>(std::count(n.begin(), n.end(), '.')) + 1;
  };
  std::stable_sort(order.begin(), order.end(), [&](const LabZone* a, const LabZone* b) {
    return depth(a->name) > depth(b->name);
  });
  for (LabZone* z : order) {
    const std::string file = (zonesDir / ((z->name == "." ? "root" : z->name) + ".zone")).string();
    std::ofstream(file) << "$ORIGIN " << absoluteName(z->name) << "\n" << text[z->name];
    if (!listed(options_.signed_zones, z->name)) {
      z->file = file;
      continue;
    }
    const std::string key = makeKey(z->name, keysDir);
    std::string dsKey = key;
    if (listed(options_.wrong_ds_zones, z->name)) dsKey = makeKey(z->name, keysDir);
    const std::string ds = readFile(keysDir / (dsKey + ".ds"));
    if (auto p = parentOf(z->name)) text[*p] += ds + "\n";
    if (z->name == ".") {
      trust_anchor_ = dir_ / "trust-anchor.ds";
      std::ofstream(trust_anchor_) << ds << "\n";
    }
    std::vector<std::string> args{"ldns-signzone", "-f", file + ".signed", "-o",
                                  absoluteName(z->name)};
    if (listed(options_.expired_zones, z->name))
      for (const char* a : {"-i", "20191201000000", "-e", "20200101000000"}) args.emplace_back(a);
    const bool optOut = listed(options_.nsec3_opt_out_zones, z->name);
    if (optOut || listed(options_.nsec3_zones, z->name))
      for (const char* a : {"-n", "-t", "0"}) args.emplace_back(a);
    if (optOut) args.emplace_back("-p");
    args.push_back(file);
    args.push_back((keysDir / key).string());
    runTool(args, keysDir);
    z->file = file + ".signed";
  }
}

KnotLab::~KnotLab() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool KnotLab::tryStart(std::uint16_t port, std::string& why, bool& retry) {
  const auto knotd = findKnotd();
  if (!knotd) {
    why =
        "knotd not found in PATH, /usr/sbin or $MH_KNOTD; install it (Debian: apt-get install "
        "knot)";
    return false;
  }
  port_ = port;
  const auto conf = dir_ / "knot.conf";
  {
    std::ofstream out(conf);
    out << "# Written by mh::lab::KnotLab.\n"
        << "server:\n"
        << "    rundir: \"" << (dir_ / "run").string() << "\"\n"
        << "    listen: [ 127.0.0.1@" << port;
    if (ipv6_) out << ", ::1@" << port;
    out << " ]\n"
        << "    udp-workers: 1\n"
        << "    tcp-workers: 1\n"
        << "    background-workers: 1\n"
        << "log:\n"
        << "  - target: stderr\n"
        << "    any: info\n"
        << "database:\n"
        << "    storage: \"" << (dir_ / "db").string()
        << "\"\n"
        // Refuses every query to zones named notauth.*: knotd then answers NOTAUTH.
        << "mod-queryacl:\n"
        << "  - id: nobody\n"
        << "    address: 192.0.2.255/32\n"
        << "template:\n"
        << "  - id: default\n"
        << "    storage: \"" << dir_.string() << "\"\n"
        << "    zonefile-sync: -1\n"
        << "    zonefile-load: whole\n"
        << "    journal-content: none\n"
        << "    semantic-checks: on\n"
        << "zone:\n";
    for (const auto& zone : zones_) {
      out << "  - domain: \"" << zone.name << "\"\n"
          << "    file: \"" << zone.file.string() << "\"\n";
      if (zone.name.starts_with(kNotAuthPrefix)) out << "    module: mod-queryacl/nobody\n";
    }
    if (!out) {
      why = "cannot write " + conf.string();
      return false;
    }
  }

  const auto logPath = dir_ / "knotd.log";
  // An earlier attempt's "cannot bind" stays in the (appended) log: judge only what follows.
  const std::size_t logOffset = log().size();
  const std::string confText = conf.string();
  const std::string logText = logPath.string();
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    why = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int log = ::open(logText.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    const char* argv[] = {"knotd", "-c", confText.c_str(), nullptr};
    ::execv(knotd->c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  return waitReady(logOffset, why, retry);
}

bool KnotLab::waitReady(std::size_t logOffset, std::string& why, bool& retry) {
  dns::LdnsResolverOptions probe;
  probe.nameservers = {nameserver()};
  probe.timeout = std::chrono::milliseconds(100);
  probe.retries = 0;
  dns::LdnsResolver resolver(probe);

  std::set<std::string> pending;
  for (const auto& zone : zones_)
    if (!zone.broken) pending.insert(zone.name);
  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "knotd exited with status " + std::to_string(WEXITSTATUS(status));
      retry = true;  // most likely the port was taken between our check and knotd's bind
      return false;
    }
    const std::string whole = this->log();
    const std::string log = whole.substr(std::min(logOffset, whole.size()));
    if (log.find("cannot bind") != std::string::npos ||
        log.find("failed to bind") != std::string::npos) {
      why = "knotd could not bind port " + std::to_string(port_);
      retry = true;
      return false;
    }
    for (auto it = pending.begin(); it != pending.end();) {
      if (log.find(logTag(*it) + " zone event 'load' failed") != std::string::npos) {
        why = "zone " + *it + " failed to load (only servfail.* zones may)";
        return false;
      }
      const auto answer = resolver.query(*it, dns::rr::SOA);
      it = answer.status == dns::DnsStatus::NoError ? pending.erase(it) : std::next(it);
    }
    if (pending.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  why = "timed out waiting for the SOA of " + *pending.begin();
  return false;
}

void KnotLab::stop() {
  stopChild(pid_);
}

std::string KnotLab::log() const {
  return readFile(dir_ / "knotd.log");
}

dns::LdnsResolverOptions KnotLab::resolverOptions() const {
  dns::LdnsResolverOptions options;
  options.nameservers = {nameserver()};
  options.timeout = std::chrono::milliseconds(1000);
  options.retries = 1;
  return options;
}

std::unique_ptr<dns::LdnsResolver> KnotLab::makeResolver() const {
  return std::make_unique<dns::LdnsResolver>(resolverOptions());
}

KnotLab& sharedLab() {
  std::lock_guard lock(gSharedMutex);
  if (gShared) return *gShared;
  if (gSharedError) throw std::runtime_error(*gSharedError);
  try {
    gShared = std::make_unique<KnotLab>();
  } catch (const std::exception& e) {
    gSharedError = e.what();
    throw;
  }
  return *gShared;
}

BlackHole::BlackHole() {
  for (int i = 0; i < 20 && tcp_ < 0; ++i) {
    Fd udp(bindSocket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0));
    if (udp.get() < 0) continue;
    const std::uint16_t port = boundPort(udp.get());
    Fd tcp(bindSocket(AF_INET, SOCK_STREAM, "127.0.0.1", port));
    // Listening without ever accepting: the kernel completes the handshake, nobody answers.
    if (tcp.get() < 0 || ::listen(tcp.get(), 16) != 0) continue;
    udp_ = udp.release();
    tcp_ = tcp.release();
    port_ = port;
  }
  if (tcp_ < 0) throw std::runtime_error("black hole: no free loopback port");
}

BlackHole::~BlackHole() {
  if (udp_ >= 0) ::close(udp_);
  if (tcp_ >= 0) ::close(tcp_);
}

BadServer::BadServer(Reply reply) : reply_(reply) {
  udp_ = bindSocket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0);
  if (udp_ < 0 || ::pipe2(stop_, O_CLOEXEC) != 0)
    throw std::runtime_error("bad server: cannot bind a loopback socket");
  port_ = boundPort(udp_);
  thread_ = std::thread([this] { serve(); });
}

BadServer::~BadServer() {
  const char byte = 0;
  [[maybe_unused]] const auto written = ::write(stop_[1], &byte, 1);
  thread_.join();
  ::close(udp_);
  ::close(stop_[0]);
  ::close(stop_[1]);
}

void BadServer::serve() {
  std::vector<std::uint8_t> buffer(65535);
  while (true) {
    pollfd fds[2] = {{udp_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN)) return;
    sockaddr_storage from{};
    socklen_t fromLength = sizeof(from);
    const ssize_t n = ::recvfrom(udp_, buffer.data(), buffer.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n < 12) continue;
    std::vector<std::uint8_t> out(buffer.begin(), buffer.begin() + n);
    out[2] |= 0x80;  // QR
    if (reply_ == Reply::WrongId) {
      out[1] ^= 0x5a;
    } else {
      out.resize(12);
      out[7] = 1;  // ANCOUNT 1 (and QDCOUNT kept): the promised sections are missing
      out.push_back(0xff);
    }
    ::sendto(udp_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLength);
  }
}

dns::NameserverAddress closedPort() {
  Fd udp(bindSocket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0));
  if (udp.get() < 0) throw std::runtime_error("closed port: cannot bind a loopback socket");
  return {"127.0.0.1", boundPort(udp.get())};
}

}  // namespace mh::lab
