#include "engine/telemetry_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace huddle::engine {
namespace {

TEST(ParseIngestBodyTest, ReadsEveryFieldOfOnePoint) {
  auto r = ParseIngestBody(R"({"service_id": "api", "timestamp": "2024-05-01T12:00:00Z",
      "request_rate": 142.5, "error_rate": 0.002,
      "latency": {"p50": 12.1, "p95": 48.3, "p99": 91.2, "mean": 18.4},
      "cpu_usage": 55, "mem_usage": 0.4, "active_conns": 87, "queue_depth": 23, "replicas": 3,
      "shed_rate": 2.5,
      "upstream_calls": [{"target_service_id": "db", "call_rate": 70, "error_rate": 0.01,
                          "latency_mean": 4.5}]})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->points.size(), 1u);
  ASSERT_TRUE(r->errors.empty());
  const TelemetryPoint& p = r->points[0];
  EXPECT_EQ(p.service_id, "api");
  EXPECT_DOUBLE_EQ(p.timestamp_s, 1714564800.0);  // date -d 2024-05-01T12:00:00Z +%s
  EXPECT_DOUBLE_EQ(p.request_rate, 142.5);
  EXPECT_DOUBLE_EQ(p.latency_p99, 91.2);
  EXPECT_DOUBLE_EQ(p.cpu_usage, 0.55);  // percent accepted
  EXPECT_DOUBLE_EQ(p.active_conns, 87);
  EXPECT_DOUBLE_EQ(p.queue_depth, 23);
  EXPECT_DOUBLE_EQ(p.replicas, 3);
  EXPECT_DOUBLE_EQ(p.shed_rate, 2.5);
  ASSERT_EQ(p.upstream_calls.size(), 1u);
  EXPECT_EQ(p.upstream_calls[0].target_service_id, "db");
  EXPECT_DOUBLE_EQ(p.upstream_calls[0].call_rate, 70);
}

TEST(ParseIngestBodyTest, TimestampsInSecondsMillisecondsAndZones) {
  auto r = ParseIngestBody(R"([{"service_id": "a", "timestamp": 1714564800},
      {"service_id": "b", "timestamp": 1714564800250},
      {"service_id": "c", "timestamp": "2024-05-01T14:00:00.5+02:00"}])");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->points.size(), 3u);
  EXPECT_DOUBLE_EQ(r->points[0].timestamp_s, 1714564800.0);
  EXPECT_DOUBLE_EQ(r->points[1].timestamp_s, 1714564800.25);
  EXPECT_DOUBLE_EQ(r->points[2].timestamp_s, 1714564800.5);
  EXPECT_TRUE(std::isnan(r->points[0].cpu_usage));  // absent stays unknown
}

TEST(ParseIngestBodyTest, BadPointsNameEveryFieldAndGoodPointsAreKept) {
  auto r = ParseIngestBody(R"([
      {"service_id": "ok", "request_rate": 10},
      {"service_id": "", "request_rate": -1, "error_rate": 1.5},
      {"service_id": "lat", "latency": {"p50": 30, "p95": 20, "p99": 40}},
      {"service_id": "types", "request_rate": "fast", "latency": 3},
      {"request_rate": 1},
      {"service_id": "ok2", "queue_depth": 4, "upstream_calls": [{"target_service_id": "x y"}]},
      {"service_id": "ts", "timestamp": "yesterday"},
      7])");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->points.size(), 1u);
  EXPECT_EQ(r->points[0].service_id, "ok");
  ASSERT_EQ(r->errors.size(), 7u);
  EXPECT_EQ(r->errors[0].index, 1u);
  EXPECT_NE(r->errors[0].message.find("points[1].service_id"), std::string::npos);
  EXPECT_NE(r->errors[0].message.find("points[1].request_rate: must be a finite number >= 0"),
            std::string::npos);
  EXPECT_NE(r->errors[0].message.find("points[1].error_rate: must be between 0 and 1"),
            std::string::npos);
  EXPECT_NE(r->errors[1].message.find("points[2].latency: percentiles must be ordered"),
            std::string::npos);
  EXPECT_NE(r->errors[2].message.find("points[3].request_rate: must be a number"),
            std::string::npos);
  EXPECT_NE(r->errors[2].message.find("points[3].latency: must be an object"), std::string::npos);
  EXPECT_NE(r->errors[3].message.find("points[4].service_id: is required"), std::string::npos);
  EXPECT_NE(r->errors[4].message.find("upstream_calls[0].target_service_id"), std::string::npos);
  EXPECT_NE(r->errors[5].message.find("points[6].timestamp"), std::string::npos);
  EXPECT_NE(r->errors[6].message.find("points[7]: must be a JSON object"), std::string::npos);
}

TEST(ParseIngestBodyTest, WholeBodyErrors) {
  EXPECT_FALSE(ParseIngestBody("{not json").has_value());
  EXPECT_FALSE(ParseIngestBody("42").has_value());
  EXPECT_FALSE(ParseIngestBody("[]").has_value());
  std::string many = "[";
  for (int i = 0; i < 513; ++i) many += std::string(i ? "," : "") + R"({"service_id":"a"})";
  many += "]";
  auto r = ParseIngestBody(many);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("at most 512 points"), std::string::npos);
  IngestLimits small;
  small.max_body_bytes = 10;
  EXPECT_FALSE(ParseIngestBody(R"({"service_id": "abcdef"})", small).has_value());
}

TEST(ValidatePointTest, NanAndInfinityAreRejected) {
  TelemetryPoint p;
  p.service_id = "svc";
  EXPECT_TRUE(ValidatePoint(p).has_value());
  p.request_rate = std::nan("");
  auto r = ValidatePoint(p);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("request_rate"), std::string::npos);
  p.request_rate = 5;
  p.shed_rate = 6;
  EXPECT_FALSE(ValidatePoint(p).has_value());
  p.shed_rate = 1;
  p.latency_p99 = INFINITY;
  EXPECT_FALSE(ValidatePoint(p).has_value());
}

}  // namespace
}  // namespace huddle::engine
