// Microbenchmarks of the statistics on the record path: ns/op and heap allocations per op, with
// the histogram's measured quantile error beside its speed.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "alloc_counter.h"
#include "core/random.h"
#include "core/stats/ewma.h"
#include "core/stats/log_histogram.h"
#include "core/stats/sliding_window.h"
#include "core/stats/windowed_quantiles.h"

namespace huddle::core {
namespace {

constexpr size_t kValues = 1 << 14;  // power of two: index with a mask

// Lognormal latencies in ms (median 20, sigma 1), fixed seed.
const std::vector<double>& Latencies() {
  static const std::vector<double> values = [] {
    Xoshiro256 random(42);
    std::vector<double> out(kValues);
    for (double& v : out) {
      const double u1 = 1.0 - random.UnitDouble();
      const double u2 = random.UnitDouble();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      v = 20.0 * std::exp(z);
    }
    return out;
  }();
  return values;
}

void ReportAllocations(benchmark::State& state, uint64_t before) {
  const double ops = static_cast<double>(state.iterations());
  state.counters["allocs_per_op"] =
      ops > 0 ? static_cast<double>(support::Allocations() - before) / ops : 0.0;
}

// Arg: relative error in thousandths (10 = 1 %, 1 = 0.1 %).
void BM_LogHistogramRecord(benchmark::State& state) {
  const double e = static_cast<double>(state.range(0)) / 1000.0;
  LogHistogram histogram({.min_value = 1e-3, .max_value = 1e6, .relative_error = e});
  const std::vector<double>& values = Latencies();
  size_t i = 0;
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    histogram.Record(values[i++ & (kValues - 1)]);
  }
  ReportAllocations(state, before);
  benchmark::DoNotOptimize(histogram.Count());
  // Quality: worst relative error of p50/p99/p99.9 against the exact order statistics of one
  // pass over the values.
  LogHistogram check({.min_value = 1e-3, .max_value = 1e6, .relative_error = e});
  std::vector<double> sorted = values;
  for (double v : values) check.Record(v);
  std::sort(sorted.begin(), sorted.end());
  double worst = 0.0;
  for (double q : {0.5, 0.99, 0.999}) {
    const double exact = sorted[static_cast<size_t>(std::floor(q * (kValues - 1)))];
    worst = std::max(worst, std::fabs(check.Quantile(q) - exact) / exact);
  }
  state.counters["max_rel_error"] = worst;
  state.counters["buckets"] = static_cast<double>(histogram.num_buckets());
}
BENCHMARK(BM_LogHistogramRecord)->ArgsProduct({{10, 1}});

void BM_LogHistogramQuantile(benchmark::State& state) {
  LogHistogram histogram;
  for (double v : Latencies()) histogram.Record(v);
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(histogram.Quantile(0.99));
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_LogHistogramQuantile);

// Arg: number of slots in a 10 s window; each op advances time by 1 ms, so slots rotate.
void BM_WindowedQuantilesRecord(benchmark::State& state) {
  WindowedQuantiles window(
      {.window = FromSeconds(10), .slots = static_cast<size_t>(state.range(0))});
  const std::vector<double>& values = Latencies();
  size_t i = 0;
  TimePoint now{};
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    now += std::chrono::milliseconds(1);
    window.Record(values[i++ & (kValues - 1)], now);
  }
  ReportAllocations(state, before);
  benchmark::DoNotOptimize(window.Count(now));
}
BENCHMARK(BM_WindowedQuantilesRecord)->ArgsProduct({{10, 60}});

void BM_WindowedQuantilesQuantile(benchmark::State& state) {
  WindowedQuantiles window(
      {.window = FromSeconds(10), .slots = static_cast<size_t>(state.range(0))});
  TimePoint now{};
  for (double v : Latencies()) {
    now += std::chrono::microseconds(500);
    window.Record(v, now);
  }
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(window.Quantile(0.99, now));
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_WindowedQuantilesQuantile)->ArgsProduct({{10, 60}});

void BM_EwmaAdd(benchmark::State& state) {
  Ewma ewma(Ewma::AlphaFromHalfLife(10.0));
  const std::vector<double>& values = Latencies();
  size_t i = 0;
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    ewma.Add(values[i++ & (kValues - 1)]);
    benchmark::DoNotOptimize(ewma.value());
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_EwmaAdd);

void BM_DecayingEwmaAdd(benchmark::State& state) {
  DecayingEwma ewma(FromSeconds(1));
  const std::vector<double>& values = Latencies();
  size_t i = 0;
  TimePoint now{};
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    now += std::chrono::milliseconds(1);
    ewma.Add(values[i++ & (kValues - 1)], now);
    benchmark::DoNotOptimize(ewma.value());
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_DecayingEwmaAdd);

// Arg: window capacity (10: the thermal latency window; 20: the P95 history).
void BM_SlidingWindowAddMedian(benchmark::State& state) {
  SlidingWindow window(static_cast<size_t>(state.range(0)));
  const std::vector<double>& values = Latencies();
  size_t i = 0;
  const uint64_t before = support::Allocations();
  for (auto _ : state) {
    window.Add(values[i++ & (kValues - 1)]);
    benchmark::DoNotOptimize(window.Median());
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_SlidingWindowAddMedian)->ArgsProduct({{10, 20}});

}  // namespace
}  // namespace huddle::core

BENCHMARK_MAIN();
