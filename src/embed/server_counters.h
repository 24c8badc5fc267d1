#pragma once

#include <cstdint>

#include "core/backend.h"
#include "core/time.h"

namespace huddle {

// Per-server request counters kept by the embeddable Cluster (under its lock).
struct ServerCounters {
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t in_flight = 0;
  double latency_sum_ms = 0.0;

  void Add(const core::Outcome& o) {
    ++requests;
    if (!o.ok) ++errors;
    latency_sum_ms += core::ToMillis(o.latency);
  }
  double MeanLatencyMs() const {
    return requests == 0 ? 0.0 : latency_sum_ms / static_cast<double>(requests);
  }
};

}  // namespace huddle
