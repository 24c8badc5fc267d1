#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/edf_scheduler.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Weighted round robin over the table's entries, with one of two schedules:
//  - smooth (default): NGINX's smooth weighted round robin. At each pick every entry's current
//    weight grows by its weight, the largest current weight wins (ties: table order) and loses
//    the total weight. Weights 5,1,1 give a a b a c a a. O(n) per pick, as in NGINX.
//  - edf: earliest deadline first, as Envoy (see EdfScheduler). O(log n) per pick; weights 5,1,1
//    give a a a a b c a ... (same shares, less interleaving).
// Weights are doubles > 0 (the table guarantees it). Both schedules are deterministic and start
// from a fresh state; a table update keeps the schedule state of backends that stay (their smooth
// current weight or their EDF deadline), so a weight change does not restart the rotation.
// Options: algorithm = smooth | edf (default smooth). Not thread-safe; Pick never allocates.
class WeightedRoundRobinPolicy final : public Policy {
 public:
  enum class Algorithm { kSmooth, kEdf };
  struct Options {
    Algorithm algorithm = Algorithm::kSmooth;
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  WeightedRoundRobinPolicy();  // default options
  explicit WeightedRoundRobinPolicy(const Options& options);

  std::string_view Name() const override { return "weighted_round_robin"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void Observe(BackendIndex /*b*/, const Outcome& /*outcome*/, TimePoint /*now*/) override {}
  void ReportCluster(StatSink& sink) const override;
  // Gauges: weight, and current_weight for the smooth schedule.
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

 private:
  struct SmoothEntry {
    BackendIndex backend;
    double weight;
    double current;
  };

  const Options options_;
  std::vector<SmoothEntry> smooth_;  // table order
  double total_weight_ = 0.0;
  EdfScheduler edf_;
  std::vector<double> weight_by_slot_;   // 0 when not in the table
  std::vector<double> current_by_slot_;  // smooth current weights, kept across updates
  bool equal_weights_ = false;           // every entry has the same weight: plain round robin
  size_t next_equal_ = 0;                // round-robin cursor into smooth_ when equal_weights_
};

}  // namespace huddle::core
