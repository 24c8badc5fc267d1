#include "core/options.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(OptionReaderTest, ReadsTypedValuesAndDefaults) {
  OptionMap map{{"alpha", "0.5"}, {"count", "3"}, {"on", "true"}, {"window", "250ms"}};
  OptionReader r(map, "test");
  EXPECT_DOUBLE_EQ(r.Double("alpha", 0.1), 0.5);
  EXPECT_EQ(r.Int("count", 1), 3);
  EXPECT_TRUE(r.Bool("on", false));
  EXPECT_EQ(r.Time("window", Duration{}), FromMillis(250));
  EXPECT_DOUBLE_EQ(r.Double("missing", 0.25), 0.25);
  EXPECT_TRUE(r.Finish().has_value());
}

TEST(OptionReaderTest, ReportsUnknownKeysAndBadValues) {
  OptionMap map{{"alpha", "1.5"}, {"colour", "red"}, {"count", "x"}};
  OptionReader r(map, "thermal");
  r.Double("alpha", 0.6, {.min = 0, .max = 1, .min_exclusive = true});
  r.Int("count", 1);
  Result<void> done = r.Finish();
  ASSERT_FALSE(done.has_value());
  const std::string& m = done.error().message;
  EXPECT_NE(m.find("alpha"), std::string::npos);
  EXPECT_NE(m.find("unknown option 'colour'"), std::string::npos);
  EXPECT_NE(m.find("count = 'x' is not an integer"), std::string::npos);
}

TEST(ParseDurationTest, Units) {
  EXPECT_EQ(*ParseDuration("1.5s"), FromMillis(1500));
  EXPECT_EQ(*ParseDuration("2m"), FromSeconds(120));
  EXPECT_EQ(*ParseDuration("100us"), std::chrono::microseconds(100));
  EXPECT_EQ(*ParseDuration("3"), FromSeconds(3));
  EXPECT_FALSE(ParseDuration("fast").has_value());
  EXPECT_FALSE(ParseDuration("-1s").has_value());
  EXPECT_FALSE(ParseDuration("").has_value());
}

}  // namespace
}  // namespace huddle::core
