#include "sim/sed_oracle_policy.h"

namespace huddle::sim {

void SedOraclePolicy::Update(const core::RoutingTable& table) {
  backends_.clear();
  for (const core::RoutingEntry& e : table.entries) backends_.push_back(e.backend);
}

std::optional<core::BackendIndex> SedOraclePolicy::Pick(const core::PickContext& ctx) {
  return PickCheapest(backends_, ctx.rng,
                      [this](core::BackendIndex b) { return view_.ExpectedDelayMs(b); });
}

}  // namespace huddle::sim
