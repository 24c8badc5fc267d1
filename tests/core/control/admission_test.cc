#include <gtest/gtest.h>

#include <cmath>

#include "core/control/admission_throttle.h"
#include "core/control/gradient_controller.h"
#include "core/control/retry_budget.h"
#include "core/random.h"

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

TEST(RetryBudgetTest, TwentyPercentOfActiveWithAFloorOfThree) {
  RetryBudget budget;
  EXPECT_EQ(budget.MaxActiveRetries(), 3u);  // no traffic: the floor
  for (int i = 0; i < 50; ++i) budget.RequestStarted();
  EXPECT_EQ(budget.MaxActiveRetries(), 10u);  // 20 % of 50
  int started = 0;
  while (budget.TryStartRetry()) ++started;
  EXPECT_EQ(started, 10);
  budget.RetryFinished();
  EXPECT_TRUE(budget.TryStartRetry());
  for (int i = 0; i < 45; ++i) budget.RequestFinished();
  EXPECT_EQ(budget.MaxActiveRetries(), 3u);  // 20 % of 5 = 1 < 3
  EXPECT_FALSE(budget.TryStartRetry());
  EXPECT_FALSE(RetryBudgetOptions::Parse({{"budget_percent", "120"}}).has_value());
}

TEST(AdmissionThrottleTest, SreFormulaInSteadyState) {
  AdmissionThrottle throttle;  // K = 2 over 120 s
  Xoshiro256 random(1);
  // 1000 requests, 300 accepted: P = (1000 - 2 * 300) / 1001 = 0.3996 (SRE: 1 - K * 0.3 = 0.4).
  for (int i = 0; i < 1000; ++i) {
    throttle.Admit(At(0), random);
  }
  for (int i = 0; i < 300; ++i) throttle.OnAccepted(At(0));
  EXPECT_NEAR(throttle.RejectProbability(At(1)), 400.0 / 1001.0, 1e-12);
  // All accepted: nothing rejected.
  AdmissionThrottle healthy;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(healthy.Admit(At(0), random));
    healthy.OnAccepted(At(0));
  }
  EXPECT_DOUBLE_EQ(healthy.RejectProbability(At(0)), 0.0);
}

TEST(AdmissionThrottleTest, RejectsAtTheComputedRateAndForgetsAfterTheWindow) {
  AdmissionThrottle throttle;
  Xoshiro256 random(9);
  for (int i = 0; i < 1000; ++i) throttle.Admit(At(0), random);
  for (int i = 0; i < 300; ++i) throttle.OnAccepted(At(0));
  // Fixed seed, 20000 decisions at P ~ 0.4 (it drifts as rejected attempts are counted: at the
  // end requests = 21000, accepts = 300, so P -> 0.97). Check the first 200 only: P stays within
  // [0.3996, 0.45]; 200 draws have sd 0.035; expect 80..100 rejections.
  int rejected = 0;
  for (int i = 0; i < 200; ++i) rejected += throttle.Admit(At(1), random) ? 0 : 1;
  EXPECT_GE(rejected, 60);
  EXPECT_LE(rejected, 115);
  // 120 s later every bucket has rotated out.
  EXPECT_DOUBLE_EQ(throttle.RejectProbability(At(125)), 0.0);
  EXPECT_EQ(throttle.Requests(At(125)), 0u);
}

TEST(AdmissionThrottleTest, EnvoyParametersCapAndAggression) {
  AdmissionOptions o;
  o.success_threshold = 0.95;
  o.aggression = 2.0;
  o.max_rejection_probability = 0.8;
  AdmissionThrottle throttle(o);
  Xoshiro256 random(1);
  for (int i = 0; i < 99; ++i) throttle.Admit(At(0), random);
  for (int i = 0; i < 50; ++i) throttle.OnAccepted(At(0));
  // base = (99 - 50 / 0.95) / 100 = 0.46368; P = base^(1/2) = 0.68094.
  EXPECT_NEAR(throttle.RejectProbability(At(0)), std::sqrt((99 - 50 / 0.95) / 100), 1e-12);
  for (int i = 0; i < 900; ++i) throttle.Admit(At(0), random);
  EXPECT_DOUBLE_EQ(throttle.RejectProbability(At(0)), 0.8);  // capped
}

GradientControllerOptions Fast() {
  GradientControllerOptions o;
  o.min_rtt_request_count = 5;
  o.jitter_percent = 0;
  return o;
}

// As the proxy runs it: open at start (limit 1000), minRTT measured at half the limit.
GradientControllerOptions FastOpen() {
  GradientControllerOptions o = Fast();
  o.max_concurrency_limit = 1000;
  o.initial_limit = 1000;
  o.min_rtt_limit_percent = 50;
  return o;
}

TEST(GradientControllerTest, MeasuresMinRttPinnedAtMinConcurrency) {
  ScriptedRandom random({0});
  GradientController c(Fast(), At(0));
  EXPECT_TRUE(c.measuring_min_rtt());
  EXPECT_EQ(c.limit(), 3u);
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_FALSE(c.TryAcquire());  // pinned at min_concurrency = 3
  for (int i = 0; i < 3; ++i) c.Release(FromMillis(10), At(0.01), random);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c.TryAcquire());
    c.Release(FromMillis(10), At(0.02), random);
  }
  EXPECT_FALSE(c.measuring_min_rtt());
  EXPECT_NEAR(ToMillis(c.min_rtt()), 10.0, 0.1);  // LogHistogram: 1 % relative error
  EXPECT_EQ(c.next_min_rtt_window(), At(0.02) + FromSeconds(60));
}

TEST(GradientControllerTest, LimitFollowsTheGradient) {
  ScriptedRandom random({0});
  GradientController c(Fast(), At(0));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.TryAcquire());
    c.Release(FromMillis(10), At(0), random);
  }
  ASSERT_EQ(c.limit(), 3u);  // restored to the deferred (initial) limit
  // Samples at the min RTT: gradient = 12.5 / 10 = 1.25; L' = 3.75; floor(3.75 + 1.936) = 5.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.TryAcquire());
    c.Release(FromMillis(10), At(0.05), random);
  }
  c.Tick(At(0.1), random);
  EXPECT_NEAR(c.gradient(), 1.25, 0.02);
  EXPECT_EQ(c.limit(), 5u);
  // Grows while latency stays flat: 5 x 1.25 = 6.25 -> floor(6.25 + 2.5) = 8.
  c.Release(FromMillis(10), At(0.15), random);
  c.Tick(At(0.2), random);
  EXPECT_EQ(c.limit(), 8u);
  // Latency x 4: gradient clamps at 0.5: 4 -> floor(4 + 2) = 6.
  c.Release(FromMillis(40), At(0.25), random);
  c.Tick(At(0.3), random);
  EXPECT_DOUBLE_EQ(c.gradient(), 0.5);
  EXPECT_EQ(c.limit(), 6u);
  // No samples: no change.
  c.Tick(At(0.4), random);
  EXPECT_EQ(c.limit(), 6u);
}

TEST(GradientControllerTest, RemeasuresAfterFiveUpdatesAtTheMinimum) {
  ScriptedRandom random({0});
  GradientController c(Fast(), At(0));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.TryAcquire());
    c.Release(FromMillis(10), At(0), random);
  }
  for (int tick = 1; tick <= 5; ++tick) {
    EXPECT_FALSE(c.measuring_min_rtt());
    c.Release(FromMillis(100), At(0.1 * tick - 0.05), random);  // 10x slower: gradient 0.5
    c.Tick(At(0.1 * tick), random);
    EXPECT_EQ(c.limit(), 3u);  // floor(1.5 + 1.22) = 2 -> clamped to 3
  }
  EXPECT_TRUE(c.measuring_min_rtt());
  EXPECT_FALSE(GradientControllerOptions::Parse({{"min_concurrency", "0"}}).has_value());
}

TEST(GradientControllerTest, StartsOpenAndMeasuresMinRttAtHalfTheConcurrency) {
  ScriptedRandom random({0});
  GradientController c(FastOpen(), At(0));
  // No window before traffic: the initial limit holds.
  EXPECT_FALSE(c.measuring_min_rtt());
  EXPECT_EQ(c.limit(), 1000u);
  c.Tick(At(0.1), random);
  EXPECT_FALSE(c.measuring_min_rtt());
  // Traffic at 16 in flight: the first window opens at half of that, not of the guessed 1000.
  // (Below 2 x min_concurrency in flight it would take half of the limit: see the next test.)
  c.ObserveInFlight(12);
  c.ObserveInFlight(16);
  c.Tick(At(0.2), random);
  EXPECT_TRUE(c.measuring_min_rtt());
  EXPECT_EQ(c.limit(), 8u);
  // A batch of 8 (5 needed) closes the window at the next Tick, on the whole batch: the
  // median of {10 x 4, 30 x 4} (lower rule, k = 3) is 10, whatever the order it came in.
  c.AddLatency(FromMillis(30), 4);
  c.AddLatency(FromMillis(10), 4);
  EXPECT_TRUE(c.measuring_min_rtt());  // a batch never closes the window by itself
  c.Tick(At(0.25), random);
  EXPECT_FALSE(c.measuring_min_rtt());
  EXPECT_NEAR(ToMillis(c.min_rtt()), 10.0, 0.1);
  EXPECT_EQ(c.limit(), 1000u);  // restored
  // Latency doubles under load: gradient 12.5 / 20 = 0.625; 625 + sqrt(625) = 650.
  c.AddLatency(FromMillis(20), 10);
  c.Tick(At(0.3), random);
  EXPECT_NEAR(c.gradient(), 0.625, 0.01);
  EXPECT_NEAR(c.limit(), 650.0, 8.0);  // 1 % histogram error on the sample RTT
  // Later windows (60 s on) pin at half of the limit in force: light load sheds nothing.
  const uint32_t before = c.limit();
  c.ObserveInFlight(4);
  c.Tick(At(61), random);
  EXPECT_TRUE(c.measuring_min_rtt());
  EXPECT_EQ(c.limit(), before / 2);
}

TEST(GradientControllerTest, SettlesNearTheBackendsConcurrencyPlusBuffer) {
  // A backend with 8 workers and 50 ms service, a closed loop of 16 clients: latency is
  // 50 ms x max(1, min(limit, 16) / 8). Fixed point: g = 1.25 x 8 / L, L' = 10 + sqrt(10) = 13.
  ScriptedRandom random({0});
  GradientController c(FastOpen(), At(0));
  c.ObserveInFlight(4);
  c.Tick(At(0.05), random);  // the first window opens; 4 < 2 x 3 in flight: at half the limit
  ASSERT_TRUE(c.measuring_min_rtt());
  ASSERT_EQ(c.limit(), 500u);
  c.AddLatency(FromMillis(50), 5);  // minRTT measured unloaded
  c.Tick(At(0.1), random);
  ASSERT_NEAR(ToMillis(c.min_rtt()), 50.0, 0.5);
  for (int tick = 1; tick <= 30; ++tick) {
    const double in_flight = std::min<double>(c.limit(), 16);
    c.AddLatency(FromMillis(50.0 * std::max(1.0, in_flight / 8.0)), 20);
    c.Tick(At(0.1 + 0.1 * tick), random);
  }
  EXPECT_GE(c.limit(), 12u);
  EXPECT_LE(c.limit(), 14u);
}

TEST(GradientControllerTest, ParsesHuddleKeys) {
  auto o = GradientControllerOptions::Parse({{"initial_limit", "200"},
                                             {"min_rtt_limit_percent", "50"},
                                             {"max_concurrency_limit", "500"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->initial_limit, 200u);
  EXPECT_DOUBLE_EQ(o->min_rtt_limit_percent, 50.0);
  EXPECT_FALSE(GradientControllerOptions::Parse({{"initial_limit", "2000"}}).has_value());
  EXPECT_FALSE(GradientControllerOptions::Parse({{"min_rtt_limit_percent", "150"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
