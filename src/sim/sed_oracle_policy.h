#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/policy/policy.h"

namespace huddle::sim {

// What the simulator tells its all-knowing policies: the truth no real balancer has.
class OracleView {
 public:
  virtual ~OracleView() = default;
  // Expected response time of a request sent to `b` now, in milliseconds, from its true service
  // rate, worker count, requests in flight and faults; +infinity when it would fail.
  virtual double ExpectedDelayMs(core::BackendIndex b) const = 0;
  // The realised response time, in milliseconds, of the attempt about to be dispatched if it were
  // sent to `b` now: the earliest free worker of `b` plus this attempt's own service draw there.
  // +infinity when that attempt would fail (refused, black hole, timeout or an HTTP 500).
  virtual double RealisedResponseMs(core::BackendIndex b) const = 0;
};

// Shortest expected delay on true mean service times: join the backend with the shortest expected
// delay, computed from each backend's true service rate and its current number of requests in
// flight. It knows the means, not the realised service times, so it is a strong baseline and not a
// bound (the clairvoyant policy is the bound). Ties go to a random one of the tied backends.
// Not thread-safe; Pick does not allocate.
class SedOraclePolicy final : public core::Policy {
 public:
  explicit SedOraclePolicy(const OracleView& view) : view_(view) {}

  std::string_view Name() const override { return "sed_oracle"; }
  void Update(const core::RoutingTable& table) override;
  std::optional<core::BackendIndex> Pick(const core::PickContext& ctx) override;
  void Observe(core::BackendIndex, const core::Outcome&, core::TimePoint) override {}

 private:
  const OracleView& view_;
  std::vector<core::BackendIndex> backends_;
};

// Picks the backend with the smallest value of `cost` (ties uniformly at random), or nullopt for
// an empty list; the smallest may be +infinity. Shared by the simulator's oracles.
template <typename Cost>
std::optional<core::BackendIndex> PickCheapest(const std::vector<core::BackendIndex>& backends,
                                               core::Random& rng, Cost cost) {
  if (backends.empty()) return std::nullopt;
  double best = 0.0;
  core::BackendIndex chosen = core::kNoBackend;
  uint64_t ties = 0;
  for (core::BackendIndex b : backends) {
    const double c = cost(b);
    if (chosen == core::kNoBackend || c < best) {
      best = c;
      chosen = b;
      ties = 1;
    } else if (c == best) {
      // Reservoir sampling over the tied backends: each is kept with probability 1 / ties.
      ++ties;
      if (rng.Below(ties) == 0) chosen = b;
    }
  }
  return chosen;
}

}  // namespace huddle::sim
