#include "taskd/signals.h"

#include <signal.h>

#include <cerrno>

namespace huddle::taskd {

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool WaitForStopSignal(core::Duration timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec ts{
      .tv_sec = secs.count(),
      .tv_nsec = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout - secs).count()};
  while (true) {
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return true;
    if (errno == EINTR) continue;
    return false;
  }
}

}  // namespace huddle::taskd
