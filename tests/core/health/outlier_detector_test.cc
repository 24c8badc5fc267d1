#include "core/health/outlier_detector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "alloc_counter.h"

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

const Outcome kOk = Outcome::Success(FromMillis(5));
const Outcome k500 = Outcome::Success(FromMillis(5), 500);
const Outcome k503 = Outcome::Success(FromMillis(5), 503);

// Fails the test if the detector draws a random number.
class NoRandom final : public Random {
 public:
  uint64_t NextU64() override {
    ADD_FAILURE() << "unexpected random draw";
    return 0;
  }
};

class OutlierDetectorTest : public ::testing::Test {
 protected:
  void Make(OutlierDetectionOptions options, BackendIndex hosts) {
    detector_ = std::make_unique<OutlierDetector>(options);
    for (BackendIndex b = 0; b < hosts; ++b) detector_->AddHost(b);
    detector_->SetListener([this](const OutlierEvent& e) { events_.push_back(e); });
  }
  void Repeat(BackendIndex b, const Outcome& o, int times, double at_s) {
    for (int i = 0; i < times; ++i) detector_->Observe(b, o, At(at_s), rng_);
  }
  // `failures` 500s and `requests - failures` successes, interleaved so that no streak of five
  // 5xx forms while failures <= 4/5 of requests.
  void Mixed(BackendIndex b, int requests, int failures, double at_s) {
    int done_failures = 0;
    for (int i = 0; i < requests; ++i) {
      const bool fail = done_failures * requests < failures * (i + 1);
      if (fail) ++done_failures;
      detector_->Observe(b, fail ? k500 : kOk, At(at_s), rng_);
    }
  }

  std::unique_ptr<OutlierDetector> detector_;
  std::vector<OutlierEvent> events_;
  NoRandom rng_;
};

TEST_F(OutlierDetectorTest, FiveConsecutive5xxEjectAtTheFifth) {
  Make({}, 3);
  Repeat(1, k500, 4, 1);
  EXPECT_FALSE(detector_->IsEjected(1));
  EXPECT_TRUE(events_.empty());
  detector_->Observe(1, k500, At(1), rng_);
  EXPECT_TRUE(detector_->IsEjected(1));
  EXPECT_EQ(detector_->EjectedCount(), 1u);
  EXPECT_EQ(detector_->TimesEjected(1), 1u);
  EXPECT_EQ(detector_->EjectedUntil(1), At(31));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_TRUE(events_[0].ejected);
  EXPECT_EQ(events_[0].backend, 1u);
  EXPECT_EQ(events_[0].reason, OutlierReason::kConsecutive5xx);
  EXPECT_EQ(events_[0].at, At(1));
  EXPECT_NE(events_[0].detail.find("5 consecutive 5xx"), std::string::npos) << events_[0].detail;
  EXPECT_EQ(detector_->counters().enforced[0], 1u);
}

TEST_F(OutlierDetectorTest, ASuccessInBetweenRestartsTheStreak) {
  Make({}, 1);
  Repeat(0, k500, 4, 1);
  detector_->Observe(0, kOk, At(1), rng_);
  Repeat(0, k500, 4, 1);
  EXPECT_FALSE(detector_->IsEjected(0));
  detector_->Observe(0, k500, At(1), rng_);
  EXPECT_TRUE(detector_->IsEjected(0));
}

TEST_F(OutlierDetectorTest, TransportFailuresCountAs5xxButLocalGiveUpsDoNot) {
  Make({}, 2);
  Repeat(0, Outcome::Failure(FromSeconds(1), FailureKind::kLocal), 10, 1);
  EXPECT_FALSE(detector_->IsEjected(0));
  Repeat(1, Outcome::Failure(FromSeconds(1), FailureKind::kConnectRefused), 5, 1);
  EXPECT_TRUE(detector_->IsEjected(1));
}

TEST_F(OutlierDetectorTest, GatewayFailureDetectorCountsButDoesNotEjectByDefault) {
  OutlierDetectionOptions o;
  o.consecutive_5xx = 1000;  // keep the 5xx detector out of the way
  Make(o, 1);
  Repeat(0, k503, 5, 1);
  EXPECT_FALSE(detector_->IsEjected(0));
  EXPECT_EQ(detector_->counters().detected[1], 1u);
  EXPECT_EQ(detector_->counters().enforced[1], 0u);
}

TEST_F(OutlierDetectorTest, GatewayFailureDetectorEjectsWhenEnforced) {
  OutlierDetectionOptions o;
  o.consecutive_5xx = 1000;
  o.enforcing_consecutive_gateway_failure = 100;
  Make(o, 1);
  // A non-gateway 5xx breaks the gateway streak.
  Repeat(0, k503, 4, 1);
  detector_->Observe(0, k500, At(1), rng_);
  Repeat(0, k503, 4, 1);
  EXPECT_FALSE(detector_->IsEjected(0));
  detector_->Observe(0, Outcome::Failure(FromSeconds(1), FailureKind::kTimeout), At(1), rng_);
  EXPECT_TRUE(detector_->IsEjected(0));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].reason, OutlierReason::kConsecutiveGatewayFailure);
}

TEST_F(OutlierDetectorTest, EnforcementPercentIsARandomDraw) {
  OutlierDetectionOptions o;
  o.enforcing_consecutive_5xx = 30;
  Make(o, 2);
  // Below(100) = 30 is not < 30: detected, not enforced; the streak restarts anyway.
  ScriptedRandom miss({ScriptedRandom::For(30, 100)});
  for (int i = 0; i < 5; ++i) detector_->Observe(0, k500, At(1), miss);
  EXPECT_FALSE(detector_->IsEjected(0));
  EXPECT_EQ(detector_->counters().detected[0], 1u);
  // Below(100) = 29 < 30: ejected.
  ScriptedRandom hit({ScriptedRandom::For(29, 100)});
  for (int i = 0; i < 4; ++i) detector_->Observe(0, k500, At(2), hit);
  EXPECT_FALSE(detector_->IsEjected(0));  // a new streak of 4 only
  detector_->Observe(0, k500, At(2), hit);
  EXPECT_TRUE(detector_->IsEjected(0));
}

TEST_F(OutlierDetectorTest, SuccessRateSweepEjectsOnlyTheOutlier) {
  Make({}, 10);
  detector_->Tick(At(0), rng_);
  // Host 3 at 50 %, the nine others at 100 %, 100 requests each (the minimum volume).
  // mean = (50 + 9·100) / 10 = 95; variance = (45² + 9·5²) / 10 = 225; stdev = 15;
  // threshold = 95 − 1.9·15 = 66.5: only host 3 is below it.
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, 100, b == 3 ? 50 : 0, 5);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  detector_->Tick(At(9.9), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);  // not yet an interval
  detector_->Tick(At(10), rng_);
  EXPECT_TRUE(detector_->IsEjected(3));
  EXPECT_EQ(detector_->EjectedCount(), 1u);
  EXPECT_EQ(detector_->last_success_rate_sweep().hosts, 10u);
  EXPECT_DOUBLE_EQ(detector_->last_success_rate_sweep().mean, 95.0);
  EXPECT_NEAR(detector_->last_success_rate_sweep().threshold, 66.5, 1e-9);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].reason, OutlierReason::kSuccessRate);
  EXPECT_EQ(events_[0].at, At(10));
}

TEST_F(OutlierDetectorTest, SuccessRateNeedsEnoughHostsWithEnoughRequests) {
  Make({}, 10);
  detector_->Tick(At(0), rng_);
  // Only four hosts reach 100 requests: below success_rate_minimum_hosts = 5.
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, b < 4 ? 100 : 99, b == 0 ? 50 : 0, 5);
  detector_->Tick(At(10), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_EQ(detector_->last_success_rate_sweep().hosts, 4u);
  EXPECT_EQ(detector_->last_success_rate_sweep().mean, -1);

  // Next interval: every host at 99 requests (below the volume of 100), host 0 at 50 %.
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, 99, b == 0 ? 50 : 0, 15);
  detector_->Tick(At(20), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_EQ(detector_->last_success_rate_sweep().hosts, 0u);

  // Counts start over at each sweep: 60 + 60 requests across two intervals never qualify.
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, 60, b == 0 ? 30 : 0, 25);
  detector_->Tick(At(30), rng_);
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, 60, b == 0 ? 30 : 0, 35);
  detector_->Tick(At(40), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
}

TEST_F(OutlierDetectorTest, EqualSuccessRatesEjectNobody) {
  Make({}, 5);
  detector_->Tick(At(0), rng_);
  for (BackendIndex b = 0; b < 5; ++b) Mixed(b, 100, 40, 5);  // all at 60 %: stdev 0
  detector_->Tick(At(10), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_DOUBLE_EQ(detector_->last_success_rate_sweep().threshold, 60.0);
}

TEST_F(OutlierDetectorTest, FailurePercentageCountsButDoesNotEjectByDefault) {
  OutlierDetectionOptions o;
  o.consecutive_5xx = 1000;
  Make(o, 5);
  detector_->Tick(At(0), rng_);
  for (BackendIndex b = 0; b < 5; ++b) Mixed(b, 50, b == 2 ? 45 : 0, 5);
  detector_->Tick(At(10), rng_);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_EQ(detector_->counters().detected[3], 1u);
}

TEST_F(OutlierDetectorTest, FailurePercentageEjectsAtOrAboveTheThreshold) {
  OutlierDetectionOptions o;
  o.consecutive_5xx = 1000;
  o.enforcing_failure_percentage = 100;
  o.max_ejection_percent = 100;  // let the threshold alone decide
  Make(o, 6);
  detector_->Tick(At(0), rng_);
  // Interval 1, 50 requests per host (too few for the success-rate detector, which needs 100):
  // host 1 at 84 % failures, host 2 at 90 %, hosts 0, 3, 4 at 0 %; host 5 fails all of its 49
  // requests, one short of the volume. Five hosts qualify: only host 2 is ejected.
  for (BackendIndex b = 0; b < 5; ++b) Mixed(b, 50, b == 1 ? 42 : b == 2 ? 45 : 0, 5);
  Repeat(5, k500, 49, 5);
  detector_->Tick(At(10), rng_);
  EXPECT_FALSE(detector_->IsEjected(1));
  EXPECT_TRUE(detector_->IsEjected(2));
  EXPECT_FALSE(detector_->IsEjected(5));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].reason, OutlierReason::kFailurePercentage);

  // Interval 2: host 4 at exactly 85 % (85 of 100), host 5 again at 49 requests. Host 2 is
  // ejected and takes no part, so only hosts 0, 1, 3, 4 qualify: below the minimum of five.
  for (BackendIndex b : {0u, 1u, 3u}) Mixed(b, 50, 0, 15);
  Mixed(4, 100, 85, 15);
  Repeat(5, k500, 49, 15);
  detector_->Tick(At(20), rng_);
  EXPECT_FALSE(detector_->IsEjected(4));
  EXPECT_FALSE(detector_->IsEjected(5));

  // Interval 3: host 5 reaches 50 requests, so five hosts qualify; 85 % and 100 % are ejected.
  for (BackendIndex b : {0u, 1u, 3u}) Mixed(b, 50, 0, 25);
  Mixed(4, 100, 85, 25);
  Repeat(5, k500, 50, 25);
  detector_->Tick(At(30), rng_);
  EXPECT_TRUE(detector_->IsEjected(4));
  EXPECT_TRUE(detector_->IsEjected(5));
  EXPECT_FALSE(detector_->IsEjected(0));
  EXPECT_EQ(detector_->EjectedCount(), 3u);
}

TEST_F(OutlierDetectorTest, EjectionTimeGrowsWithTheMultiplierAndIsCapped) {
  OutlierDetectionOptions o;
  o.max_ejection_time = FromSeconds(100);
  Make(o, 1);
  detector_->Tick(At(0), rng_);
  Repeat(0, k500, 5, 1);
  EXPECT_EQ(detector_->EjectedUntil(0), At(31));  // 30 s × 1
  detector_->Tick(At(30.9), rng_);
  EXPECT_TRUE(detector_->IsEjected(0));
  detector_->Tick(At(31), rng_);
  EXPECT_FALSE(detector_->IsEjected(0));
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_FALSE(events_[1].ejected);
  EXPECT_EQ(events_[1].reason, OutlierReason::kEjectionTimeElapsed);

  // Ejected again before any sweep finds it healthy for an interval: 30 s × 2.
  Repeat(0, k500, 5, 31);
  EXPECT_EQ(detector_->EjectedUntil(0), At(91));
  EXPECT_EQ(detector_->EjectionMultiplier(0), 2u);
  detector_->Tick(At(90.9), rng_);
  EXPECT_TRUE(detector_->IsEjected(0));

  // Then 90 s, then capped at max_ejection_time = 100 s. The multiplier grows while
  // 30·m < 100 + 30, so it stops at 5.
  double t = 91;
  const double expected[] = {90, 100, 100, 100};
  const uint32_t multipliers[] = {3, 4, 5, 5};
  for (int i = 0; i < 4; ++i) {
    detector_->Tick(At(t), rng_);
    ASSERT_FALSE(detector_->IsEjected(0)) << i;
    Repeat(0, k500, 5, t);
    EXPECT_EQ(detector_->EjectedUntil(0), At(t + expected[i])) << i;
    EXPECT_EQ(detector_->EjectionMultiplier(0), multipliers[i]) << i;
    t += expected[i];
  }
  EXPECT_EQ(detector_->TimesEjected(0), 6u);
}

TEST_F(OutlierDetectorTest, MultiplierDropsByOneForEachHealthyInterval) {
  Make({}, 1);
  detector_->Tick(At(0), rng_);  // sweeps at 10, 20, 30, ...
  Repeat(0, k500, 5, 1);         // multiplier 1, until 31
  detector_->Tick(At(31), rng_);
  Repeat(0, k500, 5, 32);  // multiplier 2, until 92
  EXPECT_EQ(detector_->EjectedUntil(0), At(92));
  for (int s = 33; s <= 92; ++s) detector_->Tick(At(s), rng_);
  EXPECT_FALSE(detector_->IsEjected(0));
  EXPECT_EQ(detector_->EjectionMultiplier(0), 2u);  // the sweep at 90 saw it ejected
  for (int s = 93; s <= 100; ++s) detector_->Tick(At(s), rng_);
  EXPECT_EQ(detector_->EjectionMultiplier(0), 2u);  // back for 8 s only at the sweep at 100
  for (int s = 101; s <= 110; ++s) detector_->Tick(At(s), rng_);
  EXPECT_EQ(detector_->EjectionMultiplier(0), 1u);
  for (int s = 111; s <= 120; ++s) detector_->Tick(At(s), rng_);
  EXPECT_EQ(detector_->EjectionMultiplier(0), 0u);
  for (int s = 121; s <= 130; ++s) detector_->Tick(At(s), rng_);
  EXPECT_EQ(detector_->EjectionMultiplier(0), 0u);
  Repeat(0, k500, 5, 131);
  EXPECT_EQ(detector_->EjectedUntil(0), At(161));  // back to base × 1
  EXPECT_EQ(detector_->TimesEjected(0), 3u);
}

TEST_F(OutlierDetectorTest, MaxEjectionPercentStillAllowsOneOfFiveButNotTwo) {
  Make({}, 5);  // 10 % of 5 hosts is half a host
  Repeat(0, k500, 5, 1);
  EXPECT_TRUE(detector_->IsEjected(0));
  EXPECT_FALSE(detector_->EjectionAllowed());
  Repeat(1, k500, 5, 1);
  EXPECT_FALSE(detector_->IsEjected(1));
  EXPECT_EQ(detector_->EjectedCount(), 1u);
  EXPECT_EQ(detector_->counters().overflow, 1u);
  EXPECT_EQ(detector_->counters().detected[0], 2u);
}

TEST_F(OutlierDetectorTest, MaxEjectionPercentIsNeverExceededBeyondTheFirstHost) {
  Make({}, 20);  // 10 % of 20 = 2 hosts
  for (BackendIndex b = 0; b < 4; ++b) Repeat(b, k500, 5, 1);
  EXPECT_EQ(detector_->EjectedCount(), 2u);
  EXPECT_TRUE(detector_->IsEjected(0));
  EXPECT_TRUE(detector_->IsEjected(1));

  OutlierDetectionOptions off;
  off.max_ejection_percent = 0;
  Make(off, 20);
  Repeat(0, k500, 5, 1);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
}

TEST_F(OutlierDetectorTest, SuccessfulActiveCheckUnejects) {
  Make({}, 2);
  Repeat(0, k500, 5, 1);
  ASSERT_TRUE(detector_->IsEjected(0));
  detector_->ObserveActiveCheckSuccess(1, At(2));  // not ejected: nothing happens
  detector_->ObserveActiveCheckSuccess(0, At(2));
  EXPECT_FALSE(detector_->IsEjected(0));
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_EQ(detector_->EjectionMultiplier(0), 1u);  // the backoff is kept
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[1].reason, OutlierReason::kActiveHealthCheck);
  EXPECT_EQ(events_[1].at, At(2));
  // Streaks restart after un-ejection: four more 5xx do not eject.
  Repeat(0, k500, 4, 3);
  EXPECT_FALSE(detector_->IsEjected(0));
}

TEST_F(OutlierDetectorTest, UnejectionRestartsStreaksLeftByASweepEjection) {
  Make({}, 10);
  detector_->Tick(At(0), rng_);
  for (BackendIndex b = 0; b < 10; ++b) Mixed(b, 100, b == 3 ? 50 : 0, 5);
  Repeat(3, k500, 4, 6);  // a streak of four, one short of the threshold
  detector_->Tick(At(10), rng_);
  ASSERT_TRUE(detector_->IsEjected(3));
  ASSERT_EQ(events_.back().reason, OutlierReason::kSuccessRate);
  detector_->ObserveActiveCheckSuccess(3, At(11));
  ASSERT_FALSE(detector_->IsEjected(3));
  detector_->Observe(3, k500, At(12), rng_);  // would be the fifth without the restart
  EXPECT_FALSE(detector_->IsEjected(3));
}

TEST_F(OutlierDetectorTest, ActiveCheckUnejectCanBeTurnedOff) {
  OutlierDetectionOptions o;
  o.successful_active_health_check_uneject_host = false;
  Make(o, 1);
  Repeat(0, k500, 5, 1);
  detector_->ObserveActiveCheckSuccess(0, At(2));
  EXPECT_TRUE(detector_->IsEjected(0));
}

TEST_F(OutlierDetectorTest, JitterIsDrawnFromTheRandomSource) {
  OutlierDetectionOptions o;
  o.max_ejection_time_jitter = FromSeconds(10);
  OutlierDetector d(o);
  d.AddHost(0);
  // Below(10 s + 1 ns, in ns) = 2.5 s.
  const uint64_t span = static_cast<uint64_t>(FromSeconds(10).count()) + 1;
  ScriptedRandom rng({ScriptedRandom::For(2'500'000'000, span)});
  for (int i = 0; i < 5; ++i) d.Observe(0, k500, At(1), rng);
  EXPECT_EQ(d.EjectedUntil(0), At(33.5));
}

TEST_F(OutlierDetectorTest, RemovedHostsLeaveTheCountsAndComeBackClean) {
  Make({}, 3);
  Repeat(1, k500, 5, 1);
  ASSERT_EQ(detector_->EjectedCount(), 1u);
  detector_->RemoveHost(1);
  EXPECT_EQ(detector_->EjectedCount(), 0u);
  EXPECT_EQ(detector_->HostCount(), 2u);
  Repeat(1, k500, 5, 2);  // ignored
  EXPECT_FALSE(detector_->IsEjected(1));
  detector_->AddHost(1);
  EXPECT_EQ(detector_->TimesEjected(1), 0u);
  EXPECT_EQ(detector_->HostCount(), 3u);
  // Unknown indices are ignored, never a crash.
  detector_->Observe(77, k500, At(3), rng_);
  detector_->ObserveActiveCheckSuccess(77, At(3));
  EXPECT_FALSE(detector_->IsEjected(77));
  EXPECT_EQ(detector_->TimesEjected(77), 0u);
}

TEST_F(OutlierDetectorTest, ObserveDoesNotAllocate) {
  OutlierDetectionOptions o;
  Make(o, 64);
  detector_->SetListener(nullptr);  // events build a string; without a listener nothing is built
  const long before = static_cast<long>(support::Allocations());
  for (int i = 0; i < 10000; ++i) {
    const BackendIndex b = static_cast<BackendIndex>(i % 64);
    detector_->Observe(b, i % 7 == 0 ? k500 : kOk, At(1), rng_);
  }
  Repeat(5, k500, 5, 2);  // an ejection too
  EXPECT_TRUE(detector_->IsEjected(5));
  EXPECT_EQ(static_cast<long>(support::Allocations()) - before, 0);
}

TEST(OutlierReasonTest, NamesAreStable) {
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kConsecutive5xx), "consecutive_5xx");
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kConsecutiveGatewayFailure),
               "consecutive_gateway_failure");
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kSuccessRate), "success_rate");
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kFailurePercentage), "failure_percentage");
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kEjectionTimeElapsed), "ejection_time_elapsed");
  EXPECT_STREQ(OutlierReasonName(OutlierReason::kActiveHealthCheck), "active_health_check");
}

TEST(OutlierDetectionOptionsTest, EnvoyDefaults) {
  Result<OutlierDetectionOptions> o = OutlierDetectionOptions::Parse({});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->interval, FromSeconds(10));
  EXPECT_EQ(o->base_ejection_time, FromSeconds(30));
  EXPECT_EQ(o->max_ejection_time, FromSeconds(300));
  EXPECT_EQ(o->max_ejection_time_jitter, Duration::zero());
  EXPECT_EQ(o->max_ejection_percent, 10u);
  EXPECT_EQ(o->consecutive_5xx, 5u);
  EXPECT_EQ(o->enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(o->consecutive_gateway_failure, 5u);
  EXPECT_EQ(o->enforcing_consecutive_gateway_failure, 0u);
  EXPECT_EQ(o->success_rate_minimum_hosts, 5u);
  EXPECT_EQ(o->success_rate_request_volume, 100u);
  EXPECT_EQ(o->success_rate_stdev_factor, 1900u);
  EXPECT_EQ(o->enforcing_success_rate, 100u);
  EXPECT_EQ(o->failure_percentage_threshold, 85u);
  EXPECT_EQ(o->failure_percentage_minimum_hosts, 5u);
  EXPECT_EQ(o->failure_percentage_request_volume, 50u);
  EXPECT_EQ(o->enforcing_failure_percentage, 0u);
  EXPECT_TRUE(o->successful_active_health_check_uneject_host);
}

TEST(OutlierDetectionOptionsTest, ParsesEnvoyNamesAndRejectsBadValues) {
  Result<OutlierDetectionOptions> o =
      OutlierDetectionOptions::Parse({{"interval", "5s"},
                                      {"base_ejection_time", "10s"},
                                      {"max_ejection_percent", "50"},
                                      {"enforcing_consecutive_gateway_failure", "100"},
                                      {"success_rate_stdev_factor", "1000"},
                                      {"max_ejection_time_jitter", "2s"},
                                      {"successful_active_health_check_uneject_host", "false"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->interval, FromSeconds(5));
  EXPECT_EQ(o->base_ejection_time, FromSeconds(10));
  EXPECT_EQ(o->max_ejection_percent, 50u);
  EXPECT_EQ(o->enforcing_consecutive_gateway_failure, 100u);
  EXPECT_EQ(o->success_rate_stdev_factor, 1000u);
  EXPECT_EQ(o->max_ejection_time_jitter, FromSeconds(2));
  EXPECT_FALSE(o->successful_active_health_check_uneject_host);

  Result<OutlierDetectionOptions> bad =
      OutlierDetectionOptions::Parse({{"interval", "0s"},
                                      {"max_ejection_percent", "101"},
                                      {"consecutive_5xx", "0"},
                                      {"consecutive_errors", "5"}});
  ASSERT_FALSE(bad.has_value());
  const std::string& m = bad.error().message;
  EXPECT_NE(m.find("interval"), std::string::npos) << m;
  EXPECT_NE(m.find("max_ejection_percent"), std::string::npos) << m;
  EXPECT_NE(m.find("consecutive_5xx"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown option 'consecutive_errors'"), std::string::npos) << m;
}

}  // namespace
}  // namespace huddle::core
