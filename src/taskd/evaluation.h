#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "taskd/task_simulator.h"

namespace huddle::taskd {

struct EvaluationOptions {
  std::vector<uint64_t> seeds = {1, 2, 3, 4, 5};
  core::Duration check_interval = std::chrono::seconds(30);
};

// One scenario under one policy: the metric per seed.
struct EvaluationCell {
  std::string scenario;
  std::string policy;
  std::vector<double> values;  // NaN where a seed never rebalanced
  std::vector<size_t> migrations;
};

// Runs every scenario under the adaptive planner, the fixed-threshold baseline and no migration.
std::vector<EvaluationCell> Evaluate(const EvaluationOptions& options);
// The markdown report (docs/benchmarks/tasks.md), with the command that produced it.
std::string EvaluationMarkdown(const std::vector<EvaluationCell>& cells,
                               const EvaluationOptions& options, const std::string& command);
// Which SimResult field each scenario is judged by, and whether lower is better.
double ScenarioMetric(const std::string& scenario, const SimResult& result);
bool LowerIsBetter(const std::string& scenario);

// `huddle tasks evaluate [--seeds N] [--check-interval 30s] [--out FILE]`.
int RunEvaluateCommand(int argc, char** argv);

}  // namespace huddle::taskd
