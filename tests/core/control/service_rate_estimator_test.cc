#include "core/control/service_rate_estimator.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(ServiceRateEstimatorTest, UtilisationLaw) {
  ServiceRateEstimator e;
  ServiceRateSample s;
  s.throughput_rps = 100;
  s.replicas = 2;
  s.utilisation = 0.5;
  // mu = X / (U replicas) = 100 / (0.5 * 2) = 100 per replica.
  EXPECT_EQ(e.Observe(s), ServiceRateSource::kUtilisationLaw);
  EXPECT_DOUBLE_EQ(e.mu_per_replica(), 100);
  EXPECT_DOUBLE_EQ(e.mu_per_worker(), 12.5);
}

TEST(ServiceRateEstimatorTest, LowConcurrencyServiceTimeNotLittlesLaw) {
  ServiceRateEstimator e;
  ServiceRateSample s;
  s.throughput_rps = 50;
  s.replicas = 1;
  s.in_flight = 2;         // <= 0.5 x 8 workers: latency is about service time
  s.low_latency_s = 0.04;  // 40 ms
  // mu = workers / S = 8 / 0.04 = 200, whatever the throughput (Little would give 50).
  EXPECT_EQ(e.Observe(s), ServiceRateSource::kLowConcurrency);
  EXPECT_DOUBLE_EQ(e.mu_per_replica(), 200);
}

TEST(ServiceRateEstimatorTest, SaturatedThroughputAndUnusableSamples) {
  ServiceRateEstimator e;
  ServiceRateSample busy;
  busy.throughput_rps = 400;
  busy.replicas = 2;
  busy.in_flight = 100;
  busy.low_latency_s = 0.2;
  busy.queue_depth = 60;
  EXPECT_EQ(e.Observe(busy), ServiceRateSource::kSaturatedThroughput);
  EXPECT_DOUBLE_EQ(e.mu_per_replica(), 200);
  ServiceRateSample useless;  // no U, no latency, no queue
  useless.throughput_rps = 10;
  EXPECT_EQ(e.Observe(useless), ServiceRateSource::kNone);
  EXPECT_DOUBLE_EQ(e.mu_per_replica(), 200);
  // EWMA 0.2 over estimates: 200 then 100 -> 180.
  ServiceRateSample law;
  law.throughput_rps = 100;
  law.replicas = 1;
  law.utilisation = 1.0;
  e.Observe(law);
  EXPECT_DOUBLE_EQ(e.mu_per_replica(), 180);
}

}  // namespace
}  // namespace huddle::core
