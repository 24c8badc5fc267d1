#include "core/thermal/thermal_options.h"

#include <gtest/gtest.h>

#include <string>

namespace huddle::core {
namespace {

bool Mentions(const Result<ThermalOptions>& r, const std::string& text) {
  return !r.has_value() && r.error().message.find(text) != std::string::npos;
}

TEST(ThermalOptionsTest, DefaultsAreTheSeedsTextExceptMaxInner) {
  Result<ThermalOptions> r = ThermalOptions::Parse({});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->alpha, 0.60);
  EXPECT_DOUBLE_EQ(r->heat, 0.55);
  EXPECT_DOUBLE_EQ(r->cool, 0.30);
  EXPECT_EQ(r->min_inner, 2);
  EXPECT_EQ(r->max_inner, 0);
  EXPECT_EQ(r->rotation_cooldown, FromSeconds(5));
  EXPECT_EQ(r->outer_dwell, FromSeconds(10));
  EXPECT_EQ(r->cold_start, Duration::zero());
  EXPECT_EQ(r->rotation_interval, FromSeconds(1));
  EXPECT_DOUBLE_EQ(r->absolute_latency_floor_ms, 0.0);
  EXPECT_FALSE(r->adaptive_thresholds);
  EXPECT_EQ(r->latency_window, 10);
  EXPECT_DOUBLE_EQ(r->error_breaker, 0.5);
  EXPECT_EQ(r->pick, ThermalPickMode::kRoundRobin);
  EXPECT_DOUBLE_EQ(r->weight_anomaly + r->weight_cpu + r->weight_connections + r->weight_memory +
                       r->weight_errors,
                   1.0);
}

TEST(ThermalOptionsTest, ParsesEveryKey) {
  Result<ThermalOptions> r = ThermalOptions::Parse({
      {"alpha", "0.9"},
      {"heat", "0.7"},
      {"cool", "0.2"},
      {"min_inner", "3"},
      {"max_inner", "5"},
      {"rotation_cooldown", "2s"},
      {"outer_dwell", "500ms"},
      {"cold_start", "30s"},
      {"rotation_interval", "250ms"},
      {"absolute_latency_floor_ms", "500"},
      {"adaptive_thresholds", "true"},
      {"adaptive_window", "30"},
      {"adaptive_interval", "10s"},
      {"latency_window", "50"},
      {"probe_window", "5"},
      {"error_alpha", "0.2"},
      {"error_breaker", "1"},
      {"failure_latency_factor", "4"},
      {"stale_evidence_half_life", "20s"},
      {"stale_backoff_max", "8"},
      {"weight_anomaly", "0.6"},
      {"weight_cpu", "0.2"},
      {"weight_connections", "0.1"},
      {"weight_memory", "0.05"},
      {"weight_errors", "0.05"},
      {"connections_scale", "200"},
      {"pick", "least_request"},
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->alpha, 0.9);
  EXPECT_EQ(r->max_inner, 5);
  EXPECT_EQ(r->outer_dwell, FromMillis(500));
  EXPECT_EQ(r->cold_start, FromSeconds(30));
  EXPECT_EQ(r->rotation_interval, FromMillis(250));
  EXPECT_TRUE(r->adaptive_thresholds);
  EXPECT_EQ(r->adaptive_window, 30);
  EXPECT_EQ(r->latency_window, 50);
  EXPECT_DOUBLE_EQ(r->error_breaker, 1.0);
  EXPECT_EQ(r->stale_evidence_half_life, FromSeconds(20));
  EXPECT_DOUBLE_EQ(r->connections_scale, 200.0);
  EXPECT_EQ(r->pick, ThermalPickMode::kLeastRequest);
}

TEST(ThermalOptionsTest, RejectsAlphaOutsideZeroOne) {
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"alpha", "0"}}), "alpha"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"alpha", "1.5"}}), "alpha"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"alpha", "-0.1"}}), "alpha"));
  EXPECT_TRUE(ThermalOptions::Parse({{"alpha", "1"}}).has_value());
}

TEST(ThermalOptionsTest, RejectsCoolAtOrAboveHeat) {
  EXPECT_TRUE(
      Mentions(ThermalOptions::Parse({{"cool", "0.55"}}), "cool (0.550000) must be below heat"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"heat", "0.2"}}), "must be below heat"));
}

TEST(ThermalOptionsTest, RejectsBadRingSizesAndUnknownKeys) {
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"min_inner", "0"}}), "min_inner"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"min_inner", "3"}, {"max_inner", "2"}}),
                       "max_inner (2) must be 0 (no cap) or at least min_inner (3)"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"heet", "0.5"}}), "unknown option 'heet'"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"pick", "fastest"}}), "pick"));
  EXPECT_TRUE(Mentions(ThermalOptions::Parse({{"rotation_interval", "0s"}}), "rotation_interval"));
  // Every problem is listed at once.
  Result<ThermalOptions> r = ThermalOptions::Parse({{"alpha", "2"}, {"latency_window", "0"}});
  EXPECT_TRUE(Mentions(r, "alpha"));
  EXPECT_TRUE(Mentions(r, "latency_window"));
}

}  // namespace
}  // namespace huddle::core
