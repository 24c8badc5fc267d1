#include "proxy/shed_adaptive_limit.h"

#include <algorithm>

namespace huddle::proxy {

AdaptiveLimit::AdaptiveLimit(const core::GradientControllerOptions& options,
                             ClusterShedState& state, core::TimePoint now, uint64_t seed)
    : state_(state), controller_(options, now), random_(seed) {
  state_.sampler.Drain([](core::Duration, uint64_t) {});  // what came before is not ours
  state_.adaptive_limit.store(controller_.limit(), std::memory_order_relaxed);
  state_.adaptive_enabled.store(true, std::memory_order_relaxed);
}

AdaptiveLimit::~AdaptiveLimit() {
  state_.adaptive_enabled.store(false, std::memory_order_relaxed);
  state_.adaptive_limit.store(0, std::memory_order_relaxed);
}

void AdaptiveLimit::Tick(core::TimePoint now) {
  const bool skip = skip_batch_;
  skip_batch_ = false;
  state_.sampler.Drain([&](core::Duration latency, uint64_t count) {
    latencies_.RecordN(core::ToMillis(latency), count);
    if (skip) return;
    controller_.AddLatency(latency, count);
    samples_ += count;
  });
  const bool measuring = controller_.measuring_min_rtt();
  const int64_t in_flight = state_.in_flight.load(std::memory_order_relaxed);
  controller_.ObserveInFlight(static_cast<uint32_t>(std::max<int64_t>(0, in_flight)));
  controller_.Tick(now, random_);
  if (!measuring && controller_.measuring_min_rtt()) skip_batch_ = true;
  state_.adaptive_limit.store(controller_.limit(), std::memory_order_relaxed);
}

core::LogHistogram AdaptiveLimit::TakeLatencies() {
  core::LogHistogram out = latencies_;
  latencies_.Reset();
  return out;
}

}  // namespace huddle::proxy
