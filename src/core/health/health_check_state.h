#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// How a body runs active health checks against one cluster: an HTTP GET of `path` every
// `interval`, a check that takes longer than `timeout` fails. Defaults: 1 s, 500 ms, rise 2,
// fall 2 (HAProxy: inter 2 s, rise 2, fall 3; Envoy requires all four; see docs/health.md).
// Option keys: interval, timeout, rise, fall, path. REQUIRES of a parsed value: 0 < timeout <=
// interval, rise >= 1, fall >= 1, path starts with '/'.
struct HealthCheckOptions {
  Duration interval = FromSeconds(1);
  Duration timeout = FromMillis(500);
  int rise = 2;  // consecutive passes that turn an unhealthy host healthy
  int fall = 2;  // consecutive failures that turn a healthy host unhealthy
  std::string path = "/healthz";

  static Result<HealthCheckOptions> Parse(const OptionMap& options);
};

// The rise/fall state machine of one host's active health checks (HAProxy `rise`/`fall`, Envoy
// `healthy_threshold`/`unhealthy_threshold`). A healthy host turns unhealthy after exactly `fall`
// consecutive failed checks; an unhealthy host turns healthy after exactly `rise` consecutive
// passes. A result in the direction of the current state resets the opposite streak.
//
// Starting state: healthy by default (start_healthy = true), as HAProxy does, so a freshly
// configured cluster takes traffic at once and a dead host leaves after `fall` checks. Pass
// start_healthy = false for hosts that must prove themselves first (Envoy's choice for hosts added
// at run time); they then need `rise` passes (Envoy needs only one at start-up: docs/health.md).
//
// Not thread-safe; small and copyable. No allocation.
class HealthCheckState {
 public:
  // REQUIRES: rise >= 1, fall >= 1 (smaller values are treated as 1).
  explicit HealthCheckState(int rise, int fall, bool start_healthy = true);

  // Records one check result. Returns true exactly when healthy() changed.
  bool Observe(bool ok);
  bool healthy() const { return healthy_; }

  // Forces the state (an operator's override) and clears both streaks.
  void Reset(bool healthy);

  // Length of the current streak of passes / failures (one of them is always 0).
  uint32_t consecutive_passes() const { return passes_; }
  uint32_t consecutive_failures() const { return failures_; }
  int rise() const { return rise_; }
  int fall() const { return fall_; }

 private:
  int rise_;
  int fall_;
  bool healthy_;
  uint32_t passes_ = 0;
  uint32_t failures_ = 0;
};

}  // namespace huddle::core
