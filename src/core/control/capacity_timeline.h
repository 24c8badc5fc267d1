#pragma once

#include <algorithm>

#include "core/time.h"

namespace huddle::core {

// Replicas able to serve at a time t after now, for a decision "target n replicas" taken now:
// `ready` serve already, `pending` were requested earlier and become ready `pending_ready_after`
// from now, and replicas added by this decision become ready after `provisioning_delay`.
// Removing replicas takes effect at once. Pure value type.
struct CapacityTimeline {
  double ready = 1.0;
  double pending = 0.0;
  Duration pending_ready_after{};
  Duration provisioning_delay = FromSeconds(30);

  double committed() const { return ready + pending; }

  // Replicas serving at `t` if the target becomes `n` now.
  double ReplicasAt(Duration t, double n) const {
    if (n <= ready) return n;  // scale-in (or cancel pending) is immediate
    double serving = ready;
    const double from_pending = std::min(pending, n - ready);
    if (t >= pending_ready_after) serving += from_pending;
    if (t >= provisioning_delay) serving += std::max(0.0, n - committed());
    return serving;
  }
};

}  // namespace huddle::core
