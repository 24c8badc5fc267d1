#pragma once

#include <string_view>
#include <vector>

namespace huddle::sim {

// A scenario compiled into the binary from examples/scenarios/NAME.yaml.
struct BuiltinScenario {
  std::string_view name;
  std::string_view yaml;
};

// In file-name order. Generated at configure time (see src/sim/CMakeLists.txt).
const std::vector<BuiltinScenario>& BuiltinScenarios();

}  // namespace huddle::sim
