#include "proxy/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "proxy_fixture.h"

namespace huddle::proxy::testing {
namespace {

TEST(AccessLogBufferTest, DropsWhatDoesNotFitAndCountsIt) {
  AccessLogBuffer buffer(16);
  buffer.Append("0123456789\n");
  buffer.Append("0123456789\n");  // 22 bytes > 16: dropped
  std::string out;
  buffer.Take(out);
  EXPECT_EQ(out, "0123456789\n");
  EXPECT_EQ(buffer.dropped(), 1u);
}

TEST(AccessLogBufferTest, EscapesJson) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\u000a\\u0001");
}

TEST(AccessLogTest, OneJsonLinePerRequest) {
  const std::string path =
      ::testing::TempDir() + "/huddle_access_" + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  ProxyFixture::Options o;
  o.upstreams = 1;
  o.cluster_extra = "    health_check: off\n";
  o.top_extra = "access_log: " + path + "\n";
  {
    ProxyFixture f(o);
    EXPECT_EQ(Get(f.port(), "/status/201", "x-request-id: abc\r\n").status, 201);
    EXPECT_EQ(Get(f.port(), "/a\"b").status, 200);
    // Drain waits for both sessions to finish (they log after the response), then flushes.
    EXPECT_EQ(f.server().Drain(std::chrono::seconds(5)), 0u);
  }
  std::ifstream in(path);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status"], 201);
  EXPECT_EQ(lines[0]["request_id"], "abc");
  EXPECT_EQ(lines[0]["backend"], "u0");
  EXPECT_EQ(lines[0]["attempts"], 1);
  EXPECT_EQ(lines[1]["target"], "/a\"b");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace huddle::proxy::testing
