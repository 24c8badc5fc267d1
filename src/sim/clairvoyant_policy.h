#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/policy/policy.h"
#include "sim/sed_oracle_policy.h"

namespace huddle::sim {

// The clairvoyant dispatcher: it knows every attempt's realised service time on every backend and
// every worker's free time, and sends each attempt where it would finish first with a successful
// response (OracleView::RealisedResponseMs). That is the best any non-preemptive dispatcher can do
// for the attempt in hand; it is greedy, so it does not hold a worker back for a later request,
// and it is the yardstick the simulator reports every policy against. When no backend would
// answer successfully it falls back to the shortest expected delay. Ties go to a random one.
// Not thread-safe; Pick does not allocate.
class ClairvoyantPolicy final : public core::Policy {
 public:
  explicit ClairvoyantPolicy(const OracleView& view) : view_(view) {}

  std::string_view Name() const override { return "clairvoyant"; }
  void Update(const core::RoutingTable& table) override;
  std::optional<core::BackendIndex> Pick(const core::PickContext& ctx) override;
  void Observe(core::BackendIndex, const core::Outcome&, core::TimePoint) override {}

 private:
  const OracleView& view_;
  std::vector<core::BackendIndex> backends_;
};

}  // namespace huddle::sim
