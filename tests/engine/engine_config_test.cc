#include "engine/engine_config.h"

#include <gtest/gtest.h>

namespace huddle::engine {
namespace {

TEST(EngineConfigTest, ReadsEverySection) {
  auto c = ParseEngineConfig(R"(
engine:
  listen: 127.0.0.1:9999
  token: t
  tick: 1s
  max_services: 50
  autopilot: {preset: safe, mode: frozen, setpoint: 0.6}
storage:
  url: "sqlite::memory:"
  persist_interval: 10s
  retention: {events: 1h}
actuator:
  kind: command
  command: "echo {service} {replicas}"
  dry_run: true
scrape:
  targets:
    - service: api
      url: http://127.0.0.1:9100/metrics
      fields:
        request_rate: {metric: reqs, counter: true}
)",
                             "test.yaml");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->listen.port, 9999);
  EXPECT_EQ(c->token, "t");
  EXPECT_EQ(c->engine.max_services, 50u);
  EXPECT_EQ(c->engine.autopilot.preset, core::AutopilotPreset::kSafe);
  EXPECT_EQ(c->engine.autopilot.mode, core::AutopilotMode::kFrozen);
  EXPECT_DOUBLE_EQ(c->engine.autopilot.planner.setpoint, 0.6);
  EXPECT_DOUBLE_EQ(c->retention.events_s, 3600);
  EXPECT_TRUE(c->actuator.dry_run);
  ASSERT_EQ(c->targets.size(), 1u);
  EXPECT_TRUE(c->targets[0].fields.at("request_rate").counter);
}

TEST(EngineConfigTest, EveryErrorHasItsLine) {
  auto c = ParseEngineConfig(R"(
engine:
  tick: forever
  bogus: 1
actuator:
  kind: webhook
scrape:
  targets:
    - service: api
      url: ftp://x
      fields:
        request_rate: {metric: reqs}
        colour: {metric: x}
)",
                             "bad.yaml");
  ASSERT_FALSE(c.has_value());
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("bad.yaml:3:"), std::string::npos) << m;  // tick
  EXPECT_NE(m.find("bogus"), std::string::npos) << m;
  EXPECT_NE(m.find("webhook needs url"), std::string::npos) << m;
  EXPECT_NE(m.find("url must start with http://"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown field 'colour'"), std::string::npos) << m;
}

}  // namespace
}  // namespace huddle::engine
