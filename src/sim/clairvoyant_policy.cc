#include "sim/clairvoyant_policy.h"

#include <cmath>

namespace huddle::sim {

void ClairvoyantPolicy::Update(const core::RoutingTable& table) {
  backends_.clear();
  for (const core::RoutingEntry& e : table.entries) backends_.push_back(e.backend);
}

std::optional<core::BackendIndex> ClairvoyantPolicy::Pick(const core::PickContext& ctx) {
  std::optional<core::BackendIndex> pick = PickCheapest(
      backends_, ctx.rng, [this](core::BackendIndex b) { return view_.RealisedResponseMs(b); });
  if (pick && std::isfinite(view_.RealisedResponseMs(*pick))) return pick;
  return PickCheapest(backends_, ctx.rng,
                      [this](core::BackendIndex b) { return view_.ExpectedDelayMs(b); });
}

}  // namespace huddle::sim
