#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"

namespace huddle::proxy {

// Builds one policy instance (one per worker thread) by name, through the brain's factory.
core::Result<std::unique_ptr<core::Policy>> MakeProxyPolicy(std::string_view name,
                                                            const core::OptionMap& options);
std::vector<std::string> ProxyPolicyNames();

}  // namespace huddle::proxy
