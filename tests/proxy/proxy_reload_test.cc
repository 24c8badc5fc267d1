// A reload applies every key it can to the running proxy, and refuses (naming the key) every key
// that needs a restart: it never prints "configuration reloaded" over an ignored key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "proxy/config_reload.h"
#include "proxy_fixture.h"

namespace huddle::proxy::testing {
namespace {

ProxyFixture::Options Plain() {
  ProxyFixture::Options o;
  o.cluster_extra = "    health_check: off\n";
  o.upstreams = 1;
  return o;
}

TEST(ProxyReloadTest, AdminTokenAddedByReloadIsEnforced) {
  ProxyFixture f(Plain());
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(Get(f.admin_port(), "/metrics").status, 200);
  ProxyConfig next = f.config();
  next.admin.token = "s3cret";
  auto r = f.server().Reload(next);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Get(f.admin_port(), "/metrics").status, 401);
  EXPECT_EQ(Get(f.admin_port(), "/metrics", "authorization: Bearer s3cret\r\n").status, 200);
  // And removed again.
  next.admin.token = "";
  ASSERT_TRUE(f.server().Reload(next));
  EXPECT_EQ(Get(f.admin_port(), "/metrics").status, 200);
}

TEST(ProxyReloadTest, ListenerBodyLimitChangesLive) {
  ProxyFixture f(Plain());
  ASSERT_TRUE(f.ok());
  const std::string body(2000, 'x');
  ASSERT_EQ(Post(f.port(), "/", body).status, 200);
  ProxyConfig next = f.config();
  next.listeners[0].max_body_bytes = 1000;
  ASSERT_TRUE(f.server().Reload(next));
  // The workers take the new limits from their queues; the next connection sees them. A small
  // body still passes, the large one is refused.
  EXPECT_EQ(Post(f.port(), "/", std::string(10, 'y')).status, 200);
  EXPECT_EQ(Post(f.port(), "/", body).status, 413);
}

TEST(ProxyReloadTest, RestartOnlyKeysAreRefusedByName) {
  ProxyFixture f(Plain());
  ASSERT_TRUE(f.ok());
  ProxyConfig next = f.config();
  next.threads = 3;
  auto r = f.server().Reload(next);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("threads: 1 -> 3"), std::string::npos) << r.error().message;
  EXPECT_EQ(f.server().threads(), 1u);
  EXPECT_EQ(Get(f.port()).status, 200);
}

TEST(KeysNeedingRestartTest, NamesEveryRestartOnlyKeyAndNoLiveOne) {
  auto base = ParseConfig(R"(threads: 2
admin: { address: 127.0.0.1:9901 }
listeners:
  - { name: web, address: 127.0.0.1:8080, cluster: app }
clusters:
  - name: app
    backends: [ { name: a, address: 127.0.0.1:9001 } ]
)",
                          "base.yaml");
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_TRUE(KeysNeedingRestart(*base, *base).empty());

  ProxyConfig live = *base;
  live.admin.token = "t";
  live.drain_timeout = std::chrono::seconds(3);
  live.listeners[0].header_timeout = std::chrono::seconds(2);
  live.listeners[0].max_body_bytes = 10;
  live.listeners[0].idle_timeout = std::chrono::seconds(2);
  live.listeners[0].max_connections = 7;
  live.clusters[0].retries.attempts = 0;
  live.clusters[0].backends[0].weight = 3;
  EXPECT_TRUE(KeysNeedingRestart(*base, live).empty());

  struct Case {
    const char* key;
    void (*change)(ProxyConfig&);
  };
  const Case cases[] = {
      {"threads", [](ProxyConfig& c) { c.threads = 4; }},
      {"tick", [](ProxyConfig& c) { c.tick = std::chrono::seconds(1); }},
      {"request_id_header", [](ProxyConfig& c) { c.request_id_header = "x-id"; }},
      {"admin.address", [](ProxyConfig& c) { c.admin.address.port = 1; }},
      {"admin.enabled", [](ProxyConfig& c) { c.admin.enabled = false; }},
      {"engine.enabled", [](ProxyConfig& c) { c.engine.enabled = true; }},
      {"engine:", [](ProxyConfig& c) { c.engine.source = "tick: 1s"; }},
      {"adaptive_concurrency.enabled",
       [](ProxyConfig& c) { c.adaptive_concurrency.enabled = true; }},
      {"access_log.path", [](ProxyConfig& c) { c.access_log.path = "-"; }},
      {"listeners[web].address", [](ProxyConfig& c) { c.listeners[0].address.port = 1; }},
      {"listeners[web].backlog", [](ProxyConfig& c) { c.listeners[0].backlog = 1; }},
      {"listeners: 1 -> 2", [](ProxyConfig& c) { c.listeners.push_back(c.listeners[0]); }},
      {"clusters[app].health_check.rise",
       [](ProxyConfig& c) { c.clusters[0].health_check.rise = 5; }},
      {"clusters[app].outlier_detection",
       [](ProxyConfig& c) { c.clusters[0].outlier_options["interval"] = "1s"; }},
      {"clusters[app].slow_start",
       [](ProxyConfig& c) { c.clusters[0].slow_start_options["window"] = "1s"; }},
      {"clusters[app].panic_threshold_percent",
       [](ProxyConfig& c) { c.clusters[0].panic_threshold_percent = 1; }},
  };
  for (const Case& k : cases) {
    ProxyConfig next = *base;
    k.change(next);
    const std::vector<std::string> keys = KeysNeedingRestart(*base, next);
    ASSERT_EQ(keys.size(), 1u) << k.key;
    EXPECT_EQ(keys[0].rfind(k.key, 0), 0u) << keys[0];
  }
}

// The admin weight action refused only weights <= 0: 1e308 overflowed the weighted policies'
// sums. The brain now holds every weight to [1e-6, 1e6], at load and at runtime.
TEST(ProxyAdminWeightTest, OutOfRangeWeightsAreRefusedAtRuntime) {
  ProxyFixture f(Plain());
  ASSERT_TRUE(f.ok());
  for (double w : {1e308, 1e7, 1e-9, 0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    EXPECT_FALSE(f.server().BackendAction("app", "u0", "weight", w)) << w;
  }
  EXPECT_TRUE(f.server().BackendAction("app", "u0", "weight", 1e6));
  const HttpResponse r =
      Post(f.admin_port(), "/api/v1/clusters/app/backends/u0/weight", "{\"weight\": 1e308}");
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
  const nlohmann::json j = nlohmann::json::parse(f.server().ClustersJson());
  EXPECT_EQ(j["clusters"][0]["backends"][0]["weight"], 1e6);
}

}  // namespace
}  // namespace huddle::proxy::testing
