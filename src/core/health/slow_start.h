#pragma once

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// Slow start as Envoy defines it (arch_overview/upstream/load_balancing/slow_start): a host that
// became ready less than `window` ago gets its weight scaled by SlowStartFactor(). A window of 0
// turns slow start off. Option keys: window, aggression (> 0), min_weight_percent ([0, 100]).
struct SlowStartOptions {
  Duration window{};               // 0: off
  double aggression = 1.0;         // 1: linear ramp; above 1 ramps faster early, below 1 slower
  double min_weight_percent = 10;  // floor of the factor, in percent of the full weight

  static Result<SlowStartOptions> Parse(const OptionMap& options);
};

// The weight multiplier of a host that became ready `since_ready` ago, in (0, 1]:
//   time_factor = max(since_ready, 1 s) / window
//   factor      = max(min_weight_percent / 100, time_factor ^ (1 / aggression))
// and 1.0 once since_ready >= window (the host has left slow start) or when the window is 0.
// A negative since_ready counts as 0. Pure; no allocation.
double SlowStartFactor(const SlowStartOptions& options, Duration since_ready);

// True while a host that became ready `since_ready` ago is still ramping up.
inline bool InSlowStart(const SlowStartOptions& options, Duration since_ready) {
  return options.window > Duration::zero() && since_ready < options.window;
}

}  // namespace huddle::core
