#include "core/policy/c3.h"

#include <gtest/gtest.h>

#include <cmath>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::At;
using testing::EqualTable;
using testing::PickOne;

void Feedback(C3Policy& p, BackendIndex b, double queue, double service_ms) {
  p.ObserveServerReport(b, ServerReport{.requests_in_flight = queue, .service_ms = service_ms},
                        /*probe=*/false, At(0));
}

TEST(C3PolicyTest, ScoreIsTheCubicQueuePenaltyOfThePaper) {
  C3Policy p(C3Policy::Options{});
  p.Update(EqualTable(2));
  p.OnSend(0, At(0));
  p.Observe(0, Outcome::Success(FromMillis(20)), At(0.001));
  Feedback(p, 0, 2, 5);
  // R = 20, 1/mu = 5, q^ = 1 + 0 outstanding x 1 client + 2 = 3: 20 - 5 + 27 x 5 = 150.
  EXPECT_DOUBLE_EQ(p.Score(0), 150.0);
  // One request outstanding makes q^ = 4: 20 - 5 + 64 x 5 = 335.
  p.OnSend(0, At(0.002));
  EXPECT_DOUBLE_EQ(p.Score(0), 335.0);
  // With 3 clients sharing the backend the outstanding request counts three times: q^ = 6.
  C3Policy::Options o;
  o.clients = 3;
  C3Policy shared(o);
  shared.Update(EqualTable(1));
  shared.OnSend(0, At(0));
  shared.Observe(0, Outcome::Success(FromMillis(20)), At(0.001));
  Feedback(shared, 0, 2, 5);
  shared.OnSend(0, At(0.002));
  EXPECT_DOUBLE_EQ(shared.Score(0), 20 - 5 + 216.0 * 5);
}

TEST(C3PolicyTest, RanksByScoreAndTriesUnmeasuredBackendsFirst) {
  C3Policy p(C3Policy::Options{});
  p.Update(EqualTable(3));
  for (BackendIndex b : {0u, 1u}) {
    p.OnSend(b, At(0));
    p.Observe(b, Outcome::Success(FromMillis(b == 0 ? 30 : 10)), At(0.001));
    Feedback(p, b, 1, 5);
  }
  Xoshiro256 rng(4);
  EXPECT_EQ(PickOne(p, rng, At(0.002)), 2u);  // no response yet: score 0
  p.OnSend(2, At(0.002));
  p.Observe(2, Outcome::Success(FromMillis(50)), At(0.003));
  Feedback(p, 2, 1, 5);
  EXPECT_EQ(PickOne(p, rng, At(0.004)), 1u);  // 10 ms beats 30 and 50
}

TEST(C3PolicyTest, ABackendThatFallsBehindIsRateLimited) {
  C3Policy p(C3Policy::Options{});  // window 20 ms, beta 0.2
  p.Update(EqualTable(2));
  p.OnSend(0, At(0));
  p.Observe(0, Outcome::Success(FromMillis(1)), At(0.0001));
  Feedback(p, 0, 0, 1);
  p.OnSend(1, At(0));
  // Backend 1 is so slow (100 s) that 0 stays ahead with a dozen requests outstanding:
  // (1 + 12)^3 x 1 ms = 2197 against about 1e5.
  p.Observe(1, Outcome::Success(FromMillis(100000)), At(0.0001));
  Feedback(p, 1, 0, 1);
  Xoshiro256 rng(1);
  // Window [0, 20 ms): 10 more requests to the better backend 0, none answered.
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(PickOne(p, rng, At(0.001)), 0u);
    p.OnSend(0, At(0.001));
  }
  EXPECT_TRUE(std::isinf(p.Limit(0)));
  // The next window: 11 sent against 1 received, so the limit is cut to 0.2 x 11 = 2.2.
  ASSERT_EQ(PickOne(p, rng, At(0.021)), 0u);
  EXPECT_DOUBLE_EQ(p.Limit(0), 2.2);
  p.OnSend(0, At(0.021));
  ASSERT_EQ(PickOne(p, rng, At(0.022)), 0u);
  p.OnSend(0, At(0.022));
  ASSERT_EQ(PickOne(p, rng, At(0.022)), 0u);
  p.OnSend(0, At(0.022));
  // Three sent in this window, over the limit: the worse-ranked backend 1 takes the next one.
  EXPECT_EQ(PickOne(p, rng, At(0.023)), 1u);
}

TEST(C3PolicyTest, OptionsAreChecked) {
  EXPECT_FALSE(C3Policy::Create({{"beta", "1"}}).has_value());
  EXPECT_FALSE(C3Policy::Create({{"clients", "0"}}).has_value());
  EXPECT_FALSE(C3Policy::Create({{"window", "0s"}}).has_value());
  EXPECT_TRUE(C3Policy::Create({{"clients", "4"}, {"gamma", "50"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
