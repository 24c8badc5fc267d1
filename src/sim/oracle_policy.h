#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/policy/policy.h"

namespace huddle::sim {

// What the simulator tells the oracle: the truth no real balancer has.
class OracleView {
 public:
  virtual ~OracleView() = default;
  // Expected response time of a request sent to `b` now, in milliseconds, from its true service
  // rate, worker count, requests in flight and faults; +infinity when it would fail.
  virtual double ExpectedDelayMs(core::BackendIndex b) const = 0;
};

// The clairvoyant baseline: join the shortest expected delay, computed from each backend's true
// service rate and its current number of requests in flight (Shortest Expected Delay routing).
// Ties go to a random one of the tied backends. Not thread-safe; Pick does not allocate.
class OraclePolicy final : public core::Policy {
 public:
  explicit OraclePolicy(const OracleView& view) : view_(view) {}

  std::string_view Name() const override { return "oracle"; }
  void Update(const core::RoutingTable& table) override;
  std::optional<core::BackendIndex> Pick(const core::PickContext& ctx) override;
  void Observe(core::BackendIndex, const core::Outcome&, core::TimePoint) override {}

 private:
  const OracleView& view_;
  std::vector<core::BackendIndex> backends_;
};

}  // namespace huddle::sim
