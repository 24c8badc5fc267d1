#include "core/metrics/metrics_weighted_policy.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace huddle::core {
namespace {

using Mode = MetricsWeightedPolicy::Mode;

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

RoutingTable Table(std::vector<BackendIndex> backends, uint32_t slots,
                   std::vector<double> weights = {}) {
  RoutingTable t;
  t.version = 1;
  t.backend_slots = slots;
  for (size_t i = 0; i < backends.size(); ++i) {
    t.entries.push_back({backends[i], weights.empty() ? 1.0 : weights[i]});
  }
  return t;
}

BackendMetrics Cpu(double t, double cpu) {
  BackendMetrics m;
  m.timestamp = At(t);
  m.cpu = cpu;
  return m;
}

std::unique_ptr<MetricsWeightedPolicy> Make(MetricsWeightedPolicy::Options o = {}) {
  return std::make_unique<MetricsWeightedPolicy>(o);
}

class MapSink : public StatSink {
 public:
  void Gauge(std::string_view name, double value) override { values[std::string(name)] = value; }
  std::map<std::string, double> values;
};

TEST(MetricsWeightedPolicyTest, CreateWithDefaults) {
  Result<std::unique_ptr<Policy>> p = MetricsWeightedPolicy::Create({});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ((*p)->Name(), "metrics_weighted");
  const auto& o = static_cast<MetricsWeightedPolicy&>(**p).options();
  EXPECT_EQ(o.selector, CapacitySelector::Kind::kMix);
  EXPECT_EQ(o.sample_interval, FromSeconds(3));
  EXPECT_EQ(o.half_life, FromSeconds(12));
  EXPECT_EQ(o.mode, Mode::kWeighted);
}

TEST(MetricsWeightedPolicyTest, CreateReadsEveryOption) {
  Result<MetricsWeightedPolicy::Options> o =
      MetricsWeightedPolicy::ParseOptions({{"selector", "load"},
                                           {"sample_interval", "1s"},
                                           {"half_life", "500ms"},
                                           {"mode", "argmin"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->selector, CapacitySelector::Kind::kLoad);
  EXPECT_EQ(o->sample_interval, FromSeconds(1));
  EXPECT_EQ(o->half_life, FromMillis(500));
  EXPECT_EQ(o->mode, Mode::kArgmin);
}

TEST(MetricsWeightedPolicyTest, CreateRejectsBadOptions) {
  for (const OptionMap& bad : std::vector<OptionMap>{{{"selector", "memory"}},
                                                     {{"mode", "fastest"}},
                                                     {{"half_life", "0s"}},
                                                     {{"sample_interval", "-3s"}},
                                                     {{"sample_interval", "0.1ns"}},
                                                     {{"alpha", "0.3"}}}) {
    Result<std::unique_ptr<Policy>> p = MetricsWeightedPolicy::Create(bad);
    EXPECT_FALSE(p.has_value()) << bad.begin()->first << "=" << bad.begin()->second;
    if (!p) {
      EXPECT_NE(p.error().message.find(bad.begin()->first), std::string::npos);
    }
  }
}

TEST(MetricsWeightedPolicyTest, EmptyTablePicksNothing) {
  for (Mode mode : {Mode::kWeighted, Mode::kArgmin}) {
    auto p = Make({.mode = mode});
    ScriptedRandom rng({0});
    EXPECT_FALSE(p->Pick({.now = At(0), .rng = rng}).has_value());  // before any Update
    p->Update(Table({0, 1}, 2));
    p->ObserveMetrics(0, Cpu(1, 0.5));
    p->Update(Table({}, 2));
    EXPECT_FALSE(p->Pick({.now = At(1), .rng = rng}).has_value());
  }
}

TEST(MetricsWeightedPolicyTest, UniformBeforeAnyMetrics) {
  auto p = Make();
  p->Update(Table({0, 1, 2}, 3));
  for (BackendIndex b = 0; b < 3; ++b) EXPECT_EQ(p->WeightOf(b), 1u);
  ScriptedRandom rng(
      {ScriptedRandom::For(0, 3), ScriptedRandom::For(1, 3), ScriptedRandom::For(2, 3)});
  std::vector<BackendIndex> picks;
  for (int i = 0; i < 3; ++i) picks.push_back(*p->Pick({.now = At(0), .rng = rng}));
  EXPECT_EQ(picks, (std::vector<BackendIndex>{0, 1, 2}));
}

TEST(MetricsWeightedPolicyTest, WorkedExampleThroughThePolicy) {
  // cpu 0.1, 0.7, 0.4 -> capacities 0.9, 0.3, 0.6 -> weights 3, 1, 2 (total 6).
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1, 2}, 3));
  p->ObserveMetrics(0, Cpu(1, 0.1));
  p->ObserveMetrics(1, Cpu(1, 0.7));
  p->ObserveMetrics(2, Cpu(1, 0.4));
  EXPECT_EQ(p->WeightOf(0), 3u);
  EXPECT_EQ(p->WeightOf(1), 1u);
  EXPECT_EQ(p->WeightOf(2), 2u);
  // v = Below(6) + 1 over cumulative [3, 4, 6].
  ScriptedRandom rng({ScriptedRandom::For(2, 6), ScriptedRandom::For(3, 6),
                      ScriptedRandom::For(4, 6), ScriptedRandom::For(0, 6)});
  std::vector<BackendIndex> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(*p->Pick({.now = At(2), .rng = rng}));
  EXPECT_EQ(picks, (std::vector<BackendIndex>{0, 1, 2, 0}));
}

TEST(MetricsWeightedPolicyTest, WeightsFollowReportsWithoutATick) {
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1}, 2));
  p->ObserveMetrics(0, Cpu(1, 0.5));
  // Backend 1 has no metrics: it gets the mean of the others, (1) / 1 = 1.
  EXPECT_EQ(p->WeightOf(0), 1u);
  EXPECT_EQ(p->WeightOf(1), 1u);
  p->ObserveMetrics(1, Cpu(1, 0.9));
  // Capacities 0.5 and 0.1: 5 and 1.
  EXPECT_EQ(p->WeightOf(0), 5u);
  EXPECT_EQ(p->WeightOf(1), 1u);
  p->Tick(At(3));  // same inputs, same weights
  EXPECT_EQ(p->WeightOf(0), 5u);
}

TEST(MetricsWeightedPolicyTest, MissingMetricsGetTheMeanWeight) {
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1, 2}, 3));
  p->ObserveMetrics(0, Cpu(1, 0.1));  // 0.9 -> 3
  p->ObserveMetrics(2, Cpu(1, 0.7));  // 0.3 -> 1
  EXPECT_EQ(p->WeightOf(0), 3u);
  EXPECT_EQ(p->WeightOf(1), 2u);  // (3 + 1) / 2
  EXPECT_EQ(p->WeightOf(2), 1u);
  EXPECT_EQ(p->backends_with_capacity(), 2u);
}

TEST(MetricsWeightedPolicyTest, HundredThousandPicksFollowTheWeights) {
  // Weights 3, 1, 2: expected shares 1/2, 1/6, 1/3 of 100000 = 50000, 16667, 33333. The binomial
  // standard deviations are at most sqrt(1e5 * 0.5 * 0.5) = 158 picks; the tolerance of 1000
  // picks (1 % of all draws) is over 6 sigma, so with a fixed seed this only fails if the pick is
  // biased. Backend 3 is in the slots but not in the table and must get nothing.
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1, 2}, 4));
  p->ObserveMetrics(0, Cpu(1, 0.1));
  p->ObserveMetrics(1, Cpu(1, 0.7));
  p->ObserveMetrics(2, Cpu(1, 0.4));
  p->ObserveMetrics(3, Cpu(1, 0.0));
  Xoshiro256 rng(20240611);
  std::vector<int> counts(4, 0);
  constexpr int kPicks = 100000;
  for (int i = 0; i < kPicks; ++i) ++counts[*p->Pick({.now = At(2), .rng = rng})];
  EXPECT_NEAR(counts[0], kPicks * 3.0 / 6.0, 1000);
  EXPECT_NEAR(counts[1], kPicks * 1.0 / 6.0, 1000);
  EXPECT_NEAR(counts[2], kPicks * 2.0 / 6.0, 1000);
  EXPECT_EQ(counts[3], 0);
}

TEST(MetricsWeightedPolicyTest, TableWeightsMultiplyCapacityWeights) {
  // Capacity weights 3, 1, 2; table weights 1, 1, 0.5 (slow start): relative 1, 1, 0.5, so
  // 3*100, 1*100, 2*0.5*100.
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1, 2}, 3, {1.0, 1.0, 0.5}));
  p->ObserveMetrics(0, Cpu(1, 0.1));
  p->ObserveMetrics(1, Cpu(1, 0.7));
  p->ObserveMetrics(2, Cpu(1, 0.4));
  EXPECT_EQ(p->WeightOf(0), 300u);
  EXPECT_EQ(p->WeightOf(1), 100u);
  EXPECT_EQ(p->WeightOf(2), 100u);
  // Before metrics the table weights alone decide.
  auto fresh = Make();
  fresh->Update(Table({0, 1}, 2, {4.0, 1.0}));
  EXPECT_EQ(fresh->WeightOf(0), 100u);
  EXPECT_EQ(fresh->WeightOf(1), 25u);
}

TEST(MetricsWeightedPolicyTest, BackendOutOfTheTableIsNeverPicked) {
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1, 2}, 3));
  p->ObserveMetrics(0, Cpu(1, 0.8));
  p->ObserveMetrics(1, Cpu(1, 0.0));  // by far the best
  p->ObserveMetrics(2, Cpu(1, 0.8));
  p->Update(Table({0, 2}, 3));        // 1 ejected
  p->ObserveMetrics(1, Cpu(2, 0.0));  // its reports keep coming
  p->Tick(At(3));
  EXPECT_EQ(p->WeightOf(1), 0u);
  EXPECT_TRUE(p->store().Has(1));  // kept for when it returns
  Xoshiro256 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const std::optional<BackendIndex> b = p->Pick({.now = At(3), .rng = rng});
    ASSERT_TRUE(b.has_value());
    ASSERT_NE(*b, 1u);
  }
  // Back in the table, its metrics count at once: capacities 0.2, 1.0, 0.2 -> 1, 5, 1.
  p->Update(Table({0, 1, 2}, 3));
  EXPECT_EQ(p->WeightOf(1), 5u);
}

TEST(MetricsWeightedPolicyTest, ShrinkingSlotsForgetsAndReportsBeyondAreIgnored) {
  auto p = Make();
  p->Update(Table({0, 1, 2}, 3));
  p->ObserveMetrics(2, Cpu(1, 0.5));
  p->Update(Table({0, 1}, 2));
  EXPECT_FALSE(p->store().Has(2));
  p->ObserveMetrics(2, Cpu(2, 0.5));
  p->ObserveMetrics(4000000000u, Cpu(2, 0.5));  // no huge allocation either
  EXPECT_FALSE(p->store().Has(2));
  MapSink sink;
  p->ReportCluster(sink);
  EXPECT_EQ(sink.values["metrics_reports_unknown_backend"], 2.0);
}

TEST(MetricsWeightedPolicyTest, MalformedTableEntriesAreSkipped) {
  auto p = Make();
  p->Update(Table({0, 0, 9}, 2));  // duplicate and out of range
  EXPECT_EQ(p->WeightOf(0), 1u);
  ScriptedRandom rng({ScriptedRandom::For(0, 1)});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p->Pick({.now = At(0), .rng = rng}), BackendIndex{0});
}

TEST(MetricsWeightedPolicyTest, MixIsTheDefaultSelector) {
  // Backend 0: heap (1000-500)/1000 = 0.5 and cpu 1 - 0.5 = 0.5 -> 0.5; backend 1: load only,
  // 1 - 1/4 = 0.75. Weights 0.5/0.5 = 1 and 0.75/0.5 = 1.5 -> 2.
  auto p = Make();
  p->Update(Table({0, 1}, 2));
  BackendMetrics a = Cpu(1, 0.5);
  a.memory_used_bytes = 500;
  a.memory_max_bytes = 1000;
  BackendMetrics b;
  b.timestamp = At(1);
  b.load_average = 1.0;
  b.processors = 4;
  p->ObserveMetrics(0, a);
  p->ObserveMetrics(1, b);
  EXPECT_EQ(p->WeightOf(0), 1u);
  EXPECT_EQ(p->WeightOf(1), 2u);
}

TEST(MetricsWeightedPolicyTest, StaleReportsDoNotMoveWeights) {
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1}, 2));
  p->ObserveMetrics(0, Cpu(5, 0.5));
  p->ObserveMetrics(1, Cpu(5, 0.9));
  ASSERT_EQ(p->WeightOf(0), 5u);
  p->ObserveMetrics(0, Cpu(4, 0.99));  // reordered gossip
  EXPECT_EQ(p->WeightOf(0), 5u);
  EXPECT_EQ(p->store().stale_reports(), 1u);
}

TEST(MetricsWeightedPolicyTest, ArgminPicksLowestSmoothedCpu) {
  auto p = Make({.mode = Mode::kArgmin});
  p->Update(Table({0, 1, 2}, 3));
  p->ObserveMetrics(0, Cpu(1, 0.9));
  p->ObserveMetrics(1, Cpu(1, 0.1));
  p->ObserveMetrics(2, Cpu(1, 0.5));
  ScriptedRandom rng({0});
  EXPECT_EQ(p->Pick({.now = At(1), .rng = rng}), BackendIndex{1});
  EXPECT_EQ(p->WeightOf(1), 1u);
  EXPECT_EQ(p->WeightOf(0), 0u);
  // One bad report is smoothed: 0.1 + alpha * 0.8 = 0.227 is still below 0.5.
  p->ObserveMetrics(1, Cpu(2, 0.9));
  EXPECT_EQ(p->Pick({.now = At(2), .rng = rng}), BackendIndex{1});
  // Sustained: after enough reports backend 2 is lower.
  for (int t = 3; t < 20; ++t) p->ObserveMetrics(1, Cpu(t, 0.9));
  EXPECT_EQ(p->Pick({.now = At(20), .rng = rng}), BackendIndex{2});
}

TEST(MetricsWeightedPolicyTest, ArgminTiesGoToTheLowestIndex) {
  auto p = Make({.mode = Mode::kArgmin});
  ScriptedRandom rng({0});
  // Table order deliberately not ascending: the index decides, not the position.
  p->Update(Table({7, 5, 2}, 8));
  // No metrics at all: every backend is +inf, the lowest index wins (atomr: address order).
  EXPECT_EQ(p->Pick({.now = At(0), .rng = rng}), BackendIndex{2});
  // Only 7 has metrics: the others count as +inf.
  p->ObserveMetrics(7, Cpu(1, 0.95));
  EXPECT_EQ(p->Pick({.now = At(1), .rng = rng}), BackendIndex{7});
  // 5 and 2 tie below 7.
  p->ObserveMetrics(5, Cpu(1, 0.3));
  p->ObserveMetrics(2, Cpu(1, 0.3));
  EXPECT_EQ(p->Pick({.now = At(1), .rng = rng}), BackendIndex{2});
  // 2 leaves the table: 5 wins.
  p->Update(Table({7, 5}, 8));
  EXPECT_EQ(p->Pick({.now = At(2), .rng = rng}), BackendIndex{5});
}

TEST(MetricsWeightedPolicyTest, ReportsGauges) {
  auto p = Make({.selector = CapacitySelector::Kind::kCpu});
  p->Update(Table({0, 1}, 3));
  BackendMetrics m = Cpu(1, 0.25);
  m.memory_used_bytes = 300;
  m.memory_max_bytes = 1000;
  p->ObserveMetrics(0, m);
  p->ObserveMetrics(1, Cpu(1, 0.75));
  p->ObserveMetrics(1, Cpu(1, 0.75));  // stale duplicate

  MapSink b0;
  p->ReportBackend(0, b0);
  EXPECT_DOUBLE_EQ(b0.values.at("capacity"), 0.75);
  EXPECT_DOUBLE_EQ(b0.values.at("weight"), 3.0);  // 0.75 / 0.25
  EXPECT_DOUBLE_EQ(b0.values.at("cpu"), 0.25);
  EXPECT_DOUBLE_EQ(b0.values.at("heap"), 0.3);

  MapSink b2;  // in the slots, no table entry, no metrics
  p->ReportBackend(2, b2);
  EXPECT_EQ(b2.values.size(), 1u);
  EXPECT_DOUBLE_EQ(b2.values.at("weight"), 0.0);

  MapSink cluster;
  p->ReportCluster(cluster);
  EXPECT_EQ(cluster.values.at("metrics_reports_accepted"), 2.0);
  EXPECT_EQ(cluster.values.at("metrics_reports_stale"), 1.0);
  EXPECT_EQ(cluster.values.at("metrics_weight_total"), 4.0);
  // Report 0 lacks stolen, load, processors (3); report 1 lacks all but cpu (5).
  EXPECT_EQ(cluster.values.at("metrics_samples_missing"), 8.0);
  EXPECT_EQ(cluster.values.at("metrics_samples_invalid"), 0.0);
}

}  // namespace
}  // namespace huddle::core
