#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/edf_scheduler.h"
#include "core/policy/in_flight_tracker.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Envoy's least-request balancer, on requests in flight as this policy instance counts them
// (OnSend adds one, Observe takes one away, never below zero; counts survive table updates).
//  - Equal weights: power of `choice_count` choices. Draw choice_count entries uniformly (with
//    replacement, as Envoy), keep the one with the fewest requests in flight; ties go to the one
//    drawn first.
//  - Unequal weights: EDF (see EdfScheduler) where a picked entry is rescheduled with
//    w_eff = weight / (in_flight + 1)^active_request_bias, computed at pick time as Envoy does
//    (other entries keep the effective weight they were last scheduled with).
//  - full_scan: least connections over all entries instead, score (in_flight + 1) / weight (plain
//    least requests when weights are equal, HAProxy's weighted leastconn otherwise; the bias is
//    not used). Ties go to the first tied entry at or after a rotating cursor (just past the last
//    pick), so an idle cluster is served round robin and no random draw is spent.
// A table with one entry returns it without drawing. Not thread-safe; Pick/OnSend/Observe never
// allocate.
class LeastRequestPolicy final : public Policy {
 public:
  struct Options {
    int choice_count = 2;              // >= 2 (Envoy's minimum)
    double active_request_bias = 1.0;  // >= 0; 0 makes the weighted case plain weighted RR
    bool full_scan = false;
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  LeastRequestPolicy();  // default options
  explicit LeastRequestPolicy(const Options& options);

  std::string_view Name() const override { return "least_request"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void OnSend(BackendIndex b, TimePoint now) override;
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) override;
  // Cluster gauges: backends, in_flight (total over the table), weighted (1 when EDF is used).
  void ReportCluster(StatSink& sink) const override;
  // Backend gauges: in_flight, weight, effective_weight.
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

 private:
  double EffectiveWeight(BackendIndex b) const;
  BackendIndex PickPowerOfChoices(Random& rng) const;
  BackendIndex PickFullScan();

  const Options options_;
  std::vector<RoutingEntry> entries_;  // table order
  std::vector<double> weight_by_slot_;
  bool weighted_ = false;  // unequal weights: EDF
  EdfScheduler edf_;
  InFlightTracker in_flight_;
  size_t cursor_ = 0;  // full scan: where the next tie search starts
};

}  // namespace huddle::core
