// The embeddable huddle::Cluster end to end (mutex, brain, policy, counters), and the memory each
// backend costs in every policy and in the brain.
//   BM_ClusterPickRecord/<policy>/<backends>: Pick + RecordLatency through the public API.
//   BM_StatePerBackend/<policy>/<backends>: live heap bytes of one policy instance after Update
//     with the table, divided by the backend count (counter bytes_per_backend).
//   BM_BrainStatePerBackend/<backends>: the same for ClusterBrain.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "core/cluster/cluster_brain.h"
#include "core/cluster/policy_factory.h"
#include "huddle/cluster.h"

namespace huddle {
namespace {

const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = core::PolicyNames();
  return names;
}

std::vector<ServerSpec> Servers(int n) {
  std::vector<ServerSpec> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    out.push_back({"server-" + std::to_string(i), "10.0.0.1", static_cast<uint16_t>(1000 + i)});
  }
  return out;
}

void BM_ClusterPickRecord(benchmark::State& state) {
  const std::string& name = Names()[state.range(0)];
  state.SetLabel(name);
  auto cluster = Cluster::Create(Servers(static_cast<int>(state.range(1))),
                                 {.policy = name, .outlier_detection = true, .seed = 42});
  if (!cluster) {
    state.SkipWithError(cluster.error().c_str());
    return;
  }
  Cluster& c = **cluster;
  uint64_t i = 0;
  const uint64_t allocs_before = support::Allocations();
  for (auto _ : state) {
    PickedServer s = c.Pick(i);
    c.RecordLatency(s, std::chrono::microseconds(500 + (i & 1023)));
    ++i;
    benchmark::DoNotOptimize(s);
  }
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(support::Allocations() - allocs_before) / static_cast<double>(i));
}

void PolicyArgs(benchmark::internal::Benchmark* b) {
  for (int p = 0; p < static_cast<int>(Names().size()); ++p) {
    for (int n : {8, 64, 1024}) b->Args({p, n});
  }
}
BENCHMARK(BM_ClusterPickRecord)->Apply(PolicyArgs);

void BM_StatePerBackend(benchmark::State& state) {
  const std::string& name = Names()[state.range(0)];
  const auto n = static_cast<uint32_t>(state.range(1));
  state.SetLabel(name);
  core::RoutingTable table;
  table.backend_slots = n;
  for (uint32_t b = 0; b < n; ++b) table.entries.push_back({b, 1.0});
  double bytes = 0;
  for (auto _ : state) {
    const int64_t before = support::LiveBytes();
    auto policy = core::MakePolicy(name, {});
    if (!policy) {
      state.SkipWithError(policy.error().message.c_str());
      return;
    }
    (*policy)->Update(table);
    bytes = static_cast<double>(support::LiveBytes() - before);
    benchmark::DoNotOptimize(policy);
  }
  state.counters["bytes_per_backend"] = bytes / n;
}
void StateArgs(benchmark::internal::Benchmark* b) {
  for (int p = 0; p < static_cast<int>(Names().size()); ++p) {
    for (int n : {64, 10000}) b->Args({p, n});
  }
  b->Iterations(3);
}
BENCHMARK(BM_StatePerBackend)->Apply(StateArgs);

void BM_BrainStatePerBackend(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  double bytes = 0;
  for (auto _ : state) {
    const int64_t before = support::LiveBytes();
    auto brain = std::make_unique<core::ClusterBrain>(core::ClusterBrainOptions{});
    for (int i = 0; i < n; ++i) {
      benchmark::DoNotOptimize(
          brain->AddBackend({"server-" + std::to_string(i), 1.0}, core::TimePoint{}));
    }
    bytes = static_cast<double>(support::LiveBytes() - before);
    benchmark::DoNotOptimize(brain);
  }
  state.counters["bytes_per_backend"] = bytes / n;
}
BENCHMARK(BM_BrainStatePerBackend)->Arg(64)->Arg(1024)->Iterations(1);

}  // namespace
}  // namespace huddle

BENCHMARK_MAIN();
