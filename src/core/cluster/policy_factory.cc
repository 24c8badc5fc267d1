#include "core/cluster/policy_factory.h"

#include "core/metrics/metrics_weighted_policy.h"
#include "core/policy/consistent_hash.h"
#include "core/policy/least_request.h"
#include "core/policy/peak_ewma.h"
#include "core/policy/random_policy.h"
#include "core/policy/round_robin.h"
#include "core/policy/weighted_round_robin.h"
#include "core/thermal/thermal_policy.h"

namespace huddle::core {
namespace {

struct Entry {
  std::string_view name;
  Result<std::unique_ptr<Policy>> (*create)(const OptionMap&);
};

constexpr Entry kPolicies[] = {
    {"round_robin", &RoundRobinPolicy::Create},
    {"weighted_round_robin", &WeightedRoundRobinPolicy::Create},
    {"random", &RandomPolicy::Create},
    {"least_request", &LeastRequestPolicy::Create},
    {"peak_ewma", &PeakEwmaPolicy::Create},
    {"metrics_weighted", &MetricsWeightedPolicy::Create},
    {"thermal", &ThermalPolicy::Create},
    {"consistent_hash", &ConsistentHashPolicy::Create},
};

}  // namespace

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const OptionMap& options) {
  for (const Entry& e : kPolicies) {
    if (e.name == name) return e.create(options);
  }
  std::string known;
  for (const Entry& e : kPolicies) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return Fail("unknown policy '" + std::string(name) + "' (known: " + known + ")");
}

PolicySpec DefaultPolicy() { return PolicySpec{"peak_ewma", {{"choice_count", "4"}}}; }

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const Entry& e : kPolicies) names.emplace_back(e.name);
  return names;
}

}  // namespace huddle::core
