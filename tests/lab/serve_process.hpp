// `mailhygiene serve` (or `audit`) as a child process for the tests that need the real binary
// (kill and resume, faults, the abuse suite): its output in a log, killed with the test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mh::lab {

struct ChildOptions {
  std::string command = "serve";  // the subcommand ("audit" for a national run of the CLI)
  // The child's RLIMIT_FSIZE in bytes (0: none): no file it writes, its log included, grows
  // past it, as on a full disk.
  std::uint64_t file_size_limit = 0;
};

class ServeProcess {
 public:
  // Runs `binary serve args...` (options.command), stdout and stderr to `log`.
  ServeProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::filesystem::path& log, const ChildOptions& options = {});
  ~ServeProcess();  // SIGKILL if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Sends SIGTERM and waits (at most 30 s) for the exit status; -1 if it did not exit.
  int terminate();
  // Sends SIGKILL and reaps it: a crash, a power cut of the process.
  void kill9();
  std::string log() const;
  // The port of its "listening ... port=N" log line (with --port 0), waiting at most `limit`;
  // 0 when it did not start listening.
  std::uint16_t listeningPort(std::chrono::milliseconds limit = std::chrono::seconds(20)) const;

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

// `binary token create --db db options...` (e.g. {"--role", "auditor", "--name", "x"}): the
// token it prints as its last line; "" (and a test failure) when it fails.
std::string createToken(const std::string& binary, const std::string& db,
                        const std::vector<std::string>& options);

// A loopback TCP port free a moment ago (racy in theory, fine on a test machine).
std::uint16_t freeTcpPort();

}  // namespace mh::lab
