#include "engine/service_state.h"

namespace huddle::engine {

ServiceState::ServiceState(std::string id_in, const EngineOptions& options, core::TimePoint now)
    : id(std::move(id_in)),
      first_seen(now),
      last_seen(now),
      attempts(options.window),
      demand(options.window),
      errors(options.window),
      p99_ms(options.window),
      queue(options.window),
      mu(options.service_rate),
      forecaster(options.forecaster),
      load(options.forecaster),
      autopilot(options.autopilot),
      target(options.autopilot.hpa.min_replicas > 0 ? options.autopilot.hpa.min_replicas : 1),
      offered(OfferedLoadOptions{.retry_budget = options.retry_budget_ratio}) {}

}  // namespace huddle::engine
