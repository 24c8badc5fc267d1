#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/in_flight_tracker.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Peak-EWMA with power of two choices, as Finagle's p2cPeakEwma and tower's PeakEwma (Linkerd).
//
// Each backend has a latency cost with a time stamp. Semantics (tau = `decay`):
//  - Between responses the cost decays toward zero: read at time t it is
//    cost * exp(-(t - stamp) / tau). This is Finagle's observe(0) on every load read, computed
//    without mutating state so that the result does not depend on how often Pick reads it.
//  - A response with latency r at time t: with w = exp(-(t - stamp) / tau) and c = cost * w (the
//    decayed cost), if r > c then cost = r (the peak, at once); otherwise
//    cost = cost * w + r * (1 - w) (the EWMA step, i.e. c + r * (1 - w)). stamp = t.
//  - A backend with no response yet costs `default_rtt` (Linkerd), decaying toward zero from the
//    first pick that considers it (tower starts the decay when the endpoint is created; Update has
//    no clock), so an unmeasured backend that keeps losing is probed after a while. Its first
//    response replaces the default instead of being averaged with it.
//  - Failures must not look fast: a failed request (outcome.ok == false) is charged
//    max(latency, failure_penalty), failure_penalty default 1 s, as Linkerd charges 1 s for a
//    failure in probation (a fixed value is predictable; a multiple of the current cost would
//    vanish for a backend whose cost has decayed).
//  - load = cost * (in_flight + 1); if the decayed cost is exactly 0 while requests are pending,
//    load is a large penalty plus in_flight (Finagle's rule for hosts without history).
// Pick draws two distinct entries uniformly (Below(n), then Below(n - 1) skipping the first, as
// Finagle and tower) and returns the one with the lower load; ties go to the first drawn.
// In-flight counts and costs are per backend slot and survive table updates.
// Not thread-safe; Pick/OnSend/Observe never allocate.
class PeakEwmaPolicy final : public Policy {
 public:
  struct Options {
    Duration decay = std::chrono::seconds(10);             // tau, a time constant (> 0)
    Duration default_rtt = std::chrono::milliseconds(30);  // cost before the first response
    Duration failure_penalty = std::chrono::seconds(1);    // minimum charge for a failure
    int choice_count = 2;    // backends drawn per pick (P2C = 2); the least loaded wins
    bool full_scan = false;  // compare every backend instead of drawing choice_count
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  PeakEwmaPolicy();  // default options
  explicit PeakEwmaPolicy(const Options& options);

  std::string_view Name() const override { return "peak_ewma"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void OnSend(BackendIndex b, TimePoint now) override;
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) override;
  void ReportCluster(StatSink& sink) const override;
  // Backend gauges: in_flight, cost_ms and load_ms (decayed to the latest time the policy saw).
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

  // The decayed cost of `b` at `now`, in nanoseconds (for tests and reports).
  double CostNanos(BackendIndex b, TimePoint now) const;
  // cost x (pending + 1) / weight: what picks compare.
  double LoadNanos(BackendIndex b, TimePoint now) const;

 private:
  struct Estimate {
    double cost_ns = 0.0;
    TimePoint stamp{};
    bool has_sample = false;  // a response was observed
    bool stamped = false;     // stamp is valid (first candidacy or first response)
  };

  void Touch(BackendIndex b, TimePoint now);

  const Options options_;
  const double tau_ns_;
  std::vector<BackendIndex> backends_;  // table order
  std::vector<Estimate> estimates_;     // by slot
  std::vector<double> weights_;         // by slot: the table weight (load is divided by it)
  InFlightTracker in_flight_;
  TimePoint latest_{};  // latest time seen, for reports
};

}  // namespace huddle::core
