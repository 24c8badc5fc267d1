#include "sim/oracle_policy.h"

#include <cmath>
#include <limits>

namespace huddle::sim {

void OraclePolicy::Update(const core::RoutingTable& table) {
  backends_.clear();
  for (const core::RoutingEntry& e : table.entries) backends_.push_back(e.backend);
}

std::optional<core::BackendIndex> OraclePolicy::Pick(const core::PickContext& ctx) {
  if (backends_.empty()) return std::nullopt;
  double best = std::numeric_limits<double>::infinity();
  core::BackendIndex chosen = backends_.front();
  uint64_t ties = 0;
  for (core::BackendIndex b : backends_) {
    const double d = view_.ExpectedDelayMs(b);
    if (d < best) {
      best = d;
      chosen = b;
      ties = 1;
    } else if (d == best && std::isfinite(d)) {
      // Reservoir sampling over the tied backends: each is kept with probability 1 / ties.
      ++ties;
      if (ctx.rng.Below(ties) == 0) chosen = b;
    }
  }
  return chosen;
}

}  // namespace huddle::sim
