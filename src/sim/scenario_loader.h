#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sim/scenario.h"

namespace huddle::sim {

// Reads a scenario from YAML (the format of examples/scenarios/*.yaml, described in
// docs/simulator.md). Unknown keys and bad values are errors that name the origin and line.
core::Result<Scenario> ParseScenario(std::string_view yaml_text, std::string_view origin);

// A built-in scenario by name (see BuiltinScenarioNames), or else a YAML file path.
core::Result<Scenario> LoadScenario(std::string_view name_or_path);

std::vector<std::string> BuiltinScenarioNames();

}  // namespace huddle::sim
