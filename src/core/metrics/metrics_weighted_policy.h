#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/error.h"
#include "core/metrics/capacity_selector.h"
#include "core/metrics/capacity_weights.h"
#include "core/metrics/node_metrics_store.h"
#include "core/options.h"
#include "core/policy/policy.h"
#include "core/policy/routing_table.h"
#include "core/time.h"

namespace huddle::core {

// "metrics_weighted": Akka cluster-metrics adaptive load balancing. Backends report their load
// (ObserveMetrics); a NodeMetricsStore smooths it; a CapacitySelector turns it into spare
// capacity; CapacityWeights turns capacities into integer weights, and Pick draws by them.
//
// Options (OptionMap, all optional):
//   selector         mix | cpu | heap | load   (default mix, as Akka)
//   sample_interval  how often backends report (default 3s, Akka's collect interval)
//   half_life        EWMA half-life (default 12s, Akka's moving-average-half-life)
//   mode             weighted | argmin (default weighted). argmin is atomr's
//                    AdaptiveLoadBalancer: always the backend with the lowest smoothed CPU,
//                    missing metrics count as +inf, ties go to the lowest backend index (index
//                    order stands for atomr's address order). It sends everything to one backend
//                    until the metrics move; it is there for comparison, not as a default.
//
// The table decides who may be picked: only its entries are ever returned, and an entry's table
// weight multiplies its capacity weight (a backend in slow start at weight 0.2 gets a fifth of
// what its metrics alone would earn it). Metrics of a backend that leaves the table are kept
// (ejections are temporary and the reports keep coming); metrics of indices at or beyond
// backend_slots are forgotten, and reports about them are ignored and counted, as Akka's
// receiver drops gossip about nodes that are not members.
//
// Weights are recomputed in Update, in Tick and when an accepted report is about a backend in the
// table; never in Pick. Pick, OnSend and Observe never allocate. One instance per worker thread;
// not thread-safe. Lifecycle as in Policy.
class MetricsWeightedPolicy final : public Policy {
 public:
  enum class Mode : uint8_t { kWeighted, kArgmin };

  struct Options {
    CapacitySelector::Kind selector = CapacitySelector::Kind::kMix;
    Duration sample_interval = FromSeconds(3);
    Duration half_life = FromSeconds(12);
    Mode mode = Mode::kWeighted;
  };

  static constexpr std::string_view kName = "metrics_weighted";

  // Validates `options` (see above); unknown keys are errors.
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);
  static Result<Options> ParseOptions(const OptionMap& options);
  // REQUIRES: sample_interval > 0, half_life > 0.
  explicit MetricsWeightedPolicy(const Options& options);

  MetricsWeightedPolicy(const MetricsWeightedPolicy&) = delete;
  MetricsWeightedPolicy& operator=(const MetricsWeightedPolicy&) = delete;

  std::string_view Name() const override { return kName; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void Observe(BackendIndex /*b*/, const Outcome& /*outcome*/, TimePoint /*now*/) override {}
  void ObserveMetrics(BackendIndex b, const BackendMetrics& m) override;
  void Tick(TimePoint now) override;

  // Cluster: metrics_reports_accepted, metrics_reports_stale, metrics_reports_unknown_backend,
  // metrics_samples_missing, metrics_samples_invalid, metrics_weight_total.
  void ReportCluster(StatSink& sink) const override;
  // Per backend: weight (its effective pick weight; 0 outside the table), and when known
  // capacity (selector output in [0, 1]), cpu (smoothed utilisation) and heap (smoothed
  // used / max memory). Gauges without a value are left out rather than sent as NaN.
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

  const Options& options() const { return options_; }
  const NodeMetricsStore& store() const { return store_; }
  // The effective pick weight of `b`; 0 when it is not in the table.
  uint64_t WeightOf(BackendIndex b) const;
  // Backends with a capacity after the last recomputation.
  size_t backends_with_capacity() const { return with_capacity_; }

 private:
  void Recompute();
  // Position of `b` in entries_, or -1.
  int64_t PositionOf(BackendIndex b) const;

  // Constant after construction.
  const Options options_;
  const CapacitySelector selector_;

  NodeMetricsStore store_;
  std::vector<RoutingEntry> entries_;  // the table's entries, in table order
  std::vector<int64_t> position_;      // BackendIndex -> position in entries_, or -1
  uint32_t backend_slots_ = 0;
  std::vector<std::optional<double>> capacities_;  // per position, scratch for Recompute
  std::vector<double> multipliers_;                // per position, the table weights
  CapacityWeights weights_;
  std::optional<BackendIndex> argmin_;
  size_t with_capacity_ = 0;
  uint64_t unknown_backend_reports_ = 0;
};

}  // namespace huddle::core
