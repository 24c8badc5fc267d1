#include "core/cluster/cluster_brain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

std::vector<BackendIndex> Listed(const ClusterBrain& brain) {
  std::vector<BackendIndex> out;
  for (const RoutingEntry& e : brain.table()->entries) out.push_back(e.backend);
  return out;
}

std::unique_ptr<ClusterBrain> MakeBrain(int n, ClusterBrainOptions options = {}) {
  auto brain = std::make_unique<ClusterBrain>(options);
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(brain->AddBackend({"b" + std::to_string(i), 1.0}, At(0)).has_value());
  }
  return brain;
}

TEST(ClusterBrainTest, ListsEveryBackendAtStart) {
  auto owner = MakeBrain(3);
  ClusterBrain& brain = *owner;
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{0, 1, 2}));
  EXPECT_EQ(brain.table()->backend_slots, 3u);
  EXPECT_FALSE(brain.InPanic());
}

TEST(ClusterBrainTest, RejectsDuplicateNamesAndBadWeights) {
  auto owner = MakeBrain(1);
  ClusterBrain& brain = *owner;
  EXPECT_FALSE(brain.AddBackend({"b0", 1.0}, At(0)).has_value());
  EXPECT_FALSE(brain.AddBackend({"x", 0.0}, At(0)).has_value());
  EXPECT_FALSE(brain.AddBackend({"y", -1.0}, At(0)).has_value());
  EXPECT_FALSE(brain.AddBackend({"", 1.0}, At(0)).has_value());
  EXPECT_FALSE(brain.SetWeight(0, std::nan("")).has_value());
  EXPECT_FALSE(brain.SetDraining(7, true).has_value());
}

TEST(ClusterBrainTest, DrainTakesBackendOutAndEnableBringsItBack) {
  auto owner = MakeBrain(3);
  ClusterBrain& brain = *owner;
  const uint64_t v0 = brain.table()->version;
  ASSERT_TRUE(brain.SetDraining(1, true).has_value());
  brain.Tick(At(0.1));
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{0, 2}));
  EXPECT_GT(brain.table()->version, v0);
  EXPECT_TRUE(brain.Status(1).draining);
  ASSERT_TRUE(brain.SetDraining(1, false).has_value());
  brain.Tick(At(0.2));
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{0, 1, 2}));
}

TEST(ClusterBrainTest, TableVersionUnchangedWhenNothingChanges) {
  auto owner = MakeBrain(3);
  ClusterBrain& brain = *owner;
  const uint64_t v0 = brain.table()->version;
  brain.Tick(At(1));
  brain.Tick(At(2));
  EXPECT_EQ(brain.table()->version, v0);
}

TEST(ClusterBrainTest, FailedHealthChecksRemoveAfterFallAndReturnAfterRise) {
  ClusterBrainOptions options;
  options.health_check.rise = 2;
  options.health_check.fall = 3;
  auto owner = MakeBrain(4, options);
  ClusterBrain& brain = *owner;
  const Outcome bad = Outcome::Failure(FromMillis(500), FailureKind::kTimeout);
  const Outcome good = Outcome::Success(FromMillis(5));
  brain.ObserveProbe(2, bad, At(1));
  brain.ObserveProbe(2, bad, At(2));
  brain.Tick(At(2));
  EXPECT_EQ(Listed(brain).size(), 4u) << "two failures are below fall = 3";
  brain.ObserveProbe(2, bad, At(3));
  brain.Tick(At(3));
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{0, 1, 3}));
  EXPECT_FALSE(brain.Status(2).healthy);
  brain.ObserveProbe(2, good, At(4));
  brain.Tick(At(4));
  EXPECT_EQ(Listed(brain).size(), 3u) << "one success is below rise = 2";
  brain.ObserveProbe(2, good, At(5));
  brain.Tick(At(5));
  EXPECT_EQ(Listed(brain).size(), 4u);
}

TEST(ClusterBrainTest, ConsecutiveServerErrorsEjectThenTimeReturns) {
  auto owner = MakeBrain(10);
  ClusterBrain& brain = *owner;
  std::vector<DecisionEvent> events;
  brain.SetEventListener([&](const DecisionEvent& e) { events.push_back(e); });
  for (int i = 0; i < 5; ++i) brain.Observe(4, Outcome::Success(FromMillis(3), 503), At(1));
  brain.Tick(At(1));
  EXPECT_TRUE(brain.Status(4).ejected);
  EXPECT_FALSE(brain.Status(4).in_table);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "eject");
  EXPECT_EQ(events.back().backend, 4u);
  // Base ejection time 30 s: still out at 25 s, back after the sweep that follows 31 s.
  for (double t = 1.1; t < 26; t += 0.1) brain.Tick(At(t));
  EXPECT_TRUE(brain.Status(4).ejected);
  for (double t = 26; t < 45; t += 0.1) brain.Tick(At(t));
  EXPECT_FALSE(brain.Status(4).ejected);
  EXPECT_TRUE(brain.Status(4).in_table);
  EXPECT_EQ(brain.Status(4).times_ejected, 1u);
}

TEST(ClusterBrainTest, OutlierDetectionCanBeTurnedOff) {
  ClusterBrainOptions options;
  options.outlier_detection = false;
  auto owner = MakeBrain(10, options);
  ClusterBrain& brain = *owner;
  for (int i = 0; i < 20; ++i) brain.Observe(4, Outcome::Success(FromMillis(3), 500), At(1));
  brain.Tick(At(1));
  EXPECT_TRUE(brain.Status(4).in_table);
  EXPECT_EQ(brain.Status(4).failures, 20u);
}

TEST(ClusterBrainTest, PanicListsAllButDrainedBackends) {
  ClusterBrainOptions options;
  options.health_check.fall = 1;
  auto owner = MakeBrain(5, options);
  ClusterBrain& brain = *owner;
  ASSERT_TRUE(brain.SetDraining(4, true).has_value());
  const Outcome bad = Outcome::Failure(FromMillis(1), FailureKind::kConnectRefused);
  // 4 candidates (one drained); 2 unhealthy leaves 50 %: not below the threshold.
  brain.ObserveProbe(0, bad, At(1));
  brain.ObserveProbe(1, bad, At(1));
  brain.Tick(At(1));
  EXPECT_FALSE(brain.InPanic());
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{2, 3}));
  // 3 unhealthy leaves 25 % < 50 %: panic, every non-drained backend is listed.
  brain.ObserveProbe(2, bad, At(2));
  brain.Tick(At(2));
  EXPECT_TRUE(brain.InPanic());
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{0, 1, 2, 3}));
}

TEST(ClusterBrainTest, PanicThresholdZeroDisablesPanic) {
  ClusterBrainOptions options;
  options.health_check.fall = 1;
  options.panic_threshold_percent = 0;
  auto owner = MakeBrain(2, options);
  ClusterBrain& brain = *owner;
  brain.ObserveProbe(0, Outcome::Failure(FromMillis(1), FailureKind::kReset), At(1));
  brain.ObserveProbe(1, Outcome::Failure(FromMillis(1), FailureKind::kReset), At(1));
  brain.Tick(At(1));
  EXPECT_FALSE(brain.InPanic());
  EXPECT_TRUE(Listed(brain).empty());
}

TEST(ClusterBrainTest, SlowStartRampsTheWeightOfANewBackend) {
  ClusterBrainOptions options;
  options.slow_start.window = FromSeconds(10);
  ClusterBrain brain(options);
  ASSERT_TRUE(brain.AddBackend({"old", 1.0}, At(0)).has_value());
  brain.Tick(At(100));
  ASSERT_TRUE(brain.AddBackend({"new", 2.0}, At(100)).has_value());
  brain.Tick(At(105));
  // Envoy: weight * max(10 %, (t / window)^(1/aggression)) = 2 * 0.5 at half the window.
  EXPECT_NEAR(brain.Status(1).effective_weight, 1.0, 1e-9);
  EXPECT_NEAR(brain.Status(0).effective_weight, 1.0, 1e-9);
  brain.Tick(At(111));
  EXPECT_NEAR(brain.Status(1).effective_weight, 2.0, 1e-9);
}

TEST(ClusterBrainTest, IndicesAreNeverReused) {
  auto owner = MakeBrain(2);
  ClusterBrain& brain = *owner;
  ASSERT_TRUE(brain.RemoveBackend(0).has_value());
  auto b = brain.AddBackend({"b0", 1.0}, At(1));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, 2u);
  brain.Tick(At(1));
  EXPECT_EQ(Listed(brain), (std::vector<BackendIndex>{1, 2}));
  EXPECT_EQ(brain.table()->backend_slots, 3u);
  EXPECT_FALSE(brain.Find("nothing").has_value());
  EXPECT_EQ(brain.Find("b0"), std::optional<BackendIndex>(2));
}

}  // namespace
}  // namespace huddle::core
