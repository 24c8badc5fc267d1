#include "sim/policy_catalog.h"

#include <algorithm>

#include "core/cluster/policy_factory.h"
#include "core/policy/c3.h"
#include "core/policy/least_request.h"
#include "core/policy/peak_ewma.h"
#include "core/policy/prequal.h"
#include "core/thermal/thermal_policy.h"
#include "sim/clairvoyant_policy.h"
#include "sim/sed_oracle_policy.h"

namespace huddle::sim {
namespace {

// Policies the core factory does not list yet are created directly; the factory wins once it
// knows the name.
struct Fallback {
  std::string_view name;
  core::Result<std::unique_ptr<core::Policy>> (*create)(const core::OptionMap&);
};
constexpr Fallback kFallbacks[] = {
    {"least_request", &core::LeastRequestPolicy::Create},
    {"peak_ewma", &core::PeakEwmaPolicy::Create},
    {"thermal", &core::ThermalPolicy::Create},
    {"prequal", &core::PrequalPolicy::Create},
    {"c3", &core::C3Policy::Create},
};

// Policies only the simulator can run: they read its truth through an OracleView.
bool NeedsOracle(std::string_view policy) {
  return policy == "sed_oracle" || policy == "clairvoyant" || policy == "lower_bound";
}

PolicySpec DefaultSpec() {
  const core::PolicySpec d = core::DefaultPolicy();
  std::string options;
  for (const auto& [k, v] : d.options) options += " " + k + "=" + v;
  return {"default", d.name, d.options, false,
          "core::DefaultPolicy(): " + d.name + options + " (what a config without a policy gets)"};
}

bool FactoryKnows(std::string_view name) {
  for (const std::string& n : core::PolicyNames()) {
    if (n == name) return true;
  }
  return false;
}

core::Result<std::unique_ptr<core::Policy>> MakeCorePolicy(std::string_view name,
                                                           const core::OptionMap& options) {
  if (!FactoryKnows(name)) {
    for (const Fallback& f : kFallbacks) {
      if (f.name == name) return f.create(options);
    }
  }
  return core::MakePolicy(name, options);
}

std::vector<std::string> CorePolicyNames() {
  std::vector<std::string> names = core::PolicyNames();
  for (const Fallback& f : kFallbacks) {
    if (!FactoryKnows(f.name)) names.emplace_back(f.name);
  }
  return names;
}

std::vector<PolicySpec> StandardPoliciesTable() {
  return {
      {"round_robin", "round_robin", {}, false, "plain round robin (NGINX, Envoy default)"},
      {"least_request", "least_request", {}, false, "power of two choices on requests in flight"},
      {"least_conn",
       "least_request",
       {{"full_scan", "true"}},
       false,
       "full scan for the fewest requests in flight (HAProxy leastconn)"},
      {"peak_ewma", "peak_ewma", {}, false, "P2C on peak-EWMA latency x (in flight + 1)"},
      {"peak_ewma_od",
       "peak_ewma",
       {},
       true,
       "peak_ewma plus Envoy outlier detection in the brain"},
      {"metrics_weighted",
       "metrics_weighted",
       {},
       false,
       "weights from backend load reports (Akka adaptive)"},
      {"thermal",
       "thermal",
       {},
       false,
       "HuddleCluster thermal rotation, round robin over the inner ring (the seed)"},
      {"thermal_lr",
       "thermal",
       {{"pick", "least_request"}},
       false,
       "thermal rotation, power of two choices over the inner ring"},
      {"thermal_od",
       "thermal",
       {{"pick", "least_request"}},
       true,
       "thermal_lr plus Envoy outlier detection in the cluster brain"},
      {"default", "", {}, false, ""},  // filled in below
      {"prequal",
       "prequal",
       {},
       false,
       "Prequal (NSDI 2024): probes for requests in flight and latency, hot-cold choice"},
      {"c3",
       "c3",
       {},
       false,
       "C3 (NSDI 2015): replica ranking with queue-size feedback and rate control"},
      {"sed_oracle",
       "sed_oracle",
       {},
       false,
       "knows true mean service rates: shortest expected delay (a baseline, not a bound)"},
      {"clairvoyant",
       "clairvoyant",
       {},
       false,
       "knows realised service times and worker free times: earliest finish for each request"},
      {"lower_bound",
       "lower_bound",
       {},
       false,
       "not a policy: each request's own service time on the fastest usable server, no queueing"},
  };
}

// Every standard label, with `default` resolved to core::DefaultPolicy().
std::vector<PolicySpec> ResolvedStandardPolicies() {
  std::vector<PolicySpec> specs = StandardPoliciesTable();
  for (PolicySpec& s : specs) {
    if (s.label == "default") s = DefaultSpec();
  }
  return specs;
}

}  // namespace

std::vector<PolicySpec> StandardPolicies() { return ResolvedStandardPolicies(); }

std::vector<std::string> YardstickLabels() {
  return {"default", "prequal", "c3", "sed_oracle", "clairvoyant", "lower_bound"};
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
  // "base:key=value:key=value" adds options to a known label (the label keeps the whole text).
  if (const size_t colon = label.find(':'); colon != std::string_view::npos) {
    auto base = FindPolicy(label.substr(0, colon));
    if (!base) return base;
    PolicySpec spec = *base;
    spec.label = std::string(label);
    std::string_view rest = label.substr(colon + 1);
    while (!rest.empty()) {
      const size_t next = rest.find(':');
      const std::string_view pair = rest.substr(0, next);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return core::Fail("policy option '" + std::string(pair) + "' is not key=value");
      }
      spec.options[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    }
    spec.description += " with options";
    return spec;
  }
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

bool NeedsSimulatorView(const PolicySpec& spec) { return NeedsOracle(spec.policy); }

core::Result<std::unique_ptr<core::Policy>> CreatePolicy(const PolicySpec& spec,
                                                         const OracleView* oracle) {
  if (NeedsOracle(spec.policy)) {
    if (oracle == nullptr) return core::Fail(spec.policy + " needs the simulator's view");
    if (!spec.options.empty()) return core::Fail(spec.policy + ": takes no options");
    if (spec.policy == "sed_oracle") {
      return std::unique_ptr<core::Policy>(std::make_unique<SedOraclePolicy>(*oracle));
    }
    // lower_bound dispatches like the clairvoyant policy; the simulator records the bound.
    return std::unique_ptr<core::Policy>(std::make_unique<ClairvoyantPolicy>(*oracle));
  }
  return MakeCorePolicy(spec.policy, spec.options);
}

}  // namespace huddle::sim
