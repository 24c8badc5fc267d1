#include "core/thermal/thermal_policy.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/thermal/thermal_test_util.h"

namespace huddle::core {
namespace {

using testing::At;

RoutingTable Table(std::vector<BackendIndex> backends, uint32_t slots, uint64_t version = 1) {
  RoutingTable t;
  t.version = version;
  t.backend_slots = slots;
  for (BackendIndex b : backends) t.entries.push_back({b, 1.0});
  return t;
}

std::unique_ptr<Policy> Make(const OptionMap& options = {}) {
  Result<std::unique_ptr<Policy>> p = ThermalPolicy::Create(options);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
  return std::move(*p);
}

const ThermalModel& ModelOf(const Policy& p) {
  return static_cast<const ThermalPolicy&>(p).model();
}

// One interval of traffic through the policy: `n` picks, each answered with latency_ms(b).
template <typename F>
void Traffic(Policy& p, Random& rng, TimePoint now, F latency_ms, int n = 60) {
  for (int i = 0; i < n; ++i) {
    std::optional<BackendIndex> b = p.Pick(PickContext{now, rng, std::nullopt});
    ASSERT_TRUE(b.has_value());
    p.OnSend(*b, now);
    p.Observe(*b, Outcome::Success(FromMillis(latency_ms(*b))), now);
  }
}

auto SlowFive(BackendIndex b) { return b == 5 ? 100.0 : 20.0; }

class MapSink final : public StatSink {
 public:
  void Gauge(std::string_view name, double value) override { values[std::string(name)] = value; }
  std::map<std::string, double> values;
};

TEST(ThermalPolicyTest, CreateParsesOptionsAndRejectsBadOnes) {
  std::unique_ptr<Policy> p = Make();
  EXPECT_EQ(p->Name(), "thermal");
  Result<std::unique_ptr<Policy>> bad = ThermalPolicy::Create({{"cool", "0.6"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("must be below heat"), std::string::npos);
  EXPECT_FALSE(ThermalPolicy::Create({{"pick", "random"}}).has_value());
}

TEST(ThermalPolicyTest, PickBeforeAnyTableIsEmpty) {
  std::unique_ptr<Policy> p = Make();
  Xoshiro256 rng(1);
  EXPECT_FALSE(p->Pick(PickContext{At(0), rng, std::nullopt}).has_value());
  p->Update(Table({}, 0));
  EXPECT_FALSE(p->Pick(PickContext{At(0), rng, std::nullopt}).has_value());
}

TEST(ThermalPolicyTest, RoundRobinCoversTheInnerRingInOrder) {
  std::unique_ptr<Policy> p = Make();
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  Xoshiro256 rng(1);
  std::vector<BackendIndex> picks;
  for (int i = 0; i < 12; ++i) picks.push_back(*p->Pick(PickContext{At(0), rng, std::nullopt}));
  EXPECT_EQ(picks, (std::vector<BackendIndex>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}));
}

TEST(ThermalPolicyTest, RotatesOncePerIntervalAndStopsPickingTheHotServer) {
  std::unique_ptr<Policy> p = Make();
  std::vector<PolicyEvent> events;
  p->SetEventListener([&](const PolicyEvent& e) { events.push_back(e); });
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  Xoshiro256 rng(7);
  // The proxy ticks every 100 ms; the policy rotates every second (first at the first tick).
  for (int tick = 1; tick <= 11; ++tick) {
    const TimePoint now = At(0.1 * tick);
    Traffic(*p, rng, now, SlowFive);
    p->Tick(now);
    if (tick <= 10) {
      EXPECT_TRUE(ModelOf(*p).IsInner(5)) << "tick " << tick;
    }
  }
  // Rotations at 0.1 s (T = 0.42) and 1.1 s (T = 0.588): evicted at the second.
  EXPECT_FALSE(ModelOf(*p).IsInner(5));
  for (int i = 0; i < 50; ++i) {
    EXPECT_NE(*p->Pick(PickContext{At(1.2), rng, std::nullopt}), 5u);
  }
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().backend, 5u);
  EXPECT_EQ(events.back().kind, "evict");
  EXPECT_EQ(events.back().reason, "hot: temperature 0.59 >= heat 0.55 x weight 1.00");
  EXPECT_EQ(events.back().at, At(1.1));
}

TEST(ThermalPolicyTest, ProbesBringARecoveredServerBack) {
  std::unique_ptr<Policy> p = Make();
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  Xoshiro256 rng(3);
  int returned_at = -1;
  for (int t = 1; t <= 40; ++t) {
    const bool slow = t < 20;
    Traffic(*p, rng, At(t), [&](BackendIndex b) { return b == 5 && slow ? 100.0 : 20.0; });
    for (BackendIndex b = 0; b < 6; ++b) {
      p->ObserveProbe(b, Outcome::Success(FromMillis(b == 5 && slow ? 50.0 : 5.0)), At(t));
    }
    p->Tick(At(t));
    if (t == 2) {
      EXPECT_FALSE(ModelOf(*p).IsInner(5));
    }
    if (t > 2 && returned_at < 0 && ModelOf(*p).IsInner(5)) returned_at = t;
  }
  // Fast probes from t = 20 fill the three-probe window by t = 22.
  EXPECT_EQ(returned_at, 22);
  bool picked = false;
  for (int i = 0; i < 6; ++i) picked |= *p->Pick(PickContext{At(41), rng, std::nullopt}) == 5;
  EXPECT_TRUE(picked);
}

TEST(ThermalPolicyTest, FollowsTheRoutingTable) {
  std::unique_ptr<Policy> p = Make({{"cold_start", "30s"}});
  // The first table is the cluster as it starts: no cold start for it.
  p->Update(Table({0, 1, 2, 3}, 4));
  EXPECT_EQ(ModelOf(*p).InnerRing().size(), 4u);
  Xoshiro256 rng(1);
  p->Tick(At(100));

  // Backend 3 leaves the table (ejected, drained): unhealthy in the model, never picked.
  p->Update(Table({0, 1, 2}, 4, 2));
  EXPECT_FALSE(ModelOf(*p).IsHealthy(3));
  EXPECT_FALSE(ModelOf(*p).IsInner(3));
  EXPECT_TRUE(ModelOf(*p).Has(3));
  for (int i = 0; i < 9; ++i) EXPECT_NE(*p->Pick(PickContext{At(100), rng, std::nullopt}), 3u);

  // A new backend 4 waits out its cold start; 3 is back and healthy.
  p->Update(Table({0, 1, 2, 3, 4}, 5, 3));
  EXPECT_TRUE(ModelOf(*p).IsHealthy(3));
  EXPECT_FALSE(ModelOf(*p).IsInner(4));
  p->Tick(At(129));
  EXPECT_FALSE(ModelOf(*p).IsInner(4));
  p->Tick(At(131));
  EXPECT_TRUE(ModelOf(*p).IsInner(4));
  EXPECT_TRUE(ModelOf(*p).IsInner(3));  // dwell since t = 100 is over
  std::vector<int> count(5, 0);
  for (int i = 0; i < 10; ++i) ++count[*p->Pick(PickContext{At(131), rng, std::nullopt})];
  EXPECT_EQ(count, (std::vector<int>{2, 2, 2, 2, 2}));

  // Shrinking backend_slots removes the backend for good.
  p->Update(Table({0, 1, 2}, 3, 4));
  EXPECT_FALSE(ModelOf(*p).Has(3));
  EXPECT_FALSE(ModelOf(*p).Has(4));
}

TEST(ThermalPolicyTest, TableWeightsAreThermalWeights) {
  std::unique_ptr<Policy> p = Make();
  RoutingTable t = Table({0, 1, 2, 3, 4, 5}, 6);
  t.entries[5].weight = 2.0;  // heat 1.1 -> needs T >= 1
  p->Update(t);
  Xoshiro256 rng(5);
  for (int s = 1; s <= 10; ++s) {
    Traffic(*p, rng, At(s), SlowFive);
    p->Tick(At(s));
  }
  EXPECT_TRUE(ModelOf(*p).IsInner(5));
  EXPECT_GT(ModelOf(*p).Temperature(5), 0.65);
}

TEST(ThermalPolicyTest, LeastRequestTakesTheLessLoadedOfTwo) {
  std::unique_ptr<Policy> p = Make({{"pick", "least_request"}});
  p->Update(Table({0, 1, 2}, 3));
  p->OnSend(0, At(0));
  p->OnSend(0, At(0));
  p->OnSend(2, At(0));
  // First draw Below(3) = 0, second Below(2) = 0 -> skips 0 -> 1: backends 0 (2 in flight) and
  // 1 (none).
  ScriptedRandom rng({ScriptedRandom::For(0, 3), ScriptedRandom::For(0, 2)});
  EXPECT_EQ(*p->Pick(PickContext{At(0), rng, std::nullopt}), 1u);
  // Draws 2 and then Below(2) = 0 -> 0: backends 2 (1 in flight) and 0 (2): 2 wins.
  ScriptedRandom rng2({ScriptedRandom::For(2, 3), ScriptedRandom::For(0, 2)});
  EXPECT_EQ(*p->Pick(PickContext{At(0), rng2, std::nullopt}), 2u);
  // 2 completes: 2 and 1 both have none in flight, and the tie goes to the first drawn (2).
  p->Observe(2, Outcome::Success(FromMillis(10)), At(0));
  ScriptedRandom rng3({ScriptedRandom::For(2, 3), ScriptedRandom::For(1, 2)});
  EXPECT_EQ(*p->Pick(PickContext{At(0), rng3, std::nullopt}), 2u);
}

TEST(ThermalPolicyTest, FailuresFeedTheErrorRate) {
  std::unique_ptr<Policy> p = Make();
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  for (int i = 0; i < 30; ++i) {
    p->OnSend(4, At(1));
    p->Observe(4, Outcome::Failure(FromMillis(1), FailureKind::kConnectRefused), At(1));
  }
  EXPECT_GT(ModelOf(*p).ErrorRate(4), 0.3);
  p->Tick(At(1));
  EXPECT_FALSE(ModelOf(*p).IsInner(4));  // the breaker (0.5) tripped
}

TEST(ThermalPolicyTest, FairnessClockStartsAtTheFirstRealTime) {
  // Update has no clock: the first table is added at a placeholder time. On a steady clock with
  // days of uptime, shares measured from there would hide any imbalance.
  std::unique_ptr<Policy> p = Make();
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  const double day = 86400;
  Xoshiro256 rng(2);
  for (int s = 1; s <= 12; ++s) {
    Traffic(*p, rng, At(day + s), SlowFive);
    for (BackendIndex b = 0; b < 6; ++b) {
      p->ObserveProbe(b, Outcome::Success(FromMillis(b == 5 ? 50.0 : 5.0)), At(day + s));
    }
    p->Tick(At(day + s));
  }
  ASSERT_FALSE(ModelOf(*p).IsInner(5));  // out since day + 2 (the slow probes keep it out)
  // Lives start at day + 1: shares 1 x 5 and 1/11 for server 5.
  const double share = 1.0 / 11;
  const double mean = (5 + share) / 6;
  EXPECT_NEAR(ModelOf(*p).FairnessGini(At(day + 12)), (2 * 5 * (1 - share)) / (2 * 36 * mean),
              1e-9);
}

TEST(ThermalPolicyTest, ReportsClusterAndBackendGauges) {
  std::unique_ptr<Policy> p = Make();
  p->Update(Table({0, 1, 2, 3, 4, 5}, 6));
  Xoshiro256 rng(11);
  for (int s = 1; s <= 2; ++s) {
    Traffic(*p, rng, At(s), SlowFive);
    p->Tick(At(s));
  }
  ASSERT_FALSE(ModelOf(*p).IsInner(5));
  MapSink cluster;
  p->ReportCluster(cluster);
  EXPECT_EQ(cluster.values["inner_count"], 5);
  EXPECT_EQ(cluster.values["outer_count"], 1);
  EXPECT_DOUBLE_EQ(cluster.values["heat_threshold"], 0.55);
  EXPECT_DOUBLE_EQ(cluster.values["cool_threshold"], 0.30);
  // Mean of the six P95s at the last rotation, taken before the eviction: (5 x 20 + 100) / 6.
  EXPECT_NEAR(cluster.values["p95_latency_ms"], 200.0 / 6, 1e-9);
  // The policy's clock is at t = 2, when server 5 left: every share is still 1.
  EXPECT_DOUBLE_EQ(cluster.values["fairness_gini"], 0.0);
  EXPECT_EQ(cluster.values.size(), 6u);

  MapSink backend;
  p->ReportBackend(5, backend);
  EXPECT_NEAR(backend.values["temperature"], 0.588, 1e-12);
  EXPECT_DOUBLE_EQ(backend.values["avg_latency_ms"], 100.0);
  EXPECT_DOUBLE_EQ(backend.values["anomaly_score"], 1.0);
  EXPECT_EQ(backend.values["rotations_total"], 1);
  EXPECT_EQ(backend.values["inner"], 0);
  EXPECT_EQ(backend.values.size(), 5u);
}

}  // namespace
}  // namespace huddle::core
