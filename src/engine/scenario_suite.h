#pragma once

#include <cstdint>
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

struct ScenarioOutcome {
  std::string name;
  std::string description;
  bool pass = false;
  int seeds = 0;
  std::vector<Criterion> criteria;
};

struct SuiteOptions {
  int seeds = 5;
  uint64_t first_seed = 1;
  std::vector<std::string> only;  // scenario names; empty = all ten
};

// The ten scenarios of engine-anchors section 8, run against the real Engine and a ScenarioPlant
// (provisioning delay U(20, 40) s, 2 % telemetry dropouts, corrupt points, Poisson arrivals,
// client retries), open loop (autopilot frozen, nothing applied) where a criterion needs
// forecasts or lead times, closed loop otherwise. Every criterion must hold on every seed.
std::vector<std::string> ScenarioNames();
core::Result<ScenarioOutcome> RunScenario(const std::string& name, const SuiteOptions& options);
core::Result<std::vector<ScenarioOutcome>> RunSuite(const SuiteOptions& options);

std::string SuiteMarkdown(const std::vector<ScenarioOutcome>& outcomes);
// {"scenarios": [{"name", "pass", "criteria": [{"name", "value", "threshold", "pass"}]}]}
nlohmann::json SuiteJson(const std::vector<ScenarioOutcome>& outcomes);

}  // namespace huddle::engine
