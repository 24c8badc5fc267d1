// Checks that the recording paths allocate nothing (tests/support/alloc_counter.h counts every
// operator new of the test binary).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>

#include "alloc_counter.h"
#include "core/stats/ewma.h"
#include "core/stats/log_histogram.h"
#include "core/stats/sliding_window.h"
#include "core/stats/windowed_quantiles.h"

namespace huddle::core {
namespace {

using support::Allocations;

TEST(NoAllocationTest, CounterSeesAllocations) {
  const uint64_t before = Allocations();
  auto* p = new LogHistogram();  // the object and its buckets
  delete p;
  EXPECT_GE(Allocations() - before, 2u);
}

TEST(NoAllocationTest, RecordingAndQueryingDoNotAllocate) {
  LogHistogram histogram;
  LogHistogram other;
  other.Record(3.0);
  WindowedQuantiles window({.window = FromSeconds(10), .slots = 10});
  SlidingWindow sliding(20);
  Ewma ewma(0.2);
  DecayingEwma decaying(FromSeconds(1));
  double sink = 0.0;

  const uint64_t before = Allocations();
  for (int i = 0; i < 10'000; ++i) {
    const double v = 0.5 + (i % 997);
    const TimePoint now = TimePoint{} + FromMillis(7.0 * i);
    histogram.Record(v);
    window.Record(v, now);
    sliding.Add(v);
    ewma.Add(v);
    decaying.Add(v, now);
    if (i % 1000 == 0) {
      sink += histogram.Quantile(0.99) + window.Quantile(0.99, now) + window.Mean(now) +
              sliding.Median() + sliding.Quantile(0.95) + sliding.Mean();
      (void)histogram.Merge(other);
    }
  }
  EXPECT_EQ(Allocations() - before, 0u);
  EXPECT_GT(sink, 0.0);
  histogram.Reset();
  EXPECT_EQ(Allocations() - before, 0u);
}

}  // namespace
}  // namespace huddle::core
