#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "taskd/task_simulator.h"

namespace huddle::taskd {

struct EvaluationOptions {
  std::vector<uint64_t> seeds = {1, 2, 3, 4, 5};
  // Balancing round intervals; every scenario and policy runs at each.
  std::vector<core::Duration> check_intervals = {std::chrono::seconds(30)};
};

// One scenario under one policy at one balancing interval: the metric per seed.
struct EvaluationCell {
  std::string scenario;
  std::string policy;
  core::Duration check_interval{};
  std::vector<double> values;  // NaN where a seed never rebalanced
  std::vector<size_t> migrations;
};

// The policies every scenario runs under, in table order: adaptive, adaptive-hardware,
// fixed_threshold+hardware, fixed_threshold, no_migration.
std::vector<SimPolicy> EvaluationPolicies();

// Runs every scenario under every evaluation policy at every interval, over every seed.
std::vector<EvaluationCell> Evaluate(const EvaluationOptions& options);

// A paired comparison of two cells over the seeds where both have a value: the mean relative
// change of a against b (percent of b's mean), a 95 % t interval of the mean paired difference
// (in percent of b's mean), and in how many seeds a was better (by the scenario's direction).
struct PairedChange {
  size_t n = 0;
  double change_pct = 0;
  double ci95_pct = 0;
  size_t a_better = 0;
};
PairedChange ComparePaired(const EvaluationCell& a, const EvaluationCell& b, bool lower_is_better);

// The markdown report (docs/benchmarks/tasks.md), with the command that produced it.
std::string EvaluationMarkdown(const std::vector<EvaluationCell>& cells,
                               const EvaluationOptions& options, const std::string& command);
// Which SimResult field each scenario is judged by, and whether lower is better.
double ScenarioMetric(const std::string& scenario, const SimResult& result);
bool LowerIsBetter(const std::string& scenario);

// `huddle tasks evaluate [--seeds N] [--check-interval 30s[,60s,...]] [--out FILE]`.
int RunEvaluateCommand(int argc, char** argv);

}  // namespace huddle::taskd
