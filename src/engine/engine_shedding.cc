#include <algorithm>
#include <cmath>

#include "engine/engine.h"
#include "engine/service_state.h"

// The engine's load-shedding decision per service: admission probability (utilisation and the
// SRE admission throttle) and the concurrency limit a proxy applies until the next tick.

namespace huddle::engine {

void Engine::Shed(ServiceState& s, core::TimePoint now) {
  const double mu = s.mu_estimate;
  const double cap = std::max(0.0, s.ready) * mu;
  if (mu <= 0.0 || s.attempts.empty()) {
    s.admit_probability = 1.0;
    s.concurrency_limit = 0;
    s.throttle_reject = 0.0;
    return;
  }
  // The decision holds for the next tick: while offered load rises, extrapolate one step so a
  // surge (a thundering herd after an outage) is not admitted one tick late.
  // Without a fresh point, hold the last one (the fast EWMA is winsorised and lags a surge).
  double offered = s.last_attempts;
  if (s.fresh && s.prev_attempts > 0 && s.last_attempts > s.prev_attempts) {
    offered += s.last_attempts - s.prev_attempts;
  }
  const double allowed = options_.shed_rho * cap;
  double admit = offered > allowed && offered > 0 ? allowed / offered : 1.0;
  // SRE client-side throttling over the admission window, on aggregate counts per tick:
  // P = max(0, (requests - accepts / threshold) / (requests + 1)).
  if (s.fresh) {
    const double dt = core::ToSeconds(options_.tick);
    const double sent = std::max(0.0, s.last_attempts - s.latest.shed_rate) * dt;
    const double accepted = sent * (1.0 - std::clamp(s.latest.error_rate, 0.0, 1.0));
    s.throttle.push_back({now, sent, accepted});
  }
  while (!s.throttle.empty() && now - s.throttle.front().at >= options_.admission.window) {
    s.throttle.pop_front();
  }
  double requests = 0.0;
  double accepts = 0.0;
  for (const auto& b : s.throttle) {
    requests += b.requests;
    accepts += b.accepts;
  }
  double reject = 0.0;
  if (requests >= static_cast<double>(options_.admission.min_requests)) {
    reject = std::max(
        0.0, (requests - accepts / options_.admission.success_threshold) / (requests + 1.0));
    if (options_.admission.aggression != 1.0) {
      reject = std::pow(reject, 1.0 / options_.admission.aggression);
    }
    reject = std::min(reject, options_.admission.max_rejection_probability);
  }
  s.throttle_reject = reject;
  s.admit_probability = std::clamp(admit * (1.0 - reject), 0.0, 1.0);
  // Little's law: the workers plus the queue that still meets the SLO at the allowed rate.
  const double workers = std::max(1.0, s.ready * options_.workers_per_replica);
  const double slack_s = std::max(
      0.0, core::ToSeconds(options_.autopilot.planner.slo) - options_.workers_per_replica / mu);
  s.concurrency_limit = static_cast<uint32_t>(std::ceil(workers + 0.5 * allowed * slack_s));
}

ShedDecision Engine::Shedding(std::string_view service) const {
  ShedDecision d;
  d.retry_budget_ratio = options_.retry_budget_ratio;
  auto it = by_id_.find(std::string(service));
  if (it == by_id_.end()) return d;
  const ServiceState& s = *services_[it->second];
  d.admit_probability = s.admit_probability;
  d.concurrency_limit = s.concurrency_limit;
  d.retry_after = std::max(core::FromSeconds(1), options_.tick);
  return d;
}

}  // namespace huddle::engine
