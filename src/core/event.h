#pragma once

#include <functional>
#include <string>

#include "core/backend.h"
#include "core/time.h"

namespace huddle::core {

// A decision the brain took by itself (a rotation, an ejection, a health flip), for logs,
// timelines and the dashboard.
struct DecisionEvent {
  TimePoint at{};
  BackendIndex backend = kNoBackend;
  std::string kind;    // short and stable: "evict", "promote", "eject", "uneject", "unhealthy"...
  std::string reason;  // one plain-English line
};
using DecisionListener = std::function<void(const DecisionEvent&)>;

}  // namespace huddle::core
