// Blocks SIGPIPE on the calling thread while a TLS peer may close on us (OpenSSL writes with write()).
#pragma once

#include <pthread.h>
#include <signal.h>
#include <time.h>

namespace mh::tls {

// For the lifetime of the object SIGPIPE is blocked on this thread; on destruction any SIGPIPE
// that became pending meanwhile is swallowed (unless one was already pending before) and the
// previous mask restored. A peer that resets a connection mid-write then gives EPIPE, not a kill.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock() {
    if (!was_pending_) {
      const timespec zero{};
      while (sigtimedwait(&set_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

}  // namespace mh::tls
