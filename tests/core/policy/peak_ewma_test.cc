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

// Slow-server quarantine: six backends, five at 5 ms, backend 5 at 25 ms (5x), as the proxy
// benchmark's "slow" scenario.
PeakEwmaPolicy::Options FourChoices(double slow_factor = 3.0, int choices = 4) {
  PeakEwmaPolicy::Options o;
  o.choice_count = choices;
  o.slow_factor = slow_factor;
  return o;
}

// `rounds` responses per backend, 0.1 s apart from `at_seconds` (six rounds end at + 0.5 s):
// backend 5 at `slow_ms`, the others at `fast_ms`.
void Warm(PeakEwmaPolicy& policy, double at_seconds, double slow_ms = 25, double fast_ms = 5,
          int rounds = 6) {
  for (int k = 0; k < rounds; ++k) {
    for (BackendIndex b = 0; b < 6; ++b) {
      Respond(policy, b, b == 5 ? slow_ms : fast_ms, at_seconds + 0.1 * k);
    }
  }
}

// Picks at `at`, with the five fast backends holding `pending` requests each (the slow one none),
// and returns how many went to backend 5.
int SlowPicks(PeakEwmaPolicy& policy, int picks, double at_seconds, int pending) {
  for (BackendIndex b = 0; b < 5; ++b) {
    for (int k = 0; k < pending; ++k) policy.OnSend(b, At(at_seconds));
  }
  Xoshiro256 rng(7);
  int slow = 0;
  for (int i = 0; i < picks; ++i) {
    slow += policy.Pick(PickContext{.now = At(at_seconds), .rng = rng}) == BackendIndex{5};
  }
  for (BackendIndex b = 0; b < 5; ++b) {
    for (int k = 0; k < pending; ++k) {
      policy.Observe(b, Outcome::Success(FromMillis(5)), At(at_seconds));
    }
  }
  return slow;
}

TEST(PeakEwmaPolicyTest, WithoutQuarantineASlowServerTakesTrafficUnderLoad) {
  // Plain peak EWMA: with 12 pending on each fast backend (load 5 x 13 = 65 ms) the idle slow
  // one (25 x 1 = 25 ms) wins whenever it is drawn: 1 - (5/6)^4 = 52 % of 1 000 picks.
  PeakEwmaPolicy policy(FourChoices(0.0));
  policy.Update(EqualTable(6));
  Warm(policy, 1.0);
  policy.Tick(At(1.0));
  EXPECT_FALSE(policy.Quarantined(5));
  EXPECT_NEAR(SlowPicks(policy, 1000, 1.0, 12), 518, 60);
}

TEST(PeakEwmaPolicyTest, SlowServerIsQuarantinedWithOneTrialPerInterval) {
  // P2C draws two distinct backends, so one quarantined backend never wins on load.
  PeakEwmaPolicy policy(FourChoices(3.0, 2));
  policy.Update(EqualTable(6));
  std::vector<PolicyEvent> events;
  policy.SetEventListener([&](const PolicyEvent& e) { events.push_back(e); });
  Warm(policy, 1.0);
  policy.Tick(At(1.0));
  ASSERT_TRUE(policy.Quarantined(5));
  for (BackendIndex b = 0; b < 5; ++b) EXPECT_FALSE(policy.Quarantined(b));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].backend, 5u);
  EXPECT_EQ(events[0].kind, "slow");
  EXPECT_NE(events[0].reason.find("25.0 ms is 5.0x the cluster median 5.0 ms"), std::string::npos)
      << events[0].reason;
  EXPECT_EQ(BackendGauges(policy, 5).at("inner"), 0.0);
  EXPECT_DOUBLE_EQ(BackendGauges(policy, 5).at("latency_ms"), 25.0);
  EXPECT_EQ(BackendGauges(policy, 0).at("inner"), 1.0);
  // Quarantine starts the trial clock: no pick in the same second, even under load.
  EXPECT_EQ(SlowPicks(policy, 1000, 1.5, 12), 0);
  // One second later, exactly one trial request, then none until the next interval.
  EXPECT_EQ(SlowPicks(policy, 1000, 2.0, 12), 1);
  EXPECT_EQ(SlowPicks(policy, 1000, 2.9, 12), 0);
  EXPECT_EQ(SlowPicks(policy, 1000, 3.0, 12), 1);
  // Four draws with replacement are all the quarantined backend with probability (1/6)^4: about
  // 0.8 of 1 000 picks (then the least loaded quarantined candidate serves). Allow 3.
  PeakEwmaPolicy four(FourChoices());
  four.Update(EqualTable(6));
  Warm(four, 1.0);
  four.Tick(At(1.0));
  ASSERT_TRUE(four.Quarantined(5));
  EXPECT_LE(SlowPicks(four, 1000, 1.5, 12), 3);
}

TEST(PeakEwmaPolicyTest, QuarantinedServerReturnsWhenProbesShowItFast) {
  PeakEwmaPolicy policy(FourChoices());
  policy.Update(EqualTable(6));
  std::vector<PolicyEvent> events;
  policy.SetEventListener([&](const PolicyEvent& e) { events.push_back(e); });
  Warm(policy, 1.0);
  policy.Tick(At(1.0));
  ASSERT_TRUE(policy.Quarantined(5));
  // Probes at 5 ms; the limit is max(3 x 5, 5 + 2) = 15 ms. The last sample was at 1.5 s, so a
  // probe at 2 s weighs 1 - e^-0.5: 25 - 0.3935 x 20 = 17.13 ms, still out; the next, a second
  // later, weighs 1 - e^-1: 17.13 - 0.6321 x 12.13 = 9.46 ms, back in.
  policy.ObserveProbe(5, Outcome::Success(FromMillis(5)), At(2.0));
  policy.Tick(At(2.0));
  EXPECT_TRUE(policy.Quarantined(5));
  EXPECT_NEAR(BackendGauges(policy, 5).at("latency_ms"), 17.13, 0.01);
  policy.ObserveProbe(5, Outcome::Success(FromMillis(5)), At(3.0));
  policy.Tick(At(3.0));
  EXPECT_FALSE(policy.Quarantined(5));
  EXPECT_NEAR(BackendGauges(policy, 5).at("latency_ms"), 9.46, 0.01);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, "recovered");
  // Failed probes do not count as fast samples.
  PeakEwmaPolicy failing(FourChoices());
  failing.Update(EqualTable(6));
  Warm(failing, 1.0);
  failing.Tick(At(1.0));
  for (int k = 1; k <= 10; ++k) {
    failing.ObserveProbe(5, Outcome::Failure(FromMillis(1), FailureKind::kConnectRefused),
                         At(1.0 + k));
  }
  failing.Tick(At(12.0));
  EXPECT_TRUE(failing.Quarantined(5));
}

TEST(PeakEwmaPolicyTest, AShortStallDoesNotQuarantine) {
  // A fast backend answers three requests in 30 ms at 40 ms (a pause on the machine): each
  // sample 10 ms after the previous weighs 1 - e^-0.01, so the smoothed latency moves by about
  // 3 x 0.01 x 35 = 1 ms, far from the 15 ms limit.
  PeakEwmaPolicy policy(FourChoices());
  policy.Update(EqualTable(6));
  Warm(policy, 1.0, 5);
  for (int k = 1; k <= 3; ++k) Respond(policy, 2, 40, 1.5 + 0.01 * k);
  policy.Tick(At(1.6));
  EXPECT_FALSE(policy.Quarantined(2));
  EXPECT_NEAR(BackendGauges(policy, 2).at("latency_ms"), 6.04, 0.01);
}

TEST(PeakEwmaPolicyTest, QuarantineNeedsARealGap) {
  // 0.5 ms against 0.1 ms is 5x, but only 0.4 ms above the median: below slow_min_excess 2 ms.
  PeakEwmaPolicy policy(FourChoices());
  policy.Update(EqualTable(6));
  Warm(policy, 1.0, 0.5, 0.1);
  policy.Tick(At(1.0));
  EXPECT_FALSE(policy.Quarantined(5));
  // 2x slower (10 ms vs 5 ms) is below the factor 3.
  PeakEwmaPolicy twice(FourChoices());
  twice.Update(EqualTable(6));
  Warm(twice, 1.0, 10);
  twice.Tick(At(1.0));
  EXPECT_FALSE(twice.Quarantined(5));
  // Too few samples: nothing is judged.
  PeakEwmaPolicy young(FourChoices());
  young.Update(EqualTable(6));
  Warm(young, 1.0, 25, 5, 4);
  young.Tick(At(1.0));
  EXPECT_FALSE(young.Quarantined(5));
}

TEST(PeakEwmaPolicyTest, AllButOneSlowKeepsServingAndRemovalClearsQuarantine) {
  // Two backends: the lower median is the fast one, so the slow one is quarantined; when every
  // drawn candidate is quarantined the least loaded of them still serves (never no answer).
  PeakEwmaPolicy policy(FourChoices());
  policy.Update(EqualTable(2));
  for (int k = 0; k < 6; ++k) {
    Respond(policy, 0, 5, 1.0 + 0.1 * k);
    Respond(policy, 1, 50, 1.0 + 0.1 * k);
  }
  policy.Tick(At(1.0));
  EXPECT_TRUE(policy.Quarantined(1));
  EXPECT_FALSE(policy.Quarantined(0));
  // Backend 0 leaves the table: backend 1 is the only one and serves.
  RoutingTable only_one = Table({{1, 1.0}});
  policy.Update(only_one);
  Xoshiro256 rng(1);
  EXPECT_EQ(policy.Pick(PickContext{.now = At(1.2), .rng = rng}), std::optional<BackendIndex>(1));
  // Removed from the table, a quarantined backend loses its quarantine.
  policy.Update(Table({{0, 1.0}}, 2));
  EXPECT_FALSE(policy.Quarantined(1));
}

TEST(PeakEwmaPolicyTest, SlowOptionsAreValidated) {
  auto ok = PeakEwmaPolicy::ParseOptions({{"slow_factor", "4"},
                                          {"slow_min_excess", "5ms"},
                                          {"slow_retry_interval", "500ms"},
                                          {"slow_window", "250ms"}});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->slow_factor, 4.0);
  EXPECT_EQ(ok->slow_min_excess, std::chrono::milliseconds(5));
  EXPECT_EQ(ok->slow_retry_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(ok->slow_window, std::chrono::milliseconds(250));
  EXPECT_TRUE(PeakEwmaPolicy::ParseOptions({{"slow_factor", "0"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::ParseOptions({{"slow_factor", "1"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::ParseOptions({{"slow_factor", "-2"}}).has_value());
  EXPECT_FALSE(PeakEwmaPolicy::ParseOptions({{"slow_window", "0"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
