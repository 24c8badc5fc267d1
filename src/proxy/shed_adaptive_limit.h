#pragma once

#include <cstdint>

#include "core/control/gradient_controller.h"
#include "core/random.h"
#include "core/stats/log_histogram.h"
#include "core/time.h"
#include "proxy/shed_state.h"

namespace huddle::proxy {

// One cluster's adaptive concurrency limit: Envoy's gradient controller
// (core::GradientController) driven by the latency of every admitted request. Each control tick
// Tick() drains the latencies the workers recorded in the cluster's LatencySampler into the
// controller, runs its timers (a limit update every concurrency_update_interval from the
// window's sample RTT against the periodically measured min RTT) and publishes the limit in the
// cluster's ClusterShedState, where TryAdmit() enforces it.
//
// Samples are attributed to the tick that drains them: the batch drained right after a min-RTT
// window opens is dropped, because those requests ran under the previous, higher limit.
// Thread safety: the control thread only. Owns its controller and random generator; `state`
// must outlive it.
class AdaptiveLimit {
 public:
  AdaptiveLimit(const core::GradientControllerOptions& options, ClusterShedState& state,
                core::TimePoint now, uint64_t seed);
  AdaptiveLimit(const AdaptiveLimit&) = delete;
  AdaptiveLimit& operator=(const AdaptiveLimit&) = delete;
  ~AdaptiveLimit();  // stops enforcing its limit

  void Tick(core::TimePoint now);

  const core::GradientController& controller() const { return controller_; }
  uint64_t samples() const { return samples_; }  // latencies taken into the controller
  // Every latency drained since the last TakeLatencies() (the engine feed's percentiles: 2 %
  // relative error, where the per-backend histograms only know their bucket bounds). Resets.
  core::LogHistogram TakeLatencies();

 private:
  ClusterShedState& state_;
  core::GradientController controller_;
  core::Xoshiro256 random_;
  core::LogHistogram latencies_;  // ms, since the last TakeLatencies()
  bool skip_batch_ = false;
  uint64_t samples_ = 0;
};

}  // namespace huddle::proxy
