#include "core/control/replica_planner.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/control/queueing.h"

namespace huddle::core {

Result<ReplicaPlannerOptions> ReplicaPlannerOptions::Parse(const OptionMap& options) {
  ReplicaPlannerOptions o;
  OptionReader r(options, "replica_planner");
  const OptionRange positive{.min = 0, .min_exclusive = true};
  const OptionRange non_negative{.min = 0};
  o.step = r.Time("step", o.step, positive);
  o.horizon_steps = static_cast<size_t>(
      r.Int("horizon_steps", static_cast<int64_t>(o.horizon_steps), {.min = 1, .max = 10000}));
  o.scenarios = static_cast<size_t>(
      r.Int("scenarios", static_cast<int64_t>(o.scenarios), {.min = 1, .max = 10000}));
  o.setpoint = r.Double("setpoint", o.setpoint, {.min = 0.05, .max = 1});
  o.rho_ceiling = r.Double("rho_ceiling", o.rho_ceiling, {.min = 0.05, .max = 1});
  o.slo = r.Time("slo", o.slo, positive);
  o.slo_quantile = r.Double("slo_quantile", o.slo_quantile,
                            {.min = 0, .max = 1, .min_exclusive = true, .max_exclusive = true});
  o.max_queue_delay = r.Time("max_queue_delay", o.max_queue_delay, positive);
  o.workers_per_replica =
      r.Double("workers_per_replica", o.workers_per_replica, {.min = 1, .max = 1e6});
  o.min_replicas = static_cast<int>(r.Int("min_replicas", o.min_replicas, {.min = 0, .max = 1e6}));
  o.max_replicas = static_cast<int>(r.Int("max_replicas", o.max_replicas, {.min = 1, .max = 1e6}));
  o.w_slo = r.Double("w_slo", o.w_slo, non_negative);
  o.w_rho = r.Double("w_rho", o.w_rho, non_negative);
  o.w_cost = r.Double("w_cost", o.w_cost, non_negative);
  o.w_change = r.Double("w_change", o.w_change, non_negative);
  o.kappa = r.Double("kappa", o.kappa, non_negative);
  o.cvar_q = r.Double("cvar_q", o.cvar_q, {.min = 0, .max = 1, .max_exclusive = true});
  if (o.min_replicas > o.max_replicas) r.Problem("min_replicas must not exceed max_replicas");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

ReplicaPlanner::ReplicaPlanner(const ReplicaPlannerOptions& options)
    : options_(options),
      scenarios_(options.scenarios, options.horizon_steps),
      costs_(scenarios_.scenarios()) {}

double ReplicaPlanner::LinearCost(const PlannerInput& input, int n) const {
  const double n_ref = std::max(1.0, input.capacity.ready);
  return options_.w_cost * n / n_ref +
         options_.w_change * std::abs(n - input.capacity.committed()) / n_ref;
}

ReplicaPlanner::Evaluation ReplicaPlanner::Evaluate(const PlannerInput& input, int n) {
  const double dt = ToSeconds(options_.step);
  const double slo = ToSeconds(options_.slo);
  const double rho_star = options_.setpoint;
  const double workers = options_.workers_per_replica;
  const double mu = std::max(input.mu_per_replica, 1e-12);
  const double mu_worker = mu / workers;
  const double service = std::max(0.0, input.service_time_s);
  const double max_delay = ToSeconds(options_.max_queue_delay);
  const size_t steps = scenarios_.steps();
  constexpr double kBig = 1e6;  // stands in for an infinite p99 / rho (no capacity at all)
  Evaluation e;
  for (size_t s = 0; s < scenarios_.scenarios(); ++s) {
    double backlog = std::max(0.0, input.queue_depth);
    double cost = 0.0;
    for (size_t k = 0; k < steps; ++k) {
      const double replicas = input.capacity.ReplicasAt(FromSeconds(dt * (k + 1)), n);
      const double capacity = replicas * mu;
      const double lambda = scenarios_.At(s, k);
      double rho = capacity > 0.0 ? lambda / capacity : (lambda > 0.0 ? kBig : 0.0);
      // Requests older than max_queue_delay have timed out or been shed: the queue cannot hold
      // more than capacity x that delay (without the cap, draining a backlog built during the
      // provisioning delay would dominate the objective and buy several times the capacity).
      backlog = std::clamp(backlog + (lambda - capacity) * dt, 0.0, capacity * max_delay);
      double p99 = kBig;
      if (capacity > 0.0) {
        p99 = service + backlog / capacity;
        const int c = std::max(1, static_cast<int>(std::lround(replicas * workers)));
        if (rho < 1.0) {
          const double bound = MmcWaitQuantileBound(c, lambda, mu_worker, options_.slo_quantile);
          // When even the C <= 1 bound meets the SLO the SLO term is 0 either way: skip the
          // O(c) Erlang C.
          if (p99 + bound > slo)
            p99 += MmcWaitQuantile(c, lambda, mu_worker, options_.slo_quantile);
        } else {
          p99 += slo;  // a queue without a steady state: at least one SLO of extra delay
        }
      }
      rho = std::min(rho, kBig);
      p99 = std::min(p99, kBig);
      const double over_slo = std::max(0.0, p99 / slo - 1.0);
      const double over_rho = std::max(0.0, rho - options_.rho_ceiling);
      cost += options_.w_slo * over_slo * over_slo + options_.w_rho * over_rho * over_rho;
      e.mean_rho += rho;
      e.mean_p99 += p99;
    }
    costs_[s] = cost / static_cast<double>(steps);
  }
  // The setpoint on the expected path (the forecast itself).
  double expected_cost = 0.0;
  for (size_t k = 0; k < steps; ++k) {
    const double capacity = input.capacity.ReplicasAt(FromSeconds(dt * (k + 1)), n) * mu;
    const double lambda = std::max(0.0, input.forecast[k]);
    const double rho = capacity > 0.0 ? lambda / capacity : (lambda > 0.0 ? kBig : 0.0);
    const double over = std::max(0.0, std::min(rho, kBig) - rho_star);
    expected_cost += options_.w_rho * over * over;
  }
  expected_cost /= static_cast<double>(steps);
  const double total = static_cast<double>(scenarios_.scenarios() * steps);
  e.mean_rho /= total;
  e.mean_p99 /= total;
  // CVaR_q: mean of the worst ceil((1 - q) S) scenario costs.
  std::sort(costs_.begin(), costs_.end());
  double mean = 0.0;
  for (double c : costs_) mean += c;
  mean /= static_cast<double>(costs_.size());
  const size_t tail = std::max<size_t>(
      1, static_cast<size_t>(std::ceil((1.0 - options_.cvar_q) * costs_.size() - 1e-9)));
  double cvar = 0.0;
  for (size_t i = costs_.size() - tail; i < costs_.size(); ++i) cvar += costs_[i];
  cvar /= static_cast<double>(tail);
  e.risk_objective = expected_cost + mean + options_.kappa * cvar;
  return e;
}

double ReplicaPlanner::Objective(const PlannerInput& input, int n) {
  return Evaluate(input, n).risk_objective + LinearCost(input, n);
}

Plan ReplicaPlanner::Recommend(const PlannerInput& input, Random& random) {
  const ScenarioShape shape{.sigma = input.sigma};
  // Common random numbers: the same draws every decision (seeded from `random` once), so two
  // decisions differ only by what they were given, not by sampling noise in the tail.
  if (!draws_seeded_) {
    draws_seed_ = random.NextU64();
    draws_seeded_ = true;
  }
  Xoshiro256 draws(draws_seed_);
  scenarios_.Generate(input.forecast, shape, draws);
  const int lo = std::max(options_.min_replicas, 0);
  const int hi = std::max(options_.max_replicas, lo);
  Plan plan;
  auto risk = [&](int n) {
    ++plan.evaluations;
    return Evaluate(input, n).risk_objective;
  };
  // Smallest n whose risk is as low as the largest target's (within a relative 1e-9).
  const double floor_risk = risk(hi);
  const double tolerance = 1e-9 * std::max(1.0, floor_risk);
  int left = lo;
  int right = hi;
  while (left < right) {
    const int mid = left + (right - left) / 2;
    if (risk(mid) <= floor_risk + tolerance) {
      right = mid;
    } else {
      left = mid + 1;
    }
  }
  const int knee = left;
  int best = knee;
  double best_objective = floor_risk + LinearCost(input, knee);
  // Above the knee only the linear part changes: its other candidate is the committed count.
  const int committed = static_cast<int>(std::lround(input.capacity.committed()));
  if (committed > knee && committed <= hi) {
    const double objective = floor_risk + LinearCost(input, committed);
    if (objective < best_objective) {
      best = committed;
      best_objective = objective;
    }
  }
  int rises = 0;
  double previous = floor_risk + LinearCost(input, knee);
  for (int n = knee - 1; n >= lo && rises < 3; --n) {
    const double objective = risk(n) + LinearCost(input, n);
    if (objective < best_objective) {
      best = n;
      best_objective = objective;
    }
    rises = objective > previous ? rises + 1 : 0;
    previous = objective;
  }
  const Evaluation chosen = Evaluate(input, best);
  plan.replicas = best;
  plan.objective = best_objective;
  plan.expected_rho = chosen.mean_rho;
  plan.expected_p99_s = chosen.mean_p99;
  return plan;
}

}  // namespace huddle::core
