#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"

namespace huddle::sim {

class OracleView;

// A policy as the simulator compares it: a label for tables, the core policy name and options,
// and whether the cluster brain runs outlier detection next to it. "oracle" is the simulator's
// own clairvoyant policy (it lives here, not in core: no real body can know true service rates).
struct PolicySpec {
  std::string label;
  std::string policy;
  core::OptionMap options;
  bool outlier_detection = false;
  std::string description;
};

// The standard comparison set, in table order: round_robin, least_request, least_conn,
// peak_ewma, peak_ewma_od, metrics_weighted, thermal, thermal_lr, thermal_od, oracle.
std::vector<PolicySpec> StandardPolicies();

// A label of the standard set, or any policy name the core factory knows (with no options);
// "label:key=value:..." adds or overrides options, for example "peak_ewma:choice_count=3".
core::Result<PolicySpec> FindPolicy(std::string_view label);

// Every label FindPolicy accepts.
std::vector<std::string> KnownPolicyLabels();

// Builds the policy. `oracle` must be non-null for the oracle (it reads the simulator's truth).
core::Result<std::unique_ptr<core::Policy>> CreatePolicy(const PolicySpec& spec,
                                                         const OracleView* oracle);

}  // namespace huddle::sim
