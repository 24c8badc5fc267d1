#include "core/thermal/thermal_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/thermal/thermal_test_util.h"

namespace huddle::core {
namespace {

using testing::AddServers;
using testing::At;
using testing::NoWaits;
using testing::ProbeAll;
using testing::Serve;

// raw = 0.70 for a server at anomaly 1 with no other load; T after k rotations at alpha 0.6 is
// 0.70 * (1 - 0.4^k): 0.42, 0.588, 0.6552, ...
constexpr double kT1 = 0.42;
constexpr double kT2 = 0.588;
constexpr double kT3 = 0.6552;

auto SlowOne(BackendIndex slow, double slow_ms = 100, double ms = 20) {
  return [=](BackendIndex b) { return b == slow ? slow_ms : ms; };
}

TEST(ThermalModelTest, DefaultOptionsPutAllSixServersInner) {
  ThermalModel m(ThermalOptions{});
  AddServers(m, 6);
  EXPECT_EQ(m.InnerRing().size(), 6u);
  EXPECT_EQ(m.outer_count(), 0u);
  Serve(m, At(1), [](BackendIndex) { return 20.0; });
  m.Rotate(At(1));
  EXPECT_EQ(m.InnerRing().size(), 6u);
}

TEST(ThermalModelTest, SeedsMaxInnerFiveBenchesTheSixthServer) {
  // Why max_inner defaults to 0: the seed's 5 keeps a healthy, cool sixth server out for good.
  ThermalOptions o;
  o.max_inner = 5;
  ThermalModel m(o);
  AddServers(m, 6);
  for (int t = 1; t <= 30; ++t) {
    Serve(m, At(t), [](BackendIndex) { return 20.0; });
    m.Rotate(At(t));
  }
  EXPECT_EQ(m.InnerRing().size(), 5u);
  EXPECT_FALSE(m.IsInner(5));
  EXPECT_DOUBLE_EQ(m.Temperature(5), 0.0);
}

TEST(ThermalModelTest, HotServerIsEvictedCoolOnesStay) {
  ThermalModel m(NoWaits());
  AddServers(m, 6);
  Serve(m, At(1), SlowOne(5));
  RotationCounts c = m.Rotate(At(1));
  EXPECT_EQ(c.total(), 0);
  EXPECT_DOUBLE_EQ(m.Anomaly(5), 1.0);  // 100 ms against a median of 20 ms: (5 - 1)/2 -> 1
  EXPECT_NEAR(m.Temperature(5), kT1, 1e-12);
  EXPECT_DOUBLE_EQ(m.ClusterMedianLatencyMs(), 20.0);

  Serve(m, At(2), SlowOne(5));
  c = m.Rotate(At(2));
  EXPECT_EQ(c.evicted_hot, 1);
  EXPECT_NEAR(m.Temperature(5), kT2, 1e-12);
  EXPECT_FALSE(m.IsInner(5));
  for (BackendIndex b = 0; b < 5; ++b) {
    EXPECT_TRUE(m.IsInner(b));
    EXPECT_DOUBLE_EQ(m.Temperature(b), 0.0);
  }
  EXPECT_EQ(m.Rotations(5), 1u);
}

TEST(ThermalModelTest, SeedSampleCountsRaiseOrKeepTemperature) {
  ThermalModel m(NoWaits());
  AddServers(m, 3);
  for (int i = 0; i < 30; ++i) {
    m.RecordLatency(0, FromMillis(20), At(1));
    m.RecordLatency(1, FromMillis(20), At(1));
  }
  for (int i = 0; i < 60; ++i) m.RecordLatency(2, FromMillis(4900), At(1));
  m.Rotate(At(1));
  EXPECT_GT(m.Temperature(2), 0.4);  // 0.42
  EXPECT_LT(m.Temperature(0), 0.3);  // 0
  EXPECT_LT(m.Temperature(1), 0.3);
}

TEST(ThermalModelTest, EvictsAtMostAThirdPerCycleHottestFirst) {
  // Nine servers, four slow (the median stays 20 ms, so all four score anomaly 1); cpu sets them
  // apart: raw 0.70 (b5), 0.75 (b6), 0.80 (b7), 0.72 (b8).
  ThermalModel m(NoWaits());
  AddServers(m, 9);
  const double cpu[] = {0.0, 0.5, 1.0, 0.2};
  for (BackendIndex b = 5; b < 9; ++b) {
    BackendMetrics metrics;
    metrics.cpu = cpu[b - 5];
    m.RecordMetrics(b, metrics);
  }
  auto slow = [](BackendIndex b) { return b >= 5 ? 100.0 : 20.0; };
  Serve(m, At(1), slow);
  EXPECT_EQ(m.Rotate(At(1)).total(), 0);
  Serve(m, At(2), slow);
  RotationCounts c = m.Rotate(At(2));
  EXPECT_EQ(c.evicted_hot, 3);  // max(1, 9/3) although four are hot
  EXPECT_EQ(m.InnerRing().size(), 6u);
  EXPECT_TRUE(m.IsInner(5));  // the coolest of the hot four waits
  EXPECT_FALSE(m.IsInner(6));
  EXPECT_FALSE(m.IsInner(7));
  EXPECT_FALSE(m.IsInner(8));
  Serve(m, At(3), slow);
  c = m.Rotate(At(3));
  EXPECT_EQ(c.evicted_hot, 1);
  EXPECT_EQ(m.InnerRing().size(), 5u);
}

TEST(ThermalModelTest, NeverEvictsBelowMinInner) {
  ThermalOptions o = NoWaits();
  o.min_inner = 4;
  ThermalModel m(o);
  AddServers(m, 5);
  auto slow = [](BackendIndex b) { return b >= 3 ? 100.0 : 20.0; };
  for (int t = 1; t <= 10; ++t) {
    Serve(m, At(t), slow);
    m.Rotate(At(t));
    EXPECT_GE(m.InnerRing().size(), 4u);
  }
  EXPECT_EQ(m.InnerRing().size(), 4u);
  EXPECT_FALSE(m.IsInner(3));
  EXPECT_TRUE(m.IsInner(4));
  EXPECT_GT(m.Temperature(4), 0.55);  // hot, but the ring is at its minimum
}

TEST(ThermalModelTest, DwellBlocksPromotion) {
  ThermalModel m(ThermalOptions{});  // dwell 10 s
  AddServers(m, 6);
  Serve(m, At(1), SlowOne(5));
  m.Rotate(At(1));
  Serve(m, At(2), SlowOne(5));
  m.Rotate(At(2));
  ASSERT_FALSE(m.IsInner(5));
  for (int t = 3; t <= 12; ++t) {
    Serve(m, At(t), [](BackendIndex) { return 20.0; });
    ProbeAll(m, At(t), [](BackendIndex) { return 5.0; });  // recovered at once
    m.Rotate(At(t));
    if (t < 12) {
      EXPECT_FALSE(m.IsInner(5)) << "t=" << t;
      EXPECT_LE(m.Temperature(5), 0.3) << "cool, but still dwelling at t=" << t;
    }
  }
  EXPECT_TRUE(m.IsInner(5));  // evicted at 2 + dwell 10
}

TEST(ThermalModelTest, CooldownBlocksEviction) {
  ThermalOptions o;
  o.outer_dwell = Duration::zero();  // rotation_cooldown stays 5 s
  ThermalModel m(o);
  AddServers(m, 6);
  m.SetHealthy(5, false, At(0));
  m.SetHealthy(5, true, At(0.5));
  RotationCounts c = m.Rotate(At(1));
  ASSERT_EQ(c.promoted, 1);
  ASSERT_TRUE(m.IsInner(5));  // last ring change at t = 1
  for (int t = 2; t <= 6; ++t) {
    Serve(m, At(t), SlowOne(5));
    m.Rotate(At(t));
    if (t <= 5) {
      EXPECT_TRUE(m.IsInner(5)) << "t=" << t;  // hot from t = 3 on
    }
  }
  EXPECT_FALSE(m.IsInner(5));  // 1 + cooldown 5
}

TEST(ThermalModelTest, UnhealthyServersLeaveAtOnceAndStayOut) {
  ThermalModel m(NoWaits());
  std::vector<RotationEvent> events;
  m.SetListener([&](const RotationEvent& e) { events.push_back(e); });
  AddServers(m, 3);
  events.clear();
  m.SetHealthy(0, false, At(1));
  EXPECT_FALSE(m.IsInner(0));
  m.SetHealthy(1, false, At(1));  // even below min_inner: nothing healthy can replace it
  EXPECT_FALSE(m.IsInner(1));
  EXPECT_EQ(m.InnerRing().size(), 1u);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reason, RotationReason::kUnhealthy);
  EXPECT_EQ(events[0].from, Ring::kInner);
  EXPECT_EQ(events[0].to, Ring::kOuter);

  m.Rotate(At(20));  // cool and past any dwell, but unhealthy
  EXPECT_FALSE(m.IsInner(0));
  EXPECT_FALSE(m.IsInner(1));

  m.SetHealthy(0, true, At(21));  // the ring is below min_inner: back at once
  EXPECT_TRUE(m.IsInner(0));
  EXPECT_EQ(events.back().reason, RotationReason::kEmergency);
}

TEST(ThermalModelTest, EmergencyPromotionIsReal) {
  ThermalModel m(ThermalOptions{});
  std::vector<RotationEvent> events;
  m.SetListener([&](const RotationEvent& e) { events.push_back(e); });
  AddServers(m, 3);
  Serve(m, At(1), SlowOne(2));
  m.Rotate(At(1));
  Serve(m, At(2), SlowOne(2));
  m.Rotate(At(2));
  ASSERT_FALSE(m.IsInner(2));
  m.SetHealthy(0, false, At(3));
  // Server 2 is hot and has not dwelt, yet it is put back in the ring (not only routed to).
  EXPECT_TRUE(m.IsInner(2));
  EXPECT_EQ(m.InnerRing().size(), 2u);
  EXPECT_EQ(events.back().backend, 2u);
  EXPECT_EQ(events.back().reason, RotationReason::kEmergency);
  EXPECT_GT(events.back().temperature, 0.55);
}

TEST(ThermalModelTest, ErrorRateIsAnEwmaAndTripsTheBreaker) {
  ThermalModel m(NoWaits());
  AddServers(m, 6);
  for (int i = 0; i < 30; ++i) m.RecordError(1, At(1));
  EXPECT_NEAR(m.ErrorRate(1), 1 - std::pow(0.9, 30), 1e-12);  // 0.958
  EXPECT_GT(m.ErrorRate(1), 0.3);
  RotationCounts c = m.Rotate(At(1));
  EXPECT_EQ(c.evicted_unhealthy, 1);
  EXPECT_FALSE(m.IsInner(1));

  // Successes pull it down again.
  for (int i = 0; i < 30; ++i) m.RecordLatency(2, FromMillis(20), At(1));
  EXPECT_DOUBLE_EQ(m.ErrorRate(2), 0.0);
  for (int i = 0; i < 30; ++i) m.RecordError(3, At(1));
  for (int i = 0; i < 30; ++i) m.RecordLatency(3, FromMillis(20), At(1));
  EXPECT_NEAR(m.ErrorRate(3), (1 - std::pow(0.9, 30)) * std::pow(0.9, 30), 1e-12);
}

TEST(ThermalModelTest, BreakerDoesNotChurnWhenEveryoneFails) {
  ThermalModel m(NoWaits());
  AddServers(m, 2);
  for (int i = 0; i < 30; ++i) {
    m.RecordError(0, At(1));
    m.RecordError(1, At(1));
  }
  RotationCounts c = m.Rotate(At(1));
  EXPECT_EQ(c.evicted_unhealthy, 0);  // nothing better to route to
  EXPECT_EQ(m.InnerRing().size(), 2u);
}

TEST(ThermalModelTest, FailuresCountAsSlowSamples) {
  ThermalModel m(NoWaits());
  AddServers(m, 6);
  Serve(m, At(1), [](BackendIndex) { return 20.0; });
  m.Rotate(At(1));
  ASSERT_DOUBLE_EQ(m.ClusterMedianLatencyMs(), 20.0);
  // A connection refused after 1 ms is recorded as 3 x the 20 ms median.
  m.RecordError(4, At(2), FromMillis(1));
  for (int i = 0; i < 9; ++i) m.RecordLatency(4, FromMillis(20), At(2));
  EXPECT_DOUBLE_EQ(m.AvgLatencyMs(4), (60.0 + 9 * 20.0) / 10);
}

TEST(ThermalModelTest, OverloadedServerEvictsItselfAtAlpha09) {
  ThermalOptions o = NoWaits();
  o.alpha = 0.9;
  ThermalModel m(o);
  AddServers(m, 6);
  BackendMetrics full;
  full.cpu = 1.0;
  full.memory_used_bytes = 8e9;
  full.memory_max_bytes = 8e9;
  full.active_connections = 2000;
  m.RecordMetrics(5, full);
  Serve(m, At(1), SlowOne(5, 200));
  RotationCounts c = m.Rotate(At(1));
  // raw = 0.70 + 0.10 + 0.10 + 0.05 = 0.95; T = 0.9 * 0.95.
  EXPECT_NEAR(m.Temperature(5), 0.855, 1e-12);
  EXPECT_EQ(c.evicted_hot, 1);
  EXPECT_FALSE(m.IsInner(5));
}

TEST(ThermalModelTest, MetricsFieldsNotMeasuredKeepTheirValue) {
  ThermalModel m(NoWaits());
  AddServers(m, 3);
  BackendMetrics cpu_only;
  cpu_only.cpu = 0.5;
  m.RecordMetrics(0, cpu_only);
  BackendMetrics conns_only;
  conns_only.active_connections = 500;
  m.RecordMetrics(0, conns_only);
  m.Rotate(At(1));
  // raw = 0.10 * 0.5 + 0.10 * 0.5 = 0.10; T = 0.6 * 0.10.
  EXPECT_NEAR(m.Temperature(0), 0.06, 1e-12);
}

TEST(ThermalModelTest, WeightTwoNeedsMoreHeatWeightHalfLess) {
  ThermalModel m(NoWaits());
  AddServers(m, 6);
  m.SetWeight(5, 2.0);  // evicted only at T >= min(1, 0.55 * 2)
  auto slow = [](BackendIndex b) { return b >= 4 ? 100.0 : 20.0; };
  for (int t = 1; t <= 20; ++t) {
    Serve(m, At(t), slow);
    m.Rotate(At(t));
  }
  EXPECT_FALSE(m.IsInner(4));  // weight 1, same heat: evicted
  EXPECT_TRUE(m.IsInner(5));
  EXPECT_NEAR(m.Temperature(5), 0.70, 1e-6);

  ThermalModel light(NoWaits());
  AddServers(light, 6);
  light.SetWeight(5, 0.5);                                          // evicted at T >= 0.275
  auto warm = [](BackendIndex b) { return b >= 4 ? 40.0 : 20.0; };  // 2x: anomaly 0.5, raw 0.35
  for (int t = 1; t <= 20; ++t) {
    Serve(light, At(t), warm);
    light.Rotate(At(t));
  }
  EXPECT_TRUE(light.IsInner(4));  // T -> 0.35 < 0.55
  EXPECT_FALSE(light.IsInner(5));
}

TEST(ThermalModelTest, ColdStartWaitsInTheOuterRing) {
  ThermalOptions o;
  o.cold_start = FromSeconds(30);
  ThermalModel m(o);
  for (BackendIndex b = 0; b < 3; ++b) {
    m.AddServer(b, 1.0, At(0), ThermalModel::Admission::kImmediate);
  }
  ASSERT_EQ(m.InnerRing().size(), 3u);
  m.AddServer(3, 1.0, At(100));
  EXPECT_FALSE(m.IsInner(3));
  for (double t : {101.0, 110.0, 129.9}) {
    Serve(m, At(t), [](BackendIndex) { return 20.0; });
    m.Rotate(At(t));
    EXPECT_FALSE(m.IsInner(3)) << "t=" << t;
  }
  RotationCounts c = m.Rotate(At(130));
  EXPECT_EQ(c.promoted, 1);
  EXPECT_TRUE(m.IsInner(3));
}

TEST(ThermalModelTest, AColdClusterStillServesMinInner) {
  ThermalOptions o;
  o.cold_start = FromSeconds(30);
  ThermalModel m(o);
  std::vector<RotationEvent> events;
  m.SetListener([&](const RotationEvent& e) { events.push_back(e); });
  AddServers(m, 4);  // all in cold start, but the ring must not stay empty
  EXPECT_EQ(m.InnerRing().size(), 2u);
  EXPECT_TRUE(m.IsInner(0));
  EXPECT_TRUE(m.IsInner(1));
  EXPECT_EQ(events[1].reason, RotationReason::kEmergency);
  RotationCounts c = m.Rotate(At(29));
  EXPECT_EQ(c.total(), 0);
  c = m.Rotate(At(30));
  EXPECT_EQ(c.promoted, 2);
  EXPECT_EQ(m.InnerRing().size(), 4u);
}

TEST(ThermalModelTest, AbsoluteFloorCatchesMajorityDegradation) {
  auto majority_slow = [](BackendIndex b) { return b >= 2 ? 800.0 : 20.0; };
  ThermalModel relative_only(NoWaits());
  AddServers(relative_only, 6);
  for (int t = 1; t <= 5; ++t) {
    Serve(relative_only, At(t), majority_slow);
    relative_only.Rotate(At(t));
  }
  // The median is 800 ms: the slow majority looks normal, the relative score sees nothing.
  EXPECT_EQ(relative_only.InnerRing().size(), 6u);
  EXPECT_DOUBLE_EQ(relative_only.Anomaly(3), 0.0);

  ThermalOptions o = NoWaits();
  o.absolute_latency_floor_ms = 500;
  ThermalModel m(o);
  std::vector<RotationEvent> events;
  m.SetListener([&](const RotationEvent& e) { events.push_back(e); });
  AddServers(m, 6);
  std::vector<int> evicted;
  for (int t = 1; t <= 4; ++t) {
    Serve(m, At(t), majority_slow);
    evicted.push_back(m.Rotate(At(t)).evicted_hot);
  }
  EXPECT_EQ(evicted, (std::vector<int>{2, 1, 1, 0}));  // a third per cycle, then min_inner
  EXPECT_TRUE(m.IsInner(0));
  EXPECT_TRUE(m.IsInner(1));
  EXPECT_EQ(m.InnerRing().size(), 2u);
  EXPECT_EQ(events.back().reason, RotationReason::kLatencyFloor);
  EXPECT_EQ(events.back().text, "mean latency 800.0 ms above the floor of 500.0 ms");
}

TEST(ThermalModelTest, AdaptiveThresholdsLoosenWhenTheClusterSlowsDown) {
  ThermalOptions o;
  o.adaptive_thresholds = true;
  ThermalModel m(o);
  AddServers(m, 6);
  for (int t = 1; t <= 20; ++t) {
    const double ms = t <= 10 ? 20.0 : 40.0;
    Serve(m, At(t), [ms](BackendIndex) { return ms; });
    m.Rotate(At(t));
    if (t < 20) {
      EXPECT_DOUBLE_EQ(m.heat(), 0.55) << "window not full at t=" << t;
    }
  }
  // One P95 sample per rotation: older 10 at 20 ms, recent 5 at 40 ms, ratio 2 -> +0.10.
  EXPECT_DOUBLE_EQ(m.ClusterP95LatencyMs(), 40.0);
  EXPECT_NEAR(m.heat(), 0.65, 1e-12);
  EXPECT_NEAR(m.cool(), 0.35, 1e-12);
  EXPECT_EQ(m.InnerRing().size(), 6u);  // uniformly slower: nobody is anomalous
}

TEST(ThermalModelTest, RecoveredServerReturnsOnProbeEvidence) {
  ThermalModel m(ThermalOptions{});
  AddServers(m, 6);
  constexpr int kRecoversAt = 30;
  int evicted_at = -1;
  int returned_at = -1;
  for (int t = 1; t <= 60; ++t) {
    const bool slow = t < kRecoversAt;
    Serve(m, At(t), SlowOne(5, slow ? 100.0 : 20.0));
    ProbeAll(m, At(t), [&](BackendIndex b) { return b == 5 && slow ? 50.0 : 5.0; });
    m.Rotate(At(t));
    if (evicted_at < 0 && !m.IsInner(5)) evicted_at = t;
    if (evicted_at > 0 && returned_at < 0 && m.IsInner(5)) returned_at = t;
    if (evicted_at > 0 && t < kRecoversAt) {
      EXPECT_FALSE(m.IsInner(5)) << "slow probes keep it out, t=" << t;
    }
  }
  EXPECT_EQ(evicted_at, 2);
  // Three fast probes refill the probe window (t = 30, 31, 32); T drops to 0.7 * 0.4 = 0.28.
  EXPECT_EQ(returned_at, 32);
  EXPECT_TRUE(m.IsInner(5));  // and it stays: it is fast now
  EXPECT_EQ(m.Rotations(5), 2u);
  EXPECT_LT(m.Temperature(5), 0.01);
}

TEST(ThermalModelTest, UnprobedServerIsRetriedWithBackoff) {
  // No health checks at all: stale evidence ages (half-life 10 s, doubled per repeat eviction),
  // so a server that stays slow is retried, each time after a longer rest.
  ThermalModel m(ThermalOptions{});
  AddServers(m, 6);
  std::vector<int> evictions;
  std::vector<int> returns;
  bool inner = true;
  for (int t = 1; t <= 200; ++t) {
    Serve(m, At(t), SlowOne(5));  // server 5 never recovers
    m.Rotate(At(t));
    if (inner != m.IsInner(5)) {
      inner = m.IsInner(5);
      (inner ? returns : evictions).push_back(t);
    }
  }
  ASSERT_GE(evictions.size(), 3u);
  ASSERT_GE(returns.size(), 2u);
  EXPECT_EQ(evictions[0], 2);
  const int rest1 = returns[0] - evictions[0];
  const int rest2 = returns[1] - evictions[1];
  EXPECT_GE(rest1, 10);  // at least the dwell
  EXPECT_LE(rest1, 20);
  EXPECT_GT(rest2, rest1 + 5);  // backoff
  // Back in, it is found slow again and leaves after the cooldown (5 s after its return).
  EXPECT_EQ(evictions[1] - returns[0], 5);
}

TEST(ThermalModelTest, FairnessGiniAccruesContinuously) {
  ThermalModel m(ThermalOptions{});
  AddServers(m, 6, At(0));
  EXPECT_DOUBLE_EQ(m.FairnessGini(At(10)), 0.0);  // all inner all along
  Serve(m, At(1), SlowOne(5));
  m.Rotate(At(1));
  Serve(m, At(2), SlowOne(5));
  m.Rotate(At(2));
  ASSERT_FALSE(m.IsInner(5));
  // Shares of life spent inner at t = 10: five at 1, server 5 at 2/10.
  // Gini = sum|xi - xj| / (2 n^2 mean) = (2 * 5 * 0.8) / (2 * 36 * 5.2/6) = 0.128205...
  EXPECT_NEAR(m.FairnessGini(At(10)), 8.0 / 62.4, 1e-9);
  // Server 5 is still out (it dwells until t = 12 at least): its share, and the Gini, keep
  // moving without any rotation: 5 x 1 and 2/11 at t = 11.
  EXPECT_FALSE(m.IsInner(5));
  EXPECT_GT(m.FairnessGini(At(11)), m.FairnessGini(At(10)));
  EXPECT_NEAR(m.FairnessGini(At(11)), (2 * 5 * (1 - 2.0 / 11)) / (2 * 36 * (5 + 2.0 / 11) / 6),
              1e-9);
}

TEST(ThermalModelTest, RotationEventsCarryRingsReasonAndTemperature) {
  ThermalModel m(NoWaits());
  std::vector<RotationEvent> events;
  m.SetListener([&](const RotationEvent& e) { events.push_back(e); });
  AddServers(m, 6);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].reason, RotationReason::kAdded);
  EXPECT_EQ(events[0].to, Ring::kInner);
  events.clear();
  Serve(m, At(1), SlowOne(5));
  m.Rotate(At(1));
  Serve(m, At(2), SlowOne(5));
  m.Rotate(At(2));
  ASSERT_EQ(events.size(), 1u);
  const RotationEvent& e = events[0];
  EXPECT_EQ(e.at, At(2));
  EXPECT_EQ(e.backend, 5u);
  EXPECT_EQ(e.from, Ring::kInner);
  EXPECT_EQ(e.to, Ring::kOuter);
  EXPECT_EQ(e.reason, RotationReason::kHot);
  EXPECT_NEAR(e.temperature, kT2, 1e-12);
  EXPECT_EQ(e.text, "temperature 0.59 >= heat 0.55 x weight 1.00");
  EXPECT_EQ(RotationReasonName(e.reason), "hot");
}

TEST(ThermalModelTest, RemovingAnInnerServerRestoresMinInner) {
  ThermalModel m(ThermalOptions{});
  AddServers(m, 3);
  m.SetHealthy(2, false, At(1));
  m.SetHealthy(2, true, At(2));  // healthy, outer, dwelling
  ASSERT_EQ(m.InnerRing().size(), 2u);
  m.RemoveServer(0, At(3));
  EXPECT_FALSE(m.Has(0));
  EXPECT_TRUE(m.IsInner(2));
  EXPECT_EQ(m.InnerRing().size(), 2u);
  EXPECT_EQ(m.Members().size(), 2u);
  EXPECT_DOUBLE_EQ(m.Temperature(0), 0.0);   // unknown servers read as 0
  m.RecordLatency(0, FromMillis(5), At(3));  // ignored
}

}  // namespace
}  // namespace huddle::core
