#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "sim/scenario.h"
#include "sim/suite_runner.h"

namespace huddle::sim {

// The seed's parameter-sensitivity table: p95 latency of the thermal policy in a scenario for
// each heat threshold (rows) and EMA alpha (columns), mean ± std over the trials.
struct SensitivityTable {
  std::string scenario;
  std::string policy;
  std::vector<double> heats;
  std::vector<double> alphas;
  std::vector<std::vector<double>> mean_ms;  // [heat][alpha]
  std::vector<std::vector<double>> std_ms;
  uint32_t trials = 0;
  uint64_t simulated_requests = 0;
  double wall_seconds = 0.0;
};

// Runs `policy_label` (a thermal variant) with options heat and alpha over the grid.
core::Result<SensitivityTable> RunSensitivity(const Scenario& scenario,
                                              const std::string& policy_label,
                                              const std::vector<double>& heats,
                                              const std::vector<double>& alphas,
                                              const RunOptions& options);

std::string SensitivityMarkdown(const SensitivityTable& table);

}  // namespace huddle::sim
