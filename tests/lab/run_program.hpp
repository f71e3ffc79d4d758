// Runs an external program (the mailhygiene CLI, openssl s_client, sslscan) without a shell and
// captures its exit status, stdout and stderr, with a time limit so a hung tool cannot hang a test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace mh::lab {

struct ProgramRun {
  int exit_status = -1;  // the exit code; -1 when it was killed, did not start or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH (and /usr/sbin, /usr/bin); stdin is /dev/null. The program is
// killed (SIGKILL) when `limit` runs out, and also if the test process dies.
ProgramRun runProgram(const std::vector<std::string>& argv,
                      std::chrono::milliseconds limit = std::chrono::seconds(60));

// Stops a child server the harness started (knotd, Postfix's master): SIGTERM, then SIGKILL if it
// has not exited within `grace`; reaps it and sets `pid` to -1. Does nothing when pid <= 0.
void stopChild(pid_t& pid, std::chrono::milliseconds grace = std::chrono::seconds(5));

// True when `name` is an executable in PATH, /usr/sbin or /usr/bin.
bool programExists(const std::string& name);

}  // namespace mh::lab
