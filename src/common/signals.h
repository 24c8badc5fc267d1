#pragma once

#include <optional>

#include "core/time.h"

namespace huddle::common {

// What a command was asked to do by a signal.
enum class ControlSignal {
  kNone,    // the wait timed out
  kStop,    // SIGINT or SIGTERM: drain and exit
  kReload,  // SIGHUP: re-read the configuration
};

// The one way huddle's commands take SIGINT, SIGTERM and SIGHUP: blocked in every thread and
// received synchronously with sigtimedwait, so no handler runs at an arbitrary point (no
// async-signal-safety puzzles, no flag polled by a loop).
//
// BlockControlSignals() must run in the main thread before any thread is started (threads
// inherit the mask; a thread started earlier would take the signal with its default action and
// kill the process).
void BlockControlSignals();

// Waits for one of the three signals, at most `timeout` (nullopt: without limit). A signal sent
// before the call is not lost: it stays pending while blocked.
ControlSignal WaitForControlSignal(std::optional<core::Duration> timeout = std::nullopt);

// For commands without a reload: waits for SIGINT or SIGTERM at most `timeout`, taking any SIGHUP
// meanwhile (reported on standard error by the caller's `on_hup`, when given). True when a stop
// signal arrived, false on timeout.
bool WaitForStopSignal(std::optional<core::Duration> timeout, void (*on_hup)() = nullptr);

}  // namespace huddle::common
