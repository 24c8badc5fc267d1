#pragma once

#include <vector>

#include "core/thermal/thermal_model.h"
#include "core/time.h"

namespace huddle::core::testing {

inline TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

// Options with no cooldown and no dwell, as the seed's tests use.
inline ThermalOptions NoWaits() {
  ThermalOptions o;
  o.rotation_cooldown = Duration::zero();
  o.outer_dwell = Duration::zero();
  return o;
}

inline void AddServers(ThermalModel& m, int n, TimePoint now = At(0)) {
  for (int b = 0; b < n; ++b) m.AddServer(static_cast<BackendIndex>(b), 1.0, now);
}

// One interval of traffic: `samples` requests to every inner server, latency_ms(b) each.
template <typename F>
void Serve(ThermalModel& m, TimePoint now, F latency_ms, int samples = 10) {
  const std::vector<BackendIndex> inner(m.InnerRing().begin(), m.InnerRing().end());
  for (BackendIndex b : inner) {
    for (int i = 0; i < samples; ++i) m.RecordLatency(b, FromMillis(latency_ms(b)), now);
  }
}

// One round of health checks of every server, all successful.
template <typename F>
void ProbeAll(ThermalModel& m, TimePoint now, F latency_ms) {
  const std::vector<BackendIndex> members(m.Members().begin(), m.Members().end());
  for (BackendIndex b : members) m.RecordProbe(b, FromMillis(latency_ms(b)), true, now);
}

}  // namespace huddle::core::testing
