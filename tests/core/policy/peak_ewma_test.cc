#include "core/policy/peak_ewma.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::At;
using testing::BackendGauges;
using testing::EqualTable;
using testing::PickOne;
using testing::Table;

constexpr double kMs = 1e6;  // nanoseconds

void Respond(PeakEwmaPolicy& policy, BackendIndex b, double ms, double at_seconds, bool ok = true) {
  policy.OnSend(b, At(at_seconds));
  const Outcome o = ok ? Outcome::Success(FromMillis(ms))
                       : Outcome::Failure(FromMillis(ms), FailureKind::kConnectRefused);
  policy.Observe(b, o, At(at_seconds));
}

TEST(PeakEwmaPolicyTest, CostTakesPeaksAtOnceAndDecaysOtherwise) {
  PeakEwmaPolicy policy;  // tau 10 s, default_rtt 30 ms
  policy.Update(EqualTable(2));
  EXPECT_DOUBLE_EQ(policy.CostNanos(0, At(0)), 30 * kMs);  // no history: default_rtt
  Respond(policy, 0, 50, 1.0);
  EXPECT_DOUBLE_EQ(policy.CostNanos(0, At(1)), 50 * kMs);  // first response replaces the default
  // 10 s later (one tau) the cost read has decayed toward 0: 50 e^-1 = 18.394 ms.
  EXPECT_NEAR(policy.CostNanos(0, At(11)), 50 * kMs * std::exp(-1.0), 1.0);
  // A 10 ms response then: below the decayed cost, so EWMA: 50 e^-1 + 10 (1 - e^-1) = 24.715 ms.
  Respond(policy, 0, 10, 11.0);
  const double ewma = 50 * kMs * std::exp(-1.0) + 10 * kMs * (1 - std::exp(-1.0));
  EXPECT_NEAR(policy.CostNanos(0, At(11)), ewma, 1.0);
  EXPECT_NEAR(BackendGauges(policy, 0).at("cost_ms"), 24.715, 0.001);
  // A 40 ms response at the same instant is a peak: the cost jumps to it.
  Respond(policy, 0, 40, 11.0);
  EXPECT_DOUBLE_EQ(policy.CostNanos(0, At(11)), 40 * kMs);
  // A fresh backend's first response below the default replaces it too.
  Respond(policy, 1, 5, 2.0);
  EXPECT_DOUBLE_EQ(policy.CostNanos(1, At(2)), 5 * kMs);
}

TEST(PeakEwmaPolicyTest, PowerOfTwoDistinctDrawsExactSequence) {
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(3));
  Respond(policy, 0, 10, 0.0);
  Respond(policy, 1, 50, 0.0);  // backend 2 keeps the 30 ms default
  // Draw i = Below(3), then j = Below(2), skipping i: (0, 0 -> 1) -> 0 (10 < 50);
  // (2, 1) -> 2 (30 < 50); (1, 1 -> 2) -> 2; (2, 0) -> 0.
  ScriptedRandom rng({ScriptedRandom::For(0, 3), ScriptedRandom::For(0, 2),
                      ScriptedRandom::For(2, 3), ScriptedRandom::For(1, 2),
                      ScriptedRandom::For(1, 3), ScriptedRandom::For(1, 2),
                      ScriptedRandom::For(2, 3), ScriptedRandom::For(0, 2)});
  std::vector<BackendIndex> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(PickOne(policy, rng, At(0)));
  EXPECT_EQ(picks, (std::vector<BackendIndex>{0, 2, 2, 0}));
}

TEST(PeakEwmaPolicyTest, PendingRequestsMultiplyTheCost) {
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(2));
  Respond(policy, 0, 10, 0.0);
  Respond(policy, 1, 25, 0.0);
  policy.OnSend(0, At(0));
  policy.OnSend(0, At(0));
  // Loads: 0 -> 10 ms x 3 = 30 ms, 1 -> 25 ms x 1.
  EXPECT_DOUBLE_EQ(policy.LoadNanos(0, At(0)), 30 * kMs);
  ScriptedRandom rng({ScriptedRandom::For(0, 2), ScriptedRandom::For(0, 1)});
  EXPECT_EQ(PickOne(policy, rng, At(0)), 1u);
  EXPECT_EQ(BackendGauges(policy, 0).at("in_flight"), 2.0);
}

// 100 s of picks, one per millisecond, each answered at once with the backend's latency.
// Every backend answers once at t = 0 first (not counted), so the run does not depend on which
// backend the first draws happen to favour.
std::map<BackendIndex, int> RunClosedLoop(PeakEwmaPolicy& policy,
                                          const std::map<BackendIndex, double>& latency_ms,
                                          const std::map<BackendIndex, bool>& fails, int picks) {
  Xoshiro256 rng(11);
  std::map<BackendIndex, int> counts;
  for (const auto& [b, ms] : latency_ms) Respond(policy, b, ms, 0.0, !fails.contains(b));
  for (int i = 0; i < picks; ++i) {
    const double t = (i + 1) * 0.001;
    const BackendIndex b = PickOne(policy, rng, At(t));
    ++counts[b];
    Respond(policy, b, latency_ms.at(b), t, !fails.contains(b));
  }
  return counts;
}

TEST(PeakEwmaPolicyTest, PrefersTheFasterBackends) {
  // Three backends at 10 ms, one at 50 ms. Distinct P2C draws always set the slow one against a
  // fast one, so it wins only when its cost has decayed below theirs: after a response it needs
  // tau ln 5 = 16 s, i.e. about 7 picks in 100 s. Random would give it 25 %. Bound: 0.1 %.
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(4));
  const auto counts = RunClosedLoop(policy, {{0, 10}, {1, 10}, {2, 50}, {3, 10}}, {}, 100000);
  EXPECT_LT(counts.contains(2) ? counts.at(2) : 0, 100);
  // The fast ones share the rest about evenly (a third each, wide tolerance: ties go to the
  // first draw and costs move together).
  for (BackendIndex b : {0u, 1u, 3u}) EXPECT_NEAR(counts.at(b), 33300, 3000) << b;
}

TEST(PeakEwmaPolicyTest, FastFailuresDoNotAttractTraffic) {
  // Backend 0 fails in 1 ms, backend 1 answers in 20 ms. Each failure is charged 1 s, which takes
  // tau ln 50 = 39 s to decay below 20 ms: in 10 s of picks backend 0 gets none.
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(2));
  const auto counts = RunClosedLoop(policy, {{0, 1}, {1, 20}}, {{0, true}}, 10000);
  EXPECT_EQ(counts.contains(0) ? counts.at(0) : 0, 0);

  // Without the penalty the failing backend would look fast and take almost everything.
  PeakEwmaPolicy naive({.failure_penalty = Duration::zero()});
  naive.Update(EqualTable(2));
  const auto naive_counts = RunClosedLoop(naive, {{0, 1}, {1, 20}}, {{0, true}}, 10000);
  EXPECT_GT(naive_counts.at(0), 9900);
}

TEST(PeakEwmaPolicyTest, UnmeasuredBackendIsProbedOnceItsDefaultDecays) {
  // Backend 1 answers in 20 ms; backend 0 has no history (30 ms). Both are considered at t = 0, so
  // 0's default starts decaying then and drops below 20 ms after tau ln 1.5 = 4.05 s.
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(2));
  Respond(policy, 1, 20, 0.0);
  ScriptedRandom rng({ScriptedRandom::For(0, 2), ScriptedRandom::For(0, 1)});
  // Backend 1 keeps answering in 20 ms, so its cost stays at 20 ms.
  EXPECT_EQ(PickOne(policy, rng, At(0)), 1u);
  Respond(policy, 1, 20, 4.0);
  EXPECT_EQ(PickOne(policy, rng, At(4.0)), 1u);  // 0 costs 30 e^-0.4 = 20.1 ms
  Respond(policy, 1, 20, 4.1);
  EXPECT_EQ(PickOne(policy, rng, At(4.1)), 0u);  // 0 costs 30 e^-0.41 = 19.9 ms
}

TEST(PeakEwmaPolicyTest, ServerErrorsCountAsFailures) {
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(1));
  policy.OnSend(0, At(0));
  policy.Observe(0, Outcome::Success(FromMillis(2), 503), At(0));
  EXPECT_DOUBLE_EQ(policy.CostNanos(0, At(0)), 1000 * kMs);
}

TEST(PeakEwmaPolicyTest, TableUpdatesKeepCostsAndInFlight) {
  PeakEwmaPolicy policy;
  policy.Update(EqualTable(2));
  Respond(policy, 1, 80, 0.0);
  policy.OnSend(1, At(0));
  policy.Update(Table({{0, 1}, {1, 1}, {2, 1}}));
  EXPECT_DOUBLE_EQ(policy.CostNanos(1, At(0)), 80 * kMs);
  EXPECT_DOUBLE_EQ(policy.CostNanos(2, At(0)), 30 * kMs);
  EXPECT_EQ(BackendGauges(policy, 1).at("in_flight"), 1.0);
  EXPECT_DOUBLE_EQ(BackendGauges(policy, 1).at("load_ms"), 160.0);
}

TEST(PeakEwmaPolicyTest, EmptyAndSingle) {
  PeakEwmaPolicy policy;
  ScriptedRandom rng({0});
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
  policy.Update(Table({{3, 1}}));
  EXPECT_EQ(PickOne(policy, rng), 3u);
  policy.Update(Table({}));
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
}

TEST(PeakEwmaPolicyTest, WeightDividesTheLoad) {
  // Equal 10 ms costs; backend 1 has weight 2. Load = cost x (pending + 1) / weight, so with one
  // request pending on each, backend 1 compares at half of backend 0 and wins both orders of draw.
  PeakEwmaPolicy policy;
  policy.Update(Table({{0, 1.0}, {1, 2.0}}));
  Respond(policy, 0, 10, 1);
  Respond(policy, 1, 10, 1);
  policy.OnSend(0, At(1));
  policy.OnSend(1, At(1));
  EXPECT_NEAR(policy.LoadNanos(0, At(1)), 20 * kMs, 1e-3 * kMs);
  EXPECT_NEAR(policy.LoadNanos(1, At(1)), 10 * kMs, 1e-3 * kMs);
  for (uint64_t first : {0u, 1u}) {
    ScriptedRandom rng({ScriptedRandom::For(first, 2), ScriptedRandom::For(0, 1)});
    EXPECT_EQ(PickOne(policy, rng, At(1)), 1u);
  }
}

TEST(PeakEwmaPolicyTest, FullScanAndChoiceCountFindTheLeastLoaded) {
  // Eight backends; only backend 6 is fast. A full scan always finds it; P2C rarely does.
  for (const OptionMap& options :
       {OptionMap{{"full_scan", "true"}}, OptionMap{{"choice_count", "8"}}}) {
    auto created = PeakEwmaPolicy::Create(options);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    Policy& policy = **created;
    policy.Update(EqualTable(8));
    for (BackendIndex b = 0; b < 8; ++b) {
      policy.OnSend(b, At(1));
      policy.Observe(b, Outcome::Success(FromMillis(b == 6 ? 2 : 40)), At(1));
    }
    Xoshiro256 rng(3);
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(policy.Pick(PickContext{.now = At(1), .rng = rng}), std::optional<BackendIndex>(6));
    }
  }
  // choice_count 4 of 8 with replacement: the fast backend is among the draws with probability
  // 1 - (7/8)^4 = 41 %; over 10 000 picks expect 4 138 (sd ~49); allow 4 sd.
  auto four = PeakEwmaPolicy::Create({{"choice_count", "4"}});
  ASSERT_TRUE(four.has_value());
  (*four)->Update(EqualTable(8));
  for (BackendIndex b = 0; b < 8; ++b) {
    (*four)->OnSend(b, At(1));
    (*four)->Observe(b, Outcome::Success(FromMillis(b == 6 ? 2 : 40)), At(1));
  }
  Xoshiro256 rng(11);
  int fast = 0;
  for (int i = 0; i < 10000; ++i) {
    fast += (*four)->Pick(PickContext{.now = At(1), .rng = rng}) == std::optional<BackendIndex>(6);
  }
  EXPECT_NEAR(fast, 4138, 200);
}

TEST(PeakEwmaPolicyTest, OptionsAreValidated) {
  auto ok = PeakEwmaPolicy::ParseOptions(
      {{"decay", "5s"}, {"default_rtt", "10ms"}, {"failure_penalty", "2s"}});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->decay, std::chrono::seconds(5));
  EXPECT_EQ(ok->default_rtt, std::chrono::milliseconds(10));
  EXPECT_EQ(ok->failure_penalty, std::chrono::seconds(2));
  EXPECT_FALSE(PeakEwmaPolicy::Create({{"decay", "0"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::Create({{"decay_time", "10s"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::Create({{"choice_count", "1"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::Create({{"full_scan", "maybe"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
