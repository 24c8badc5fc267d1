#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/control/capacity_timeline.h"
#include "core/control/demand_scenarios.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// Option keys: step, horizon_steps, scenarios, setpoint, rho_ceiling, slo, slo_quantile,
// max_queue_delay, workers_per_replica, min_replicas, max_replicas, w_slo, w_rho, w_cost, w_change,
// kappa, cvar_q.
struct ReplicaPlannerOptions {
  Duration step = FromSeconds(5);  // dt
  size_t horizon_steps = 12;       // H: H dt >= provisioning delay + 2 dt
  size_t scenarios = 20;           // S
  double setpoint = 0.70;          // rho*
  double rho_ceiling = 0.85;       // what a demand scenario may reach before it costs
  Duration slo = FromMillis(250);  // latency objective at slo_quantile
  double slo_quantile = 0.99;
  Duration max_queue_delay = FromSeconds(2);  // older requests time out or are shed
  double workers_per_replica = 8.0;           // servers per replica in the M/M/c model
  int min_replicas = 1;
  int max_replicas = 200;
  double w_slo = 100.0;  // SLO and setpoint are near-hard: one replica costs w_cost / n_ref
  double w_rho = 100.0;
  double w_cost = 0.1;
  double w_change = 0.05;
  double kappa = 0.55;  // objective = mean + kappa CVaR_q (LoadEquilibrium's 0.55 and 0.8)
  double cvar_q = 0.8;

  static Result<ReplicaPlannerOptions> Parse(const OptionMap& options);
};

// What the planner sees of one service.
struct PlannerInput {
  std::span<const double> forecast;  // expected demand (rps) at times (k + 1) dt, k < H
  double sigma = 0.05;               // log-volatility of demand per step
  double mu_per_replica = 1.0;       // rps one replica completes (ServiceRateEstimator)
  double service_time_s = 0.04;      // mean service time S
  double queue_depth = 0.0;          // requests already waiting now
  double burst_cv = 0.0;      // per-sample coefficient of variation of demand (second-to-second)
  CapacityTimeline capacity;  // ready, pending and the provisioning delay
};

struct Plan {
  int replicas = 1;           // the recommended target
  double objective = 0.0;     // mean + kappa CVaR of the chosen target
  double expected_rho = 0.0;  // mean rho over scenarios and steps at the chosen target
  double expected_p99_s = 0.0;
  int evaluations = 0;  // candidate targets evaluated
};

// Replica recommendation by scenario-based model-predictive control (receding horizon; after
// Roy, Dubey & Gokhale 2011 and Ghanbari et al. 2012). One integer target n is held over the
// horizon; for each demand scenario s and step k a fluid M/M/c plant gives
//   rho_k = lambda_k / (r_k mu),
//   backlog_k = clamp(backlog_{k-1} + (lambda_k - r_k mu) dt, 0, r_k mu max_queue_delay),
//   p99_k = S + t_q(c = r_k workers) + backlog_k / (r_k mu)
// with r_k from the CapacityTimeline (new replicas arrive after the provisioning delay) and
// t_q the M/M/c wait quantile (Erlang C, skipped when the C <= 1 bound already meets the SLO).
// Stage cost per scenario: w_slo max(0, p99/SLO - 1)^2 + w_rho max(0, rho - rho_ceiling)^2,
// averaged over the horizon. The setpoint applies to the expected path (the forecast itself):
// w_rho max(0, rho_k - rho*)^2 averaged over the horizon. The setpoint already is the headroom
// for uncertainty; charging every scenario above it as well bought that headroom twice (measured:
// the diurnal run held 0.45-0.55 utilisation against a 0.65 setpoint, docs/benchmarks/engine.md).
// Linear part: w_cost n / n_ref plus w_change |n - n_now| / n_ref once (n_ref = max(1, ready)).
// Objective: expected-path cost + mean over scenarios + kappa CVaR_q (mean of the worst 1 - q
// share). The scenarios use common random numbers: the same draws at every decision (seeded once
// from the first call's `random`), so the plan moves only when its inputs move.
// Search: the risk part is non-increasing in n (same scenarios for every n), so a binary search
// finds the smallest n whose risk equals that of max_replicas (what the delay leaves unavoidable);
// above it the objective is linear (minimum at that n or at n_now), below it a downward scan
// stops when the objective rises for 3 candidates in a row. Not thread-safe; Plan() does not
// allocate.
class ReplicaPlanner {
 public:
  explicit ReplicaPlanner(const ReplicaPlannerOptions& options = {});

  // REQUIRES: input.forecast.size() >= options.horizon_steps.
  Plan Recommend(const PlannerInput& input, Random& random);

  // The objective of target n on the scenarios of the last Recommend() (for tests and reports).
  double Objective(const PlannerInput& input, int n);
  const ReplicaPlannerOptions& options() const { return options_; }

 private:
  // Mean and risk per scenario of target n; fills costs_ (risk only) and returns stats.
  struct Evaluation {
    double risk_objective = 0.0;  // mean + kappa CVaR of the SLO and rho terms
    double mean_rho = 0.0;
    double mean_p99 = 0.0;
  };
  Evaluation Evaluate(const PlannerInput& input, int n);
  double LinearCost(const PlannerInput& input, int n) const;

  ReplicaPlannerOptions options_;
  bool draws_seeded_ = false;
  uint64_t draws_seed_ = 0;
  DemandScenarios scenarios_;
  std::vector<double> costs_;
};

}  // namespace huddle::core
