// Routing policies on the request path: BM_Pick (Pick alone) and BM_PickObserve (Pick, OnSend,
// Observe), each at 8, 64, 1024 and 10000 backends, with equal weights (/0) or weights 1..4 (/1).
// Counters: allocs_per_op (heap allocations per operation, must be 0) and pick_spread (coefficient
// of variation of picks per backend divided by its weight: 0 is a perfect weighted spread; random
// choices at k picks per backend carry about 1/sqrt(k) of sampling noise).
// To add a policy, add one line to Policies().
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.h"
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

using Factory = std::function<Result<std::unique_ptr<Policy>>()>;

struct PolicyCase {
  std::string name;
  Factory create;
};

std::vector<PolicyCase> Policies() {
  return {
      {"round_robin", [] { return RoundRobinPolicy::Create({}); }},
      {"wrr_smooth", [] { return WeightedRoundRobinPolicy::Create({}); }},
      {"wrr_edf",
       [] {
         return WeightedRoundRobinPolicy::Create({{"algorithm", "edf"}});
       }},
      {"random", [] { return RandomPolicy::Create({}); }},
      {"least_request", [] { return LeastRequestPolicy::Create({}); }},
      {"least_request_full_scan",
       [] {
         return LeastRequestPolicy::Create({{"full_scan", "true"}});
       }},
      {"peak_ewma", [] { return PeakEwmaPolicy::Create({}); }},
      {"metrics_weighted", [] { return MetricsWeightedPolicy::Create({}); }},
      {"thermal", [] { return ThermalPolicy::Create({}); }},
      {"thermal_p2c",
       [] {
         return ThermalPolicy::Create({{"pick", "least_request"}});
       }},
      {"maglev", [] { return ConsistentHashPolicy::Create({}); }},
      {"maglev_bounded",
       [] {
         return ConsistentHashPolicy::Create({{"balance_factor", "1.25"}});
       }},
      {"ring",
       [] {
         return ConsistentHashPolicy::Create({{"algorithm", "ring"}});
       }},
  };
}

RoutingTable MakeTable(uint32_t n, bool weighted) {
  RoutingTable table;
  table.backend_slots = n;
  for (uint32_t b = 0; b < n; ++b) {
    table.entries.push_back(RoutingEntry{b, weighted ? 1.0 + b % 4 : 1.0});
  }
  return table;
}

// Coefficient of variation of count / weight over the table's backends.
double Spread(const std::vector<uint64_t>& counts, const RoutingTable& table) {
  double sum = 0.0;
  double sum_sq = 0.0;
  for (const RoutingEntry& e : table.entries) {
    const double x = static_cast<double>(counts[e.backend]) / e.weight;
    sum += x;
    sum_sq += x * x;
  }
  const double n = static_cast<double>(table.entries.size());
  const double mean = sum / n;
  const double variance = std::max(0.0, sum_sq / n - mean * mean);
  return mean > 0 ? std::sqrt(variance) / mean : 0.0;
}

void Run(benchmark::State& state, const PolicyCase& policy_case, bool observe) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  const RoutingTable table = MakeTable(n, state.range(1) != 0);
  auto made = policy_case.create();
  if (!made) {
    state.SkipWithError(made.error().message.c_str());
    return;
  }
  std::unique_ptr<Policy> policy = std::move(*made);
  policy->Update(table);
  std::vector<uint64_t> counts(n, 0);
  Xoshiro256 rng(42);
  TimePoint now{};
  uint64_t key = 0;
  const uint64_t allocations_before = support::Allocations();
  for (auto _ : state) {
    now += std::chrono::microseconds(50);
    const PickContext ctx{now, rng, ++key};
    const std::optional<BackendIndex> b = policy->Pick(ctx);
    benchmark::DoNotOptimize(b);
    ++counts[*b];
    if (observe) {
      policy->OnSend(*b, now);
      policy->Observe(*b, Outcome::Success(std::chrono::milliseconds(1 + *b % 7)), now);
    }
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["allocs_per_op"] =
      static_cast<double>(support::Allocations() - allocations_before) / iterations;
  state.counters["pick_spread"] = Spread(counts, table);
}

}  // namespace
}  // namespace huddle::core

int main(int argc, char** argv) {
  using huddle::core::PolicyCase;
  for (const PolicyCase& policy_case : huddle::core::Policies()) {
    for (bool observe : {false, true}) {
      const std::string name =
          std::string(observe ? "BM_PickObserve/" : "BM_Pick/") + policy_case.name;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [policy_case, observe](benchmark::State& state) {
                                     huddle::core::Run(state, policy_case, observe);
                                   })
          ->ArgsProduct({{8, 64, 1024, 10000}, {0, 1}})
          ->ArgNames({"backends", "weighted"});
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
