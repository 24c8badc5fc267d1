#include "common/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace huddle::common {
namespace {

TEST(PrometheusTextTest, GroupsSamplesOfAFamilyUnderOneHelpAndType) {
  PrometheusText m;
  m.Family("a_total", PrometheusText::kCounter, "A things.");
  m.Family("b", PrometheusText::kGauge, "B level.");
  m.Sample("a_total", {{"x", "1"}}, 1);
  m.Sample("b", {}, 2.5);
  m.Sample("a_total", {{"x", "2"}}, 3);
  m.Family("a_total", PrometheusText::kGauge, "ignored: declared already");
  EXPECT_EQ(m.Text(),
            "# HELP a_total A things.\n# TYPE a_total counter\n"
            "a_total{x=\"1\"} 1\na_total{x=\"2\"} 3\n"
            "# HELP b B level.\n# TYPE b gauge\nb 2.5\n");
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  PrometheusText m;
  m.Family("g", PrometheusText::kGauge, "line\\one\ntwo");
  m.Sample("g", {{"name", "a\"b\\c\nd"}}, 1);
  EXPECT_EQ(m.Text(),
            "# HELP g line\\\\one\\ntwo\n# TYPE g gauge\n"
            "g{name=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(PrometheusTextTest, WritesDoublesWithFullPrecisionAndSpecialValues) {
  EXPECT_EQ(PrometheusText::FormatDouble(0.1), "0.1");
  EXPECT_EQ(PrometheusText::FormatDouble(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(std::stod(PrometheusText::FormatDouble(123456.789012345678)), 123456.789012345678);
  EXPECT_EQ(PrometheusText::FormatDouble(1e300), "1e+300");
  EXPECT_EQ(PrometheusText::FormatDouble(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(PrometheusText::FormatDouble(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PrometheusText::FormatDouble(-std::numeric_limits<double>::infinity()), "-Inf");
  // Counters above 2^53 stay exact (an integer is not passed through a double).
  PrometheusText m;
  m.Sample("c_total", {}, uint64_t{18446744073709551615ull});
  EXPECT_NE(m.Text().find("c_total 18446744073709551615\n"), std::string::npos) << m.Text();
}

TEST(PrometheusTextTest, MakesNamesValid) {
  EXPECT_EQ(PrometheusText::SanitizeName("huddle_server_heat-level.x"),
            "huddle_server_heat_level_x");
  EXPECT_EQ(PrometheusText::SanitizeName("9lives"), "_9lives");
  EXPECT_EQ(PrometheusText::SanitizeName(""), "_");
  PrometheusText m;
  m.Sample("bad name", {{"bad-label", "v"}}, 1);
  EXPECT_EQ(m.Text(),
            "# HELP bad_name bad_name\n# TYPE bad_name untyped\nbad_name{bad_label=\"v\"} 1\n");
}

TEST(PrometheusTextTest, HistogramSeriesShareTheirFamily) {
  PrometheusText m;
  m.Family("lat_seconds", PrometheusText::kHistogram, "Latency.");
  m.Sample("lat_seconds", {{"le", "0.1"}}, 1, "_bucket");
  m.Sample("lat_seconds", {{"le", "+Inf"}}, 2, "_bucket");
  m.Sample("lat_seconds", {}, 0.15, "_sum");
  m.Sample("lat_seconds", {}, 2, "_count");
  EXPECT_EQ(m.Text(),
            "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.1\"} 1\nlat_seconds_bucket{le=\"+Inf\"} 2\n"
            "lat_seconds_sum 0.15\nlat_seconds_count 2\n");
}

}  // namespace
}  // namespace huddle::common
