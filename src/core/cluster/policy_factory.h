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

}  // namespace huddle::core
