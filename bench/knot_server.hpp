// A bench-local knotd: serves the generated zones on a free loopback port as an RAII child process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/lab_generator.hpp"

namespace mh::bench {

struct KnotServerOptions {
  unsigned udp_workers = 2;
  std::chrono::seconds start_timeout{120};
};

// knotd in the foreground (PR_SET_PDEATHSIG: it dies with the bench); the constructor returns
// once every zone that should load answers its SOA, and throws std::runtime_error with knotd's
// log otherwise. The destructor stops it with SIGTERM (SIGKILL after 5 s).
class KnotServer {
 public:
  KnotServer(const std::filesystem::path& dir, const std::vector<LabZoneFile>& zones,
             KnotServerOptions options = {});
  ~KnotServer();
  KnotServer(const KnotServer&) = delete;
  KnotServer& operator=(const KnotServer&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  double startSeconds() const { return start_seconds_; }
  // user+system CPU seconds of knotd so far (/proc/<pid>/stat); -1 when unreadable.
  double cpuSeconds() const;
  // Resident set size of knotd now (/proc/<pid>/status VmRSS), in KiB; 0 when unreadable.
  long rssKib() const;
  std::string log() const;

 private:
  void stop();

  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  double start_seconds_ = 0;
};

// A UDP+TCP port free on 127.0.0.1 now (released before returning).
std::uint16_t freeLoopbackPort();

}  // namespace mh::bench
