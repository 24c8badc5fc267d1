#include "common/http/json_limits.h"

#include <gtest/gtest.h>

namespace huddle::http {
namespace {

TEST(JsonDepthTest, CountsArraysAndObjectsButNotBracketsInStrings) {
  EXPECT_EQ(JsonDepth("1", 64), 0u);
  EXPECT_EQ(JsonDepth("[]", 64), 1u);
  EXPECT_EQ(JsonDepth(R"({"a": [1, {"b": []}], "c": {}})", 64), 4u);
  EXPECT_EQ(JsonDepth(R"(["[[[[", "\"[[[", "\\"])", 64), 1u);
  EXPECT_EQ(JsonDepth("[[[", 2), 3u);  // stops at the limit + 1
  EXPECT_EQ(JsonDepth("]]]][[", 64), 2u);
}

TEST(ParseJsonLimitedTest, RefusesDeepLargeAndBrokenBodies) {
  EXPECT_EQ(ParseJsonLimited(std::string(64, '[') + std::string(64, ']'))->dump(),
            std::string(64, '[') + std::string(64, ']'));
  const auto deep = ParseJsonLimited(std::string(300000, '[') + std::string(300000, ']'));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().status, 400);
  EXPECT_EQ(deep.error().message, "the JSON body nests deeper than 64 levels");
  const auto big = ParseJsonLimited(std::string(2000, ' '), JsonLimits{.max_bytes = 1000});
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().status, 413);
  const auto broken = ParseJsonLimited(R"({"a": )");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().status, 400);
  EXPECT_EQ(broken.error().message, "the body is not JSON");
  EXPECT_FALSE(ParseJsonLimited("").has_value());
}

}  // namespace
}  // namespace huddle::http
