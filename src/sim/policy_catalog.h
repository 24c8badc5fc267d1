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
// and whether the cluster brain runs outlier detection next to it. "sed_oracle", "clairvoyant" and
// "lower_bound" are the simulator's own (they live here, not in core: no real body knows the
// truth they read). "default" is whatever core::DefaultPolicy() is.
struct PolicySpec {
  std::string label;
  std::string policy;
  core::OptionMap options;
  bool outlier_detection = false;
  std::string description;
};

// The standard comparison set, in table order: round_robin, least_request, least_conn,
// peak_ewma, peak_ewma_od, metrics_weighted, thermal, thermal_lr, thermal_od, default, prequal,
// c3, sed_oracle, clairvoyant, lower_bound.
std::vector<PolicySpec> StandardPolicies();

// The labels every suite run reports beside a scenario's own list: the default, the peers and the
// yardsticks (default, prequal, c3, sed_oracle, clairvoyant, lower_bound).
std::vector<std::string> YardstickLabels();

// Whether the policy reads the simulator's truth (it cannot be built without an OracleView).
bool NeedsSimulatorView(const PolicySpec& spec);

// A label of the standard set, or any policy name the core factory knows (with no options);
// "label:key=value:..." adds or overrides options, for example "peak_ewma:choice_count=3".
core::Result<PolicySpec> FindPolicy(std::string_view label);

// Every label FindPolicy accepts.
std::vector<std::string> KnownPolicyLabels();

// Builds the policy. `oracle` must be non-null when NeedsSimulatorView(spec).
core::Result<std::unique_ptr<core::Policy>> CreatePolicy(const PolicySpec& spec,
                                                         const OracleView* oracle);

}  // namespace huddle::sim
