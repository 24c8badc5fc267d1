#include "engine/actuator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/admin_http_server.h"

namespace huddle::engine {
namespace {

Directive Sample(std::string service = "api") {
  return Directive{7, core::TimePoint{}, std::move(service), 4, 6, true, "scale up 4 -> 6"};
}

TEST(ActuatorTest, LogActuatorWritesOneLine) {
  std::ostringstream out;
  auto a = MakeLogActuator(out);
  auto r = a->Apply(Sample());
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->executed);
  EXPECT_EQ(out.str(), "directive 7: api 4 -> 6 (scale up 4 -> 6)\n");
}

TEST(ActuatorTest, CommandTemplateQuotesTheService) {
  EXPECT_EQ(
      RenderCommand("kubectl scale deployment/{service} --replicas={replicas} # {from}", Sample()),
      "kubectl scale deployment/'api' --replicas=6 # 4");
  EXPECT_EQ(RenderCommand("echo {service}", Sample("a';rm")), "echo 'a'\\'';rm'");
}

TEST(ActuatorTest, CommandDryRunDoesNotRun) {
  const auto path =
      std::filesystem::temp_directory_path() / ("huddle-actuator-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  auto a = MakeCommandActuator("echo {replicas} > " + path.string(), true, core::FromSeconds(5));
  ASSERT_TRUE(a.has_value());
  auto r = (*a)->Apply(Sample());
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->executed);
  EXPECT_EQ(r->detail, "dry-run: echo 6 > " + path.string());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ActuatorTest, CommandRunsAndReportsExitStatus) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("huddle-actuator-run-" + std::to_string(::getpid()));
  auto a = MakeCommandActuator("echo {service}={replicas} > " + path.string(), false,
                               core::FromSeconds(5));
  ASSERT_TRUE(a.has_value());
  auto r = (*a)->Apply(Sample());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->executed);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "api=6");
  std::filesystem::remove(path);
  auto failing = MakeCommandActuator("exit 3", false, core::FromSeconds(5));
  auto f = (*failing)->Apply(Sample());
  ASSERT_FALSE(f.has_value());
  EXPECT_NE(f.error().message.find("exit status 3"), std::string::npos);
}

TEST(ActuatorTest, WebhookPostsJson) {
  boost::asio::io_context io;
  std::string received;
  std::string path;
  common::AdminHttpServer server(
      io,
      [&](const common::AdminRequest& req) {
        received = req.body;
        path = req.path;
        return common::AdminResponse{202, "application/json", "{}"};
      },
      "");
  auto port = server.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(port.has_value());
  std::thread thread([&] { io.run(); });
  auto a = MakeWebhookActuator("http://127.0.0.1:" + std::to_string(*port) + "/scale", false,
                               core::FromSeconds(5));
  ASSERT_TRUE(a.has_value());
  auto r = (*a)->Apply(Sample());
  server.Close();
  io.stop();
  thread.join();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->executed);
  EXPECT_EQ(path, "/scale");
  const auto body = nlohmann::json::parse(received);
  EXPECT_EQ(body["service"], "api");
  EXPECT_EQ(body["replicas"], 6);
  EXPECT_EQ(body["from"], 4);
}

TEST(ActuatorTest, WebhookErrorsAreReported) {
  EXPECT_FALSE(MakeWebhookActuator("https://x", false, core::FromSeconds(1)).has_value());
  // Port 1 on loopback refuses the connection.
  auto a = MakeWebhookActuator("http://127.0.0.1:1/x", false, core::FromSeconds(1));
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE((*a)->Apply(Sample()).has_value());
  auto dry = MakeWebhookActuator("http://127.0.0.1:1/x", true, core::FromSeconds(1));
  auto r = (*dry)->Apply(Sample());
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->detail.find("\"replicas\":6"), std::string::npos);
}

}  // namespace
}  // namespace huddle::engine
