#include "common/signals.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace huddle::common {
namespace {

sigset_t ControlSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

ControlSignal Classify(int sig) {
  if (sig == SIGHUP) return ControlSignal::kReload;
  if (sig == SIGINT || sig == SIGTERM) return ControlSignal::kStop;
  return ControlSignal::kNone;
}

}  // namespace

void BlockControlSignals() {
  const sigset_t set = ControlSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ControlSignal WaitForControlSignal(std::optional<core::Duration> timeout) {
  const sigset_t set = ControlSet();
  if (!timeout) {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) == 0) return Classify(sig);
    }
  }
  // sigtimedwait with a deadline: an EINTR (another signal's handler) waits the rest.
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  for (;;) {
    const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                               deadline - std::chrono::steady_clock::now());
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec ts{
        .tv_sec = static_cast<time_t>(secs.count()),
        .tv_nsec = static_cast<long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(left - secs).count())};
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return Classify(sig);
    if (errno == EINTR && left > std::chrono::steady_clock::duration::zero()) continue;
    return ControlSignal::kNone;
  }
}

bool WaitForStopSignal(std::optional<core::Duration> timeout, void (*on_hup)()) {
  const auto deadline =
      timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
  for (;;) {
    std::optional<core::Duration> left;
    if (deadline) {
      left = std::max(core::Duration::zero(), std::chrono::duration_cast<core::Duration>(
                                                  *deadline - std::chrono::steady_clock::now()));
    }
    switch (WaitForControlSignal(left)) {
      case ControlSignal::kStop:
        return true;
      case ControlSignal::kNone:
        return false;
      case ControlSignal::kReload:
        if (on_hup != nullptr) on_hup();
        break;
    }
  }
}

}  // namespace huddle::common
