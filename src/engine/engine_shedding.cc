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
  const double dt = std::max(1e-3, core::ToSeconds(options_.tick));
  // Evidence first: the completions served at acceptable latency (p99 within the SLO, backlog
  // not growing) over the admission window. Shedding never admits less than that: a model that
  // underestimates capacity (mu from latency x an assumed worker count) would otherwise shed,
  // and closed-loop clients, re-sending each 503 at once, would push the admit probability to
  // nothing (docs/config.md, measured: 99 % of responses were 503).
  if (s.fresh) {
    const double err = std::clamp(s.latest.error_rate, 0.0, 1.0);
    const double admitted = std::max(0.0, s.last_attempts - s.latest.shed_rate);
    const double growth = s.shed_has_queue ? s.latest.queue_depth - s.shed_last_queue : 0.0;
    s.shed_last_queue = s.latest.queue_depth;
    s.shed_has_queue = true;
    const double slo_ms = core::ToMillis(options_.autopilot.planner.slo);
    if (growth <= 0.0 && s.latest.latency_p99 <= slo_ms && err < options_.error_collapse_rate) {
      s.good_served.push_back({now, std::max(0.0, admitted - growth / dt) * (1.0 - err)});
    }
  }
  while (s.good_served.size() > 1 && now - s.good_served.front().at >= options_.admission.window) {
    s.good_served.pop_front();
  }
  s.good_served_rps = 0.0;
  for (const auto& g : s.good_served) s.good_served_rps = std::max(s.good_served_rps, g.rps);

  // Admission by utilisation applies only while the engine predicts collapse (rho at the risk
  // threshold) or saturation (the Monte Carlo projection's warning probability).
  const bool evidence = options_.shed_on_evidence;
  s.shed_gate = mu > 0.0 && !s.attempts.empty() &&
                (!evidence || s.rho >= options_.risk.collapse_rho ||
                 s.saturation_probability >= options_.risk.saturation_warning_probability);
  double admit = 1.0;
  const double allowed =
      evidence ? std::max(options_.shed_rho * cap, s.good_served_rps) : options_.shed_rho * cap;
  if (s.fresh) s.offered.Add(s.last_attempts, s.last_failed, dt);
  if (s.shed_gate && !s.offered.empty()) {
    // The decision holds for the next tick, so it is made on the attempts predicted for it
    // (OfferedLoad: smoothed first attempts with their trend, a surge taken at once, plus the
    // retries of this tick's shed and failed requests), at shed_sigmas Poisson deviations above
    // the prediction: admitting shed_rho x capacity of the last tick's attempts flip-flops
    // between shedding and admitting everything as the retries come and go, and lets noise
    // through, so the admitted load exceeds the ceiling over several seconds.
    // Without a fresh point, the last prediction holds.
    const double predicted = s.offered.Predict();
    const double high = predicted + options_.shed_sigmas * std::sqrt(std::max(predicted, 1.0) / dt);
    admit = high > allowed && predicted > 0 ? allowed / high : 1.0;
    // The evidence floor against the offered load as measured (no extrapolation), with a probe
    // of kEvidenceProbe: a closed-loop client sends each shed request again at once, so offered
    // = served / admit, and a floor of exactly what was served would hold any admit < 1 where it
    // is; the probe lets admission climb back while latency stays acceptable.
    constexpr double kEvidenceProbe = 1.1;
    if (evidence && s.good_served_rps > 0 && s.last_attempts > 0) {
      admit = std::max(admit, std::min(1.0, kEvidenceProbe * s.good_served_rps / s.last_attempts));
    }
  }
  // SRE client-side throttling over the admission window, on aggregate counts per tick:
  // P = max(0, (requests - accepts / threshold) / (requests + 1)). It reacts to the backends'
  // errors (not to our shedding: shed requests are not sent), so it needs no prediction.
  if (s.fresh) {
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
  if (!s.shed_gate) {
    // No limit from the model without a prediction: the proxy's adaptive concurrency limit,
    // driven by measured latency, is in force anyway.
    s.concurrency_limit = 0;
    return;
  }
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
