#include "engine/engine_options.h"

#include <algorithm>
#include <cmath>

namespace huddle::engine {

void EngineOptions::Normalise() {
  const double tick_s = std::max(1e-3, core::ToSeconds(tick));
  forecaster.horizon_steps =
      static_cast<size_t>(std::max(1.0, std::round(core::ToSeconds(forecast_horizon) / tick_s)));
  service_rate.workers_per_replica = workers_per_replica;
  autopilot.planner.workers_per_replica = workers_per_replica;
  autopilot.planner.step = decision_interval;
  autopilot.planner.min_replicas = autopilot.hpa.min_replicas;
  autopilot.planner.max_replicas = autopilot.hpa.max_replicas;
  // The planner's horizon must cover the provisioning delay plus two steps (engine-anchors 5).
  const double step_s = std::max(1e-3, core::ToSeconds(decision_interval));
  const double needed = std::ceil(core::ToSeconds(autopilot.provisioning_delay) / step_s) + 2.0;
  autopilot.planner.horizon_steps =
      std::max(autopilot.planner.horizon_steps, static_cast<size_t>(needed));
  // Risk reasons quote the projection horizon.
  slo_ms = core::ToMillis(autopilot.planner.slo);
}

}  // namespace huddle::engine
