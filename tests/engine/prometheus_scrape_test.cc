#include "engine/prometheus_scrape.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::engine {
namespace {

using core::FromSeconds;
using core::TimePoint;

TEST(ParsePrometheusTextTest, ReadsSamplesLabelsAndSpecialValues) {
  size_t bad = 0;
  auto samples = ParsePrometheusText(
      "# HELP http_requests_total Requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{code=\"200\",path=\"/a \\\"b\\\"\"} 1027 1395066363000\n"
      "http_requests_total{code=\"500\"} 3\n"
      "up 1\n"
      "weird NaN\n"
      "broken{code=\"1} 5\n"
      "no_value\n"
      "latency_seconds{quantile=\"0.99\"} +Inf\n",
      &bad);
  ASSERT_EQ(samples.size(), 5u);
  EXPECT_EQ(bad, 2u);
  EXPECT_EQ(samples[0].name, "http_requests_total");
  EXPECT_EQ(samples[0].labels.at("path"), "/a \"b\"");
  EXPECT_DOUBLE_EQ(samples[0].value, 1027);
  EXPECT_DOUBLE_EQ(samples[2].value, 1);
  EXPECT_TRUE(std::isnan(samples[3].value));
  EXPECT_TRUE(std::isinf(samples[4].value));
}

TEST(TargetScraperTest, CountersBecomeRatesOnTheSecondScrape) {
  ScrapeTarget t;
  t.service = "api";
  t.url = "http://127.0.0.1:1/metrics";
  t.fields["request_rate"] = {"reqs", {}, true, 1.0};
  t.fields["error_rate"] = {"reqs", {{"code", "500"}}, true, 1.0};
  t.fields["latency_p99"] = {"lat", {{"quantile", "0.99"}}, false, 1000.0};
  t.error_rate_is_count = true;
  TargetScraper s(t);
  const TimePoint t0 = TimePoint{} + FromSeconds(10);
  auto first = s.Build(ParsePrometheusText("reqs{code=\"200\"} 100\nreqs{code=\"500\"} 0\n"
                                           "lat{quantile=\"0.99\"} 0.2\n"),
                       t0, 1.7e9);
  EXPECT_FALSE(first.has_value());  // counters need two scrapes
  auto second = s.Build(ParsePrometheusText("reqs{code=\"200\"} 280\nreqs{code=\"500\"} 20\n"
                                            "lat{quantile=\"0.99\"} 0.25\n"),
                        t0 + FromSeconds(2), 1.7e9 + 2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->service_id, "api");
  EXPECT_DOUBLE_EQ(second->request_rate, 100.0);  // (300 - 100) / 2 s
  EXPECT_DOUBLE_EQ(second->error_rate, 0.1);      // 10 errors/s of 100 rps
  EXPECT_DOUBLE_EQ(second->latency_p99, 250.0);
  // A counter reset skips one scrape instead of producing a negative rate.
  EXPECT_FALSE(s.Build(ParsePrometheusText("reqs{code=\"200\"} 5\nreqs{code=\"500\"} 0\n"),
                       t0 + FromSeconds(4), 1.7e9 + 4)
                   .has_value());
}

}  // namespace
}  // namespace huddle::engine
