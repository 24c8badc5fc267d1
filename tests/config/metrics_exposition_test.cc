// Every /metrics of huddle passes `promtool check metrics` (the exposition format and its lint:
// HELP and TYPE per family, families not split, escaped label values, counters in _total, base
// units), with hostile names in the labels: a quote, a backslash and a newline in a cluster,
// backend, service or worker name must not break the text.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "common/prometheus_text.h"
#include "engine/engine.h"
#include "engine/engine_api.h"
#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_server.h"
#include "taskd/coordinator.h"

namespace huddle {
namespace {

namespace fs = std::filesystem;

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` on `text`; exit code and what it printed.
PromtoolResult Promtool(const std::string& text) {
  const fs::path dir =
      fs::temp_directory_path() / ("huddle-promtool-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<uintptr_t>(&text)));
  fs::create_directories(dir);
  const fs::path in = dir / "metrics.txt";
  std::ofstream(in) << text;
  const std::string cmd = "promtool check metrics < '" + in.string() + "' 2>&1";
  PromtoolResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  fs::remove_all(dir);
  return r;
}

bool HavePromtool() { return std::system("command -v promtool > /dev/null 2>&1") == 0; }

#define REQUIRE_PROMTOOL()                                                                     \
  if (!HavePromtool())                                                                         \
  GTEST_SKIP() << "promtool is not installed (Debian package 'prometheus', scripts/deps.sh); " \
                  "the exposition is not checked"

// The check itself can fail: a split family and a counter without _total are refused.
TEST(PromtoolTest, RefusesBrokenExposition) {
  REQUIRE_PROMTOOL();
  EXPECT_NE(Promtool("# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\n# HELP b x\n# TYPE b gauge\nb 1\n"
                     "# HELP a x\n# TYPE a gauge\na{l=\"2\"} 2\n")
                .exit_code,
            0);
  EXPECT_NE(Promtool("# HELP c x\n# TYPE c counter\nc 1\n").exit_code, 0);
  EXPECT_NE(Promtool("# HELP d x\n# TYPE d gauge\nd{l=\"a\"b\"} 1\n").exit_code, 0);
}

constexpr const char* kHostile = "we\"ird\\na\nme";

TEST(MetricsExpositionTest, ProxyWithEngineAndHostileNamesPassesPromtool) {
  REQUIRE_PROMTOOL();
  proxy::UpstreamOptions u;
  u.name = "u0";
  proxy::UpstreamServer upstream(u);
  ASSERT_TRUE(upstream.Start());
  // YAML double-quoted strings carry the quote, backslash and newline into the names.
  const std::string yaml =
      "threads: 1\n"
      "admin: { address: 127.0.0.1:0 }\n"
      "engine: { enabled: true, tick: 100ms }\n"
      "adaptive_concurrency: { enabled: true }\n"
      "listeners:\n"
      "  - { name: \"web\\\"1\", address: 127.0.0.1:0, cluster: \"app\\\"\\\\x\\n\" }\n"
      "clusters:\n"
      "  - name: \"app\\\"\\\\x\\n\"\n"
      "    policy: thermal\n"
      "    health_check: off\n"
      "    backends:\n"
      "      - { name: \"b\\\"\\\\\\n1\", address: 127.0.0.1:" +
      std::to_string(upstream.port()) + " }\n";
  auto config = proxy::ParseConfig(yaml, "hostile.yaml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->clusters[0].name, "app\"\\x\n");
  proxy::ProxyServer server(*config);
  ASSERT_TRUE(server.Start());
  const std::string text = server.MetricsText();
  server.Stop();
  EXPECT_NE(text.find("cluster=\"app\\\"\\\\x\\n\""), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP huddle_engine_ticks_total"), std::string::npos) << text;
  EXPECT_NE(text.find("huddle_backend_latency_seconds_bucket"), std::string::npos);
  const PromtoolResult r = Promtool(text);
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
}

TEST(MetricsExpositionTest, EngineMetricsPassPromtool) {
  REQUIRE_PROMTOOL();
  engine::Engine e;
  std::mutex mutex;
  engine::EngineApi api(e, mutex, "");
  const core::TimePoint t0{};
  for (int i = 0; i < 5; ++i) {
    for (const char* id : {"api\"x", "back\\slash", "plain"}) {
      engine::TelemetryPoint p;
      p.service_id = id;
      p.timestamp_s = 1e9 + i;
      p.request_rate = 100;
      p.latency_p50 = 10;
      p.latency_p95 = 20;
      p.latency_p99 = 30;
      p.latency_mean = 12;
      auto ok = e.Ingest(p, t0 + std::chrono::seconds(i));
      ASSERT_TRUE(ok) << ok.error().message;
    }
    e.Tick(t0 + std::chrono::seconds(i));
  }
  common::AdminRequest get;
  get.method = "GET";
  get.path = "/metrics";
  const common::AdminResponse res = api.Handle(get, t0 + std::chrono::seconds(5), 0);
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("service=\"api\\\"x\""), std::string::npos) << res.body;
  const PromtoolResult r = Promtool(res.body);
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << res.body;
}

TEST(MetricsExpositionTest, CoordinatorMetricsPassPromtool) {
  REQUIRE_PROMTOOL();
  const core::TimePoint t0{};
  taskd::Coordinator c(taskd::CoordinatorOptions{}, t0);
  taskd::WorkerProfile p;
  p.name = kHostile;
  p.cores = 2;
  p.memory_gb = 4;
  c.Register(p, "secret-one", t0);
  p.name = "second";
  c.Register(p, "secret-two", t0);
  c.Balance(t0 + std::chrono::seconds(1));
  const std::string text = c.PrometheusText();
  EXPECT_NE(text.find("name=\"we\\\"ird\\\\na\\nme\""), std::string::npos) << text;
  const PromtoolResult r = Promtool(text);
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
}

}  // namespace
}  // namespace huddle
