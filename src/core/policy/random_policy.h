#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Weighted random choice among the table's entries, with probability weight / total weight.
// With equal weights it draws one Random::Below(n) (uniform, and scriptable with
// ScriptedRandom::For(k, n)); otherwise one Random::UnitDouble() scaled by the total weight is
// looked up by binary search in the cumulative weights built in Update: O(log n), no allocation.
// Options: none. Not thread-safe.
class RandomPolicy final : public Policy {
 public:
  struct Options {};

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  RandomPolicy();  // default options
  explicit RandomPolicy(const Options& options);

  std::string_view Name() const override { return "random"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void Observe(BackendIndex /*b*/, const Outcome& /*outcome*/, TimePoint /*now*/) override {}
  void ReportCluster(StatSink& sink) const override;
  // Gauge: probability (this backend's share of picks, 0 when not in the table).
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

 private:
  std::vector<BackendIndex> backends_;  // table order
  std::vector<double> cumulative_;      // cumulative_[i] = sum of weights of entries 0..i
  bool uniform_ = true;
  std::vector<double> probability_by_slot_;
};

}  // namespace huddle::core
