#include "sim/policy_catalog.h"

#include <algorithm>

#include "sim/oracle_policy.h"

#if __has_include("core/cluster/policy_factory.h")
#include "core/cluster/policy_factory.h"
#define HUDDLE_SIM_HAS_FACTORY 1
#else
#include "core/policy/round_robin.h"
#endif

namespace huddle::sim {
namespace {

core::Result<std::unique_ptr<core::Policy>> MakeCorePolicy(std::string_view name,
                                                           const core::OptionMap& options) {
#ifdef HUDDLE_SIM_HAS_FACTORY
  return core::MakePolicy(name, options);
#else
  if (name == "round_robin") return core::RoundRobinPolicy::Create(options);
  return core::Fail("policy '" + std::string(name) + "' is not available yet");
#endif
}

std::vector<std::string> CorePolicyNames() {
#ifdef HUDDLE_SIM_HAS_FACTORY
  return core::PolicyNames();
#else
  return {"round_robin"};
#endif
}

}  // namespace

std::vector<PolicySpec> StandardPolicies() {
  return {
      {"round_robin", "round_robin", {}, false, "plain round robin (NGINX, Envoy default)"},
      {"least_request", "least_request", {}, false, "power of two choices on requests in flight"},
      {"least_conn",
       "least_request",
       {{"full_scan", "true"}},
       false,
       "full scan for the fewest requests in flight (HAProxy leastconn)"},
      {"peak_ewma", "peak_ewma", {}, false, "P2C on peak-EWMA latency x (in flight + 1)"},
      {"metrics_weighted",
       "metrics_weighted",
       {},
       false,
       "weights from backend load reports (Akka adaptive)"},
      {"thermal", "thermal", {}, false, "HuddleCluster thermal rotation"},
      {"thermal_od", "thermal", {}, true, "thermal rotation plus Envoy outlier detection"},
      {"oracle", "oracle", {}, false, "knows true service rates: shortest expected delay"},
  };
}

std::vector<std::string> KnownPolicyLabels() {
  std::vector<std::string> labels;
  for (const PolicySpec& s : StandardPolicies()) labels.push_back(s.label);
  for (const std::string& n : CorePolicyNames()) {
    if (std::find(labels.begin(), labels.end(), n) == labels.end()) labels.push_back(n);
  }
  return labels;
}

core::Result<PolicySpec> FindPolicy(std::string_view label) {
  for (const PolicySpec& s : StandardPolicies()) {
    if (s.label == label) return s;
  }
  for (const std::string& n : CorePolicyNames()) {
    if (n == label) return PolicySpec{n, n, {}, false, "core policy " + n};
  }
  std::string known;
  for (const std::string& l : KnownPolicyLabels()) known += (known.empty() ? "" : ", ") + l;
  return core::Fail("unknown policy '" + std::string(label) + "' (known: " + known + ")");
}

core::Result<std::unique_ptr<core::Policy>> CreatePolicy(const PolicySpec& spec,
                                                         const OracleView* oracle) {
  if (spec.policy == "oracle") {
    if (oracle == nullptr) return core::Fail("the oracle needs the simulator's view");
    if (!spec.options.empty()) return core::Fail("oracle: takes no options");
    return std::unique_ptr<core::Policy>(std::make_unique<OraclePolicy>(*oracle));
  }
  return MakeCorePolicy(spec.policy, spec.options);
}

}  // namespace huddle::sim
