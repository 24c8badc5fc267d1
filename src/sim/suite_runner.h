#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "sim/scenario.h"
#include "sim/trial_result.h"

namespace huddle::sim {

struct RunOptions {
  // Policy labels; empty = the scenario's list, else the standard set.
  std::vector<std::string> policies;
  uint32_t trials = 0;  // 0 = the scenario's
  bool seed_given = false;
  uint64_t seed = 1;
  unsigned threads = 0;  // 0 = hardware concurrency
  bool record_series = false;
  // The reference of the Welch tests.
  std::string baseline = "round_robin";
};

// One metric of one policy over the trials: mean, sample standard deviation, half-width of the
// 95 % Student t interval, and the two-sided Welch p-value of "same mean as the baseline".
// NaN values (a detection that never happened) are left out; n says how many trials counted.
// p_value is NaN for the baseline itself and when either side has fewer than two values.
struct MetricSummary {
  std::string policy;
  std::string metric;
  uint32_t n = 0;
  double mean = kNaN;
  double std = kNaN;
  double ci95 = kNaN;
  double p_value = kNaN;
};

struct ScenarioReport {
  Scenario scenario;
  std::vector<std::string> policies;
  uint32_t trials = 0;
  uint64_t seed = 0;
  std::vector<MetricSummary> rows;         // policy-major, metrics in MetricNames() order
  std::vector<TrialResult> trial_results;  // every trial of every policy
  uint64_t simulated_requests = 0;
  double wall_seconds = 0.0;

  const MetricSummary* Find(const std::string& policy, const std::string& metric) const;
  // The mean over seeds of policy's metric divided by reference's in the trial with the same seed
  // (common random numbers make the pairs comparable); trials where either is not finite or the
  // reference is 0 are left out. NaN when no pair counts.
  double PairedRatio(const std::string& policy, const std::string& reference,
                     const std::string& metric) const;
};

// The references every policy is reported against, when the report ran them.
inline constexpr const char* kRatioReferences[] = {"clairvoyant", "lower_bound"};
// The metrics reported as ratios to them.
inline constexpr const char* kRatioMetrics[] = {"p50_ms", "p99_ms", "mean_ms"};

// Runs every policy for every trial (trial t of every policy uses seed + t: common random
// numbers across policies, independent trials), on `threads` threads, then summarises.
core::Result<ScenarioReport> RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace huddle::sim
