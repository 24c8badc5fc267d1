#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Builds a routing policy by name with its options (validated; unknown options are errors).
// Names: see PolicyNames(). Every body creates its policies here, so a name means the same
// thing in the proxy, the simulator and the embeddable API.
Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const OptionMap& options = {});

// Every policy name MakePolicy accepts, in a stable order.
std::vector<std::string> PolicyNames();

// huddle's default policy, chosen from the simulator's results (docs/benchmarks/simulated.md):
// peak_ewma comparing 4 random backends instead of 2. Bodies use it when no policy is named.
struct PolicySpec {
  std::string name;
  OptionMap options;
};
PolicySpec DefaultPolicy();

}  // namespace huddle::core
