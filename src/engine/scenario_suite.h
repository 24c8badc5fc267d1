#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace huddle::engine {

// One pass/fail criterion of a scenario; `value` is the worst over the seeds.
struct Criterion {
  std::string name;  // names its comparison: "breach windows <=", "lead time (s) >="
  double value = 0.0;
  double threshold = 0.0;
  bool pass = false;
};

// One row of a scenario's comparison: the engine, a baseline or the oracle planner, with the
// mean over seeds of each figure that applies to it (absent where it does not).
struct ComparisonRow {
  std::string name;
  std::map<std::string, double> metrics;  // keys: ComparisonMetrics()
};

struct ScenarioOutcome {
  std::string name;
  std::string description;
  bool pass = false;
  int seeds = 0;
  std::vector<uint64_t> failed_seeds;  // seeds on which some criterion failed
  std::vector<Criterion> criteria;
  std::vector<ComparisonRow> comparison;  // engine first, oracle last
  std::vector<std::string> headline;      // the metrics the engine must win or tie on
};

// The comparison's figures, in report order, with one line on each.
struct ComparisonMetric {
  std::string key;
  std::string label;
  bool higher_is_better;
};
const std::vector<ComparisonMetric>& ComparisonMetrics();

struct SuiteOptions {
  int seeds = 5;
  uint64_t first_seed = 1;
  std::vector<std::string> only;  // scenario names; empty = all
};

// The scenarios of engine-anchors section 8 and three false-alarm scenarios, run against the
// real Engine and a ScenarioPlant (provisioning delay U(20, 40) s, 2 % telemetry dropouts,
// corrupt points, Poisson arrivals, client retries), open loop (autopilot frozen, nothing
// applied) where a criterion needs forecasts, lead times or false alarms, closed loop otherwise.
// Beside the engine, on the same plant and seeds: a reactive Kubernetes HPA (closed loop),
// static utilisation alarms at rho 0.7 and 0.8, naive, seasonal-naive and 60 s OLS forecasters,
// and the oracle planner's replica-seconds (scenario_baselines.h, scenario_oracle.h). Every
// criterion must hold on every seed.
std::vector<std::string> ScenarioNames();
core::Result<ScenarioOutcome> RunScenario(const std::string& name, const SuiteOptions& options);
core::Result<std::vector<ScenarioOutcome>> RunSuite(const SuiteOptions& options);

std::string SuiteMarkdown(const std::vector<ScenarioOutcome>& outcomes);
// {"scenarios": [{"name", "pass", "criteria": [{"name", "value", "threshold", "pass"}]}]}
nlohmann::json SuiteJson(const std::vector<ScenarioOutcome>& outcomes);

}  // namespace huddle::engine
