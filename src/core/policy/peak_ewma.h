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
//
// Slow-server quarantine (huddle's addition; off with slow_factor 0). Peak EWMA balances latency
// x load, so a server 5x slower than its peers still takes requests whenever the others hold about
// 5x its queue, and those requests make the cluster's tail. So each backend also keeps a smoothed
// latency: a time-weighted EWMA of successful responses and passing probes (a sample dt after the
// previous one has weight 1 - exp(-dt / slow_window), so the average spans the same time at any
// request rate, and one probe after a quiet second counts for most of the estimate). At every
// Tick(), a backend with at least 5 samples whose smoothed latency exceeds slow_factor times the
// median of the table's backends (lower median, at least 2 backends measured) and exceeds it by
// more than slow_min_excess is quarantined; it leaves quarantine at the first Tick() where it
// no longer does. A quarantined backend loses every comparison against one that is not, so it
// is picked only when every drawn candidate is quarantined, or once per slow_retry_interval as a
// trial (a real request that re-measures it; active health checks re-measure it too). At most
// half of the measured backends can be above the median, so most of the cluster always serves.
// Gauges per backend: latency_ms, and inner (1 serving, 0 quarantined) for the dashboard's rings.
//
// In-flight counts and costs are per backend slot and survive table updates.
// Not thread-safe; Pick/OnSend/Observe never allocate.
class PeakEwmaPolicy final : public Policy {
 public:
  struct Options {
    Duration decay = std::chrono::seconds(10);             // tau, a time constant (> 0)
    Duration default_rtt = std::chrono::milliseconds(30);  // cost before the first response
    Duration failure_penalty = std::chrono::seconds(1);    // minimum charge for a failure
    int choice_count = 2;      // backends drawn per pick (P2C = 2); the least loaded wins
    bool full_scan = false;    // compare every backend instead of drawing choice_count
    double slow_factor = 3.0;  // quarantine above this multiple of the median latency (0: off)
    Duration slow_min_excess = std::chrono::milliseconds(2);  // ... and this far above it
    Duration slow_retry_interval = std::chrono::seconds(1);   // one trial request per interval
    Duration slow_window = std::chrono::seconds(1);  // time constant of the smoothed latency
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
  void ObserveProbe(BackendIndex b, const Outcome& outcome, TimePoint now) override;
  // Re-evaluates the slow-server quarantine.
  void Tick(TimePoint now) override;
  void ReportCluster(StatSink& sink) const override;
  // Backend gauges: in_flight, cost_ms and load_ms (decayed to the latest time the policy saw),
  // latency_ms (smoothed) and inner (0 while quarantined).
  void ReportBackend(BackendIndex b, StatSink& sink) const override;
  void SetEventListener(PolicyEventListener listener) override { listener_ = std::move(listener); }

  // The decayed cost of `b` at `now`, in nanoseconds (for tests and reports).
  double CostNanos(BackendIndex b, TimePoint now) const;
  // cost x (pending + 1) / weight: what picks compare.
  double LoadNanos(BackendIndex b, TimePoint now) const;
  bool Quarantined(BackendIndex b) const { return b < slow_.size() && slow_[b].quarantined; }

 private:
  struct Estimate {
    double cost_ns = 0.0;
    TimePoint stamp{};
    bool has_sample = false;  // a response was observed
    bool stamped = false;     // stamp is valid (first candidacy or first response)
  };

  // The smoothed latency and quarantine state of one backend slot.
  struct SlowState {
    double latency_ns = 0.0;
    uint32_t samples = 0;
    TimePoint last_sample{};
    bool quarantined = false;
    TimePoint last_trial{};
  };

  void Touch(BackendIndex b, TimePoint now);
  void Sample(BackendIndex b, const Outcome& outcome, TimePoint now);
  // Whether candidate `c` with `load` beats the current best (quarantine first, then load).
  bool Beats(BackendIndex c, double load, BackendIndex best, double best_load) const;
  // A quarantined candidate that is due for its trial request (stamps the trial).
  bool TrialDue(BackendIndex b, TimePoint now);

  const Options options_;
  const double tau_ns_;
  std::vector<BackendIndex> backends_;  // table order
  std::vector<Estimate> estimates_;     // by slot
  std::vector<double> weights_;         // by slot: the table weight (load is divided by it)
  InFlightTracker in_flight_;
  std::vector<SlowState> slow_;         // by slot
  std::vector<double> median_scratch_;  // Tick's median, capacity kept by Update
  size_t quarantined_count_ = 0;
  double median_latency_ns_ = 0.0;  // at the last Tick, for reports
  PolicyEventListener listener_;
  TimePoint latest_{};  // latest time seen, for reports
};

}  // namespace huddle::core
