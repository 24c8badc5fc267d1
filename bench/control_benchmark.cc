// Microbenchmarks of the control models at the sizes the engine uses per service and tick:
// ns/op and heap allocations per op.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "alloc_counter.h"
#include "core/control/forecaster_selector.h"
#include "core/control/gradient_controller.h"
#include "core/control/monte_carlo_projection.h"
#include "core/control/queueing.h"
#include "core/control/replica_planner.h"
#include "core/control/telemetry_window.h"
#include "core/random.h"

namespace huddle::core {
namespace {

void ReportAllocations(benchmark::State& state, uint64_t before) {
  state.counters["allocs_per_op"] = static_cast<double>(support::Allocations() - before) /
                                    static_cast<double>(state.iterations());
}

void BM_ErlangC(benchmark::State& state) {
  const int c = static_cast<int>(state.range(0));
  const double a = 0.98 * c;
  for (auto _ : state) benchmark::DoNotOptimize(ErlangC(c, a));
}
BENCHMARK(BM_ErlangC)->Arg(10)->Arg(100)->Arg(1000)->Arg(5000);

void BM_TelemetryWindowAdd(benchmark::State& state) {
  TelemetryWindow window;
  Xoshiro256 random(1);
  TimePoint now{};
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    now += FromSeconds(1);
    window.Add(100.0 + 10.0 * random.UnitDouble(), now);
    benchmark::DoNotOptimize(window.Confidence(now));
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_TelemetryWindowAdd);

void BM_ForecasterSelectorAdd(benchmark::State& state) {
  ForecasterSelector selector;
  Xoshiro256 random(1);
  double t = 0;
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    t += 1;
    selector.Add(100.0 + t * 0.1 + 5.0 * random.UnitDouble());
    benchmark::DoNotOptimize(selector.Forecast(15));
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_ForecasterSelectorAdd);

void BM_MonteCarloProject(benchmark::State& state) {
  MonteCarloOptions o;
  o.scenarios = static_cast<size_t>(state.range(0));
  MonteCarloProjection mc(o);
  Xoshiro256 random(1);
  const std::vector<double> forecast(o.steps(), 850.0);
  const CapacityTimeline capacity{.ready = 1};
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(mc.Project(forecast, 0.03, 1000.0, capacity, 1, random));
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_MonteCarloProject)->Arg(20)->Arg(200);

// Replicas ready x demand at rho 0.75 (workers = 8 x replicas, so c up to 8 x max_replicas).
void BM_ReplicaPlannerRecommend(benchmark::State& state) {
  const double ready = static_cast<double>(state.range(0));
  ReplicaPlannerOptions o;
  o.max_replicas = static_cast<int>(4 * ready);
  ReplicaPlanner planner(o);
  Xoshiro256 random(1);
  const std::vector<double> forecast(o.horizon_steps, 0.75 * 200.0 * ready);
  PlannerInput in;
  in.forecast = forecast;
  in.sigma = 0.03;
  in.mu_per_replica = 200.0;
  in.capacity.ready = ready;
  const uint64_t before = support::Allocations();
  int evaluations = 0;
  for (auto _ : state) {
    const Plan plan = planner.Recommend(in, random);
    evaluations = plan.evaluations;
    benchmark::DoNotOptimize(plan);
  }
  state.counters["evaluations"] = evaluations;
  ReportAllocations(state, before);
}
BENCHMARK(BM_ReplicaPlannerRecommend)->Arg(10)->Arg(100)->Arg(625);

void BM_GradientAcquireRelease(benchmark::State& state) {
  Xoshiro256 random(1);
  GradientController controller(GradientControllerOptions{}, TimePoint{});
  TimePoint now{};
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    now += FromMillis(1);
    if (controller.TryAcquire()) controller.Release(FromMillis(10), now, random);
    controller.Tick(now, random);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_GradientAcquireRelease);

}  // namespace
}  // namespace huddle::core

BENCHMARK_MAIN();
