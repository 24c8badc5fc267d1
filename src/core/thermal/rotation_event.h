#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/backend.h"
#include "core/time.h"

namespace huddle::core {

enum class Ring : uint8_t { kNone, kInner, kOuter };

// Why a server changed ring.
enum class RotationReason : uint8_t {
  kHot,           // T >= heat * weight
  kLatencyFloor,  // mean latency above absolute_latency_floor_ms
  kUnhealthy,     // marked unhealthy (health check, or gone from the routing table)
  kErrorRate,     // error rate reached the breaker
  kCooled,        // T <= cool after the dwell (or cold start) time
  kEmergency,     // the inner ring fell below min_inner
  kAdded,         // joined the cluster straight into the inner ring
  kRemoved,       // left the cluster
};

inline std::string_view RotationReasonName(RotationReason r) {
  switch (r) {
    case RotationReason::kHot:
      return "hot";
    case RotationReason::kLatencyFloor:
      return "latency_floor";
    case RotationReason::kUnhealthy:
      return "unhealthy";
    case RotationReason::kErrorRate:
      return "error_rate";
    case RotationReason::kCooled:
      return "cooled";
    case RotationReason::kEmergency:
      return "emergency";
    case RotationReason::kAdded:
      return "added";
    case RotationReason::kRemoved:
      return "removed";
  }
  return "unknown";
}

// One ring change, delivered to the model's listener as it happens.
struct RotationEvent {
  TimePoint at{};
  BackendIndex backend = kNoBackend;
  Ring from = Ring::kNone;
  Ring to = Ring::kNone;
  RotationReason reason = RotationReason::kHot;
  std::string text;  // one plain line, e.g. "temperature 0.62 >= heat 0.55"
  double temperature = 0.0;
};
using RotationListener = std::function<void(const RotationEvent&)>;

// What one ThermalModel::Rotate did.
struct RotationCounts {
  int evicted_hot = 0;        // for heat or the latency floor
  int evicted_unhealthy = 0;  // for the error-rate breaker
  int promoted = 0;           // cooled servers back in
  int emergency = 0;          // promoted to restore min_inner
  int total() const { return evicted_hot + evicted_unhealthy + promoted + emergency; }
};

}  // namespace huddle::core
