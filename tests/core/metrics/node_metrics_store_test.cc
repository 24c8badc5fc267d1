#include "core/metrics/node_metrics_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace huddle::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

BackendMetrics Cpu(double t, double cpu) {
  BackendMetrics m;
  m.timestamp = At(t);
  m.cpu = cpu;
  return m;
}

TEST(NodeMetricsStoreTest, DefaultAlphaIsAkkas) {
  // 1 - exp(-ln2 * 3 / 12) = 1 - 2^(-1/4) = 0.15910358...
  NodeMetricsStore store({});
  EXPECT_NEAR(store.alpha(), 1.0 - std::exp2(-0.25), 1e-12);
  EXPECT_NEAR(store.alpha(), 0.1591035847, 1e-9);
}

TEST(NodeMetricsStoreTest, FirstSampleSetsTheValue) {
  NodeMetricsStore store({});
  EXPECT_FALSE(store.Has(3));
  EXPECT_TRUE(store.Record(3, Cpu(1, 0.42)));
  EXPECT_TRUE(store.Has(3));
  EXPECT_EQ(store.timestamp(3), At(1));
  const NodeMetrics m = store.Get(3);
  ASSERT_TRUE(m.cpu.has_value());
  EXPECT_DOUBLE_EQ(*m.cpu, 0.42);
  EXPECT_FALSE(m.memory_used_bytes.has_value());
  EXPECT_FALSE(m.processors.has_value());
}

TEST(NodeMetricsStoreTest, UnknownBackendHasNoValues) {
  NodeMetricsStore store({});
  const NodeMetrics m = store.Get(17);
  EXPECT_FALSE(m.cpu || m.cpu_stolen || m.memory_used_bytes || m.memory_max_bytes ||
               m.load_average || m.processors);
}

TEST(NodeMetricsStoreTest, HalfWayAfterHalfLifeOverIntervalSamples) {
  // Interval 3 s, half-life 12 s: after 12 / 3 = 4 samples of a step from 0 to 1 the value is
  // 1 - (1 - alpha)^4 = 1 - 2^-1 = 0.5 exactly; after 8 samples, 0.75.
  NodeMetricsStore store({.sample_interval = FromSeconds(3), .half_life = FromSeconds(12)});
  ASSERT_TRUE(store.Record(0, Cpu(0, 0.0)));
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(store.Record(0, Cpu(3 * i, 1.0)));
  EXPECT_NEAR(*store.Get(0).cpu, 0.5, 1e-12);
  for (int i = 5; i <= 8; ++i) ASSERT_TRUE(store.Record(0, Cpu(3 * i, 1.0)));
  EXPECT_NEAR(*store.Get(0).cpu, 0.75, 1e-12);
}

TEST(NodeMetricsStoreTest, HalfLifeScalesWithInterval) {
  // Interval 1 s, half-life 10 s: half-way after 10 samples, not before.
  NodeMetricsStore store({.sample_interval = FromSeconds(1), .half_life = FromSeconds(10)});
  ASSERT_TRUE(store.Record(0, Cpu(0, 0.8)));
  for (int i = 1; i <= 9; ++i) ASSERT_TRUE(store.Record(0, Cpu(i, 0.0)));
  EXPECT_GT(*store.Get(0).cpu, 0.4 + 1e-3);
  ASSERT_TRUE(store.Record(0, Cpu(10, 0.0)));
  EXPECT_NEAR(*store.Get(0).cpu, 0.4, 1e-12);
}

TEST(NodeMetricsStoreTest, OlderOrEqualTimestampIsIgnoredAndCounted) {
  NodeMetricsStore store({});
  ASSERT_TRUE(store.Record(0, Cpu(10, 0.5)));
  EXPECT_FALSE(store.Record(0, Cpu(5, 0.9)));   // older
  EXPECT_FALSE(store.Record(0, Cpu(10, 0.9)));  // equal: a duplicate
  EXPECT_EQ(store.stale_reports(), 2u);
  EXPECT_EQ(store.accepted_reports(), 1u);
  EXPECT_DOUBLE_EQ(*store.Get(0).cpu, 0.5);
  EXPECT_EQ(store.timestamp(0), At(10));

  ASSERT_TRUE(store.Record(0, Cpu(11, 0.9)));
  EXPECT_NEAR(*store.Get(0).cpu, 0.5 + store.alpha() * 0.4, 1e-12);
  EXPECT_EQ(store.timestamp(0), At(11));
}

TEST(NodeMetricsStoreTest, TimestampsAreOrderedPerBackend) {
  NodeMetricsStore store({});
  ASSERT_TRUE(store.Record(0, Cpu(10, 0.5)));
  EXPECT_TRUE(store.Record(1, Cpu(2, 0.7)));  // older than backend 0's, but 1 has none yet
  EXPECT_EQ(store.stale_reports(), 0u);
}

TEST(NodeMetricsStoreTest, HostileFieldsAreDroppedOneByOne) {
  NodeMetricsStore store({});
  BackendMetrics first;
  first.timestamp = At(1);
  first.cpu = 0.4;
  first.memory_used_bytes = 100;
  first.memory_max_bytes = 1000;
  first.load_average = 1.5;
  ASSERT_TRUE(store.Record(0, first));
  // Not measured: cpu_stolen, processors.
  EXPECT_EQ(store.missing_samples(), 2u);
  EXPECT_EQ(store.invalid_samples(), 0u);

  BackendMetrics hostile;
  hostile.timestamp = At(2);
  hostile.cpu = kNaN;
  hostile.cpu_stolen = -0.1;
  hostile.memory_used_bytes = kInf;
  hostile.memory_max_bytes = 2000;  // the one valid field
  hostile.load_average = -kInf;
  hostile.processors = kNaN;
  ASSERT_TRUE(store.Record(0, hostile));
  EXPECT_EQ(store.missing_samples(), 4u);  // + cpu, processors
  EXPECT_EQ(store.invalid_samples(), 3u);  // stolen, used, load

  const NodeMetrics m = store.Get(0);
  EXPECT_DOUBLE_EQ(*m.cpu, 0.4);
  EXPECT_FALSE(m.cpu_stolen.has_value());
  EXPECT_DOUBLE_EQ(*m.memory_used_bytes, 100);
  EXPECT_NEAR(*m.memory_max_bytes, 1000 + store.alpha() * 1000, 1e-9);
  EXPECT_DOUBLE_EQ(*m.load_average, 1.5);
  EXPECT_FALSE(m.processors.has_value());
  for (double v : {*m.cpu, *m.memory_used_bytes, *m.memory_max_bytes, *m.load_average}) {
    EXPECT_TRUE(std::isfinite(v));
  }
  // The report was newer, so its timestamp counts even though most of it was dropped.
  EXPECT_EQ(store.timestamp(0), At(2));
}

TEST(NodeMetricsStoreTest, ZeroIsAValidSample) {
  NodeMetricsStore store({});
  ASSERT_TRUE(store.Record(0, Cpu(1, 0.0)));
  EXPECT_EQ(store.invalid_samples(), 0u);
  EXPECT_DOUBLE_EQ(*store.Get(0).cpu, 0.0);
}

TEST(NodeMetricsStoreTest, RemoveForgetsEverything) {
  NodeMetricsStore store({});
  ASSERT_TRUE(store.Record(2, Cpu(10, 0.9)));
  store.Remove(2);
  EXPECT_FALSE(store.Has(2));
  EXPECT_FALSE(store.Get(2).cpu.has_value());
  // A returning backend starts afresh: an earlier clock is accepted and not averaged with 0.9.
  ASSERT_TRUE(store.Record(2, Cpu(1, 0.1)));
  EXPECT_DOUBLE_EQ(*store.Get(2).cpu, 0.1);
  store.Remove(999);  // unknown: no effect, no crash
  EXPECT_TRUE(store.Has(2));
}

TEST(NodeMetricsStoreTest, MakeRejectsNonPositiveDurations) {
  EXPECT_FALSE(NodeMetricsStore::Make({.sample_interval = Duration::zero()}).has_value());
  EXPECT_FALSE(NodeMetricsStore::Make({.half_life = FromSeconds(-1)}).has_value());
  Result<NodeMetricsStore> ok = NodeMetricsStore::Make({});
  ASSERT_TRUE(ok.has_value());
  EXPECT_NEAR(ok->alpha(), 1.0 - std::exp2(-0.25), 1e-12);
}

}  // namespace
}  // namespace huddle::core
