#pragma once

#include "core/time.h"

namespace huddle::taskd {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call before starting threads, which
// inherit the mask), so that WaitForStopSignal() can receive them synchronously.
void BlockStopSignals();
// Waits up to `timeout` for SIGINT or SIGTERM; true when one arrived.
bool WaitForStopSignal(core::Duration timeout);

}  // namespace huddle::taskd
