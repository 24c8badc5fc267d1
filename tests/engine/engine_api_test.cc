#include "engine/engine_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace huddle::engine {
namespace {

using common::AdminRequest;
using core::FromSeconds;
using core::TimePoint;

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

AdminRequest Post(std::string path, std::string body) {
  AdminRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

AdminRequest Get(std::string path, std::string query = "") {
  AdminRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

class EngineApiTest : public testing::Test {
 protected:
  EngineApiTest() : api_(engine_, mutex_, "s3cret") {}
  common::AdminResponse Call(const AdminRequest& r, double t = 0) {
    return api_.Handle(r, At(t), 1000.0);
  }

  Engine engine_;
  std::mutex mutex_;
  EngineApi api_;
};

TEST_F(EngineApiTest, IngestNeedsTheTokenInEitherHeader) {
  const std::string body = R"({"service_id": "api", "request_rate": 10})";
  EXPECT_EQ(Call(Post("/api/v1/ingest", body)).status, 401);
  AdminRequest with_header = Post("/api/v1/ingest", body);
  with_header.ingest_token = "s3cret";
  EXPECT_EQ(Call(with_header).status, 202);
  AdminRequest with_bearer = Post("/api/v1/ingest", body);
  with_bearer.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(with_bearer).status, 202);
  with_bearer.authorization = "Bearer wrong";
  EXPECT_EQ(Call(with_bearer).status, 401);
  EXPECT_EQ(engine_.counters().points_accepted, 2u);
}

TEST_F(EngineApiTest, BadPointsGet400NamingTheFieldAndGoodOnesAreKept) {
  AdminRequest r = Post("/api/v1/ingest", R"([{"service_id": "a", "request_rate": 1},
      {"service_id": "b", "error_rate": 2}])");
  r.ingest_token = "s3cret";
  auto res = Call(r);
  EXPECT_EQ(res.status, 400);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["accepted"], 1);
  EXPECT_EQ(j["errors"][0]["index"], 1);
  EXPECT_NE(j["errors"][0]["error"].get<std::string>().find("error_rate"), std::string::npos);
  r.body = "not json";
  EXPECT_EQ(Call(r).status, 400);
  r.body = std::string(5 << 20, ' ');
  EXPECT_EQ(Call(r).status, 413);
  EXPECT_EQ(Call(Get("/api/v1/ingest")).status, 405);
}

// Issue 13: the same JSON depth limit as the coordinator (300 000 levels must not reach the DOM).
TEST_F(EngineApiTest, DeeplyNestedIngestAndControlBodiesGet400) {
  AdminRequest deep = Post("/api/v1/ingest", std::string(300000, '[') + std::string(300000, ']'));
  deep.ingest_token = "s3cret";
  const common::AdminResponse r = Call(deep);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("nests deeper than 64 levels"), std::string::npos) << r.body;
  AdminRequest objects = Post("/api/v1/ingest", "[" + std::string(100000, '{'));
  objects.ingest_token = "s3cret";
  EXPECT_EQ(Call(objects).status, 400);
  AdminRequest control = Post("/api/v1/control/toggle", std::string(300000, '['));
  control.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(control).status, 400);
  AdminRequest near_miss = Post("/api/v1/ingest", R"({"service_id": "api", "request_rate": 10})");
  near_miss.authorization = "Bearer s3creT";
  EXPECT_EQ(Call(near_miss).status, 401);
}

TEST_F(EngineApiTest, SnapshotIs204BeforeTheFirstTickThenJson) {
  EXPECT_EQ(Call(Get("/api/v1/snapshot")).status, 204);
  AdminRequest r = Post("/api/v1/ingest", R"({"service_id": "api", "request_rate": 10})");
  r.ingest_token = "s3cret";
  Call(r);
  AdminRequest step = Post("/api/v1/runtime/step", "");
  step.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(step, 1).status, 200);
  auto res = Call(Get("/api/v1/snapshot"));
  ASSERT_EQ(res.status, 200);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["tick"], 1);
  EXPECT_EQ(j["services"][0]["id"], "api");
  EXPECT_DOUBLE_EQ(j["at"].get<double>(), 1001.0);  // steady 1 s + wall offset 1000 s
}

TEST_F(EngineApiTest, ControlEndpointsNeedTheTokenAndValidateTheirBodies) {
  EXPECT_EQ(Call(Post("/api/v1/control/toggle", "")).status, 401);
  AdminRequest toggle = Post("/api/v1/control/toggle", R"({"mode": "frozen"})");
  toggle.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(toggle).status, 200);
  EXPECT_EQ(engine_.mode(), core::AutopilotMode::kFrozen);
  toggle.body = "";
  EXPECT_EQ(Call(toggle).status, 200);  // empty body toggles
  EXPECT_EQ(engine_.mode(), core::AutopilotMode::kEnabled);
  toggle.body = R"({"mode": "sideways"})";
  EXPECT_EQ(Call(toggle).status, 400);

  AdminRequest preset = Post("/api/v1/policy/update", R"({"preset": "safe"})");
  preset.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(preset).status, 200);
  EXPECT_EQ(engine_.preset(), core::AutopilotPreset::kSafe);
  preset.body = R"({"preset": "reckless"})";
  EXPECT_EQ(Call(preset).status, 400);

  AdminRequest chaos = Post("/api/v1/control/chaos-run", R"({"service": "nope"})");
  chaos.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(chaos).status, 400);
  AdminRequest ack = Post("/api/v1/alerts/ack", R"({"id": 42})");
  ack.authorization = "Bearer s3cret";
  EXPECT_EQ(Call(ack).status, 404);
  EXPECT_EQ(Call(Get("/api/v1/nothing")).status, 404);
}

TEST_F(EngineApiTest, HealthAndMetrics) {
  auto health = Call(Get("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  Call(Post("/api/v1/ingest", "{}"));  // unauthorised: counted
  auto metrics = Call(Get("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("huddle_engine_unauthorized_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("huddle_engine_ticks_total 0\n"), std::string::npos);
}

}  // namespace
}  // namespace huddle::engine
