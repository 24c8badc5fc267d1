// Speed of the discrete-event simulator: simulated requests per second of wall time, on one core
// (items_per_second). The target is 5 million per second, so that every scenario with
// every policy and 10 trials runs in under two minutes.

#include <benchmark/benchmark.h>

#include "sim/policy_catalog.h"
#include "sim/scenario_loader.h"
#include "sim/simulation.h"

namespace huddle::sim {
namespace {

// Six backends with two workers (exponential 10 ms) at 70 % load, open loop, health checks and
// retries on: the shape of most scenarios, without faults.
Scenario OpenLoop(uint32_t backends, double seconds) {
  Scenario s;
  s.name = "bench";
  s.duration_s = seconds;
  for (uint32_t i = 0; i < backends; ++i) {
    SimBackendSpec b;
    b.name = "s" + std::to_string(i);
    b.workers = 2;
    b.service.kind = ServiceSpec::Kind::kExponential;
    b.service.mean_ms = 10.0;
    s.backends.push_back(b);
  }
  s.workload.kind = WorkloadSpec::Kind::kOpen;
  s.workload.rate_per_s = 0.7 * 200.0 * backends;
  s.retry.attempts = 3;
  return s;
}

const char* const kPolicies[] = {"round_robin",      "least_request", "least_conn", "peak_ewma",
                                 "metrics_weighted", "thermal_lr",    "thermal_od", "oracle"};

void RunOne(benchmark::State& state, const Scenario& scenario, const std::string& label) {
  const PolicySpec spec = *FindPolicy(label);
  uint64_t requests = 0;
  uint64_t events = 0;
  uint64_t seed = 1;
  for (auto _ : state) {
    Simulation sim(scenario, spec, seed++);
    auto result = sim.Run();
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    requests += result->simulated_requests;
    events += result->events;
    benchmark::DoNotOptimize(result->metrics.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(requests));
  state.counters["events_per_request"] =
      requests ? static_cast<double>(events) / static_cast<double>(requests) : 0.0;
  state.SetLabel(label);
}

// Arg 0: policy index; arg 1: backends.
void BM_SimulateOpenLoop(benchmark::State& state) {
  const Scenario s = OpenLoop(static_cast<uint32_t>(state.range(1)), 20.0);
  RunOne(state, s, kPolicies[state.range(0)]);
}
BENCHMARK(BM_SimulateOpenLoop)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7}, {6}})
    ->ArgsProduct({{0, 1, 3, 5}, {100}})
    ->Unit(benchmark::kMillisecond);

// The seed's closed-loop slow-server scenario as shipped, per policy.
void BM_SimulateSlowServerScenario(benchmark::State& state) {
  static const Scenario s = *LoadScenario("slow_server");
  RunOne(state, s, kPolicies[state.range(0)]);
}
BENCHMARK(BM_SimulateSlowServerScenario)->DenseRange(0, 7)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace huddle::sim

BENCHMARK_MAIN();
