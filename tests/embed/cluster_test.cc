#include "huddle/cluster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "embed/brain_demo.h"

namespace huddle {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<ServerSpec> Servers(int n) {
  std::vector<ServerSpec> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({"s" + std::to_string(i + 1), "127.0.0.1", static_cast<uint16_t>(9001 + i)});
  }
  return out;
}

// A manual clock shared with the cluster under test.
struct ManualClock {
  Clock::time_point now{};
  std::function<Clock::time_point()> Fn() {
    return [this] { return now; };
  }
};

std::unique_ptr<Cluster> Make(int n, ClusterOptions options) {
  auto c = Cluster::Create(Servers(n), std::move(options));
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error());
  return c ? std::move(*c) : nullptr;
}

TEST(ClusterTest, RejectsInvalidOptionsWithClearErrors) {
  auto unknown = Cluster::Create(Servers(2), {.policy = "fastest"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().find("fastest"), std::string::npos);

  auto cool = Cluster::Create(
      Servers(2), {.policy = "thermal", .policy_options = {{"cool", "0.6"}, {"heat", "0.5"}}});
  ASSERT_FALSE(cool.has_value());
  EXPECT_NE(cool.error().find("cool"), std::string::npos);

  auto alpha =
      Cluster::Create(Servers(2), {.policy = "thermal", .policy_options = {{"alpha", "0"}}});
  ASSERT_FALSE(alpha.has_value());
  EXPECT_NE(alpha.error().find("alpha"), std::string::npos);

  auto alpha_high =
      Cluster::Create(Servers(2), {.policy = "thermal", .policy_options = {{"alpha", "1.5"}}});
  EXPECT_FALSE(alpha_high.has_value());

  auto typo =
      Cluster::Create(Servers(2), {.policy = "round_robin", .policy_options = {{"x", "1"}}});
  EXPECT_FALSE(typo.has_value());

  auto dup = Cluster::Create({{"a", "h", 1}, {"a", "h", 2}}, {});
  EXPECT_FALSE(dup.has_value());

  auto weight = Cluster::Create({{"a", "h", 1, -2.0}}, {});
  EXPECT_FALSE(weight.has_value());
}

TEST(ClusterTest, DefaultPolicyIsPeakEwmaWithFourChoices) {
  ManualClock clock;
  auto cluster = Make(3, {.seed = 1, .clock = clock.Fn()});
  const auto report = nlohmann::json::parse(cluster->HealthReport());
  EXPECT_EQ(report["policy"], "peak_ewma");
  auto bad = Cluster::Create(Servers(2), {.policy_options = {{"choice_count", "1"}}});
  EXPECT_FALSE(bad.has_value());
}

TEST(ClusterTest, RoundRobinVisitsEveryServerInTurn) {
  ManualClock clock;
  auto cluster = Make(3, {.policy = "round_robin", .seed = 1, .clock = clock.Fn()});
  std::map<std::string, int> counts;
  for (int i = 0; i < 30; ++i) {
    PickedServer s = cluster->Pick();
    ASSERT_TRUE(s);
    ++counts[s.id()];
    cluster->RecordLatency(s, 5ms);
  }
  EXPECT_EQ(counts, (std::map<std::string, int>{{"s1", 10}, {"s2", 10}, {"s3", 10}}));
}

TEST(ClusterTest, PickedServerIndexIsStableAndNeverReused) {
  auto cluster = Make(3, {.policy = "round_robin", .seed = 1});
  std::map<std::string, uint32_t> index;
  for (int i = 0; i < 6; ++i) {
    PickedServer s = cluster->Pick();
    auto [it, fresh] = index.emplace(s.id(), s.index());
    EXPECT_EQ(it->second, s.index()) << s.id();  // the same server, the same index
    cluster->RecordLatency(s, 1ms);
  }
  ASSERT_EQ(index.size(), 3u);
  EXPECT_EQ((std::set<uint32_t>{index["s1"], index["s2"], index["s3"]}).size(), 3u);
  ASSERT_TRUE(cluster->RemoveServer("s2").has_value());
  ASSERT_TRUE(cluster->AddServer({"s2", "127.0.0.1", 9102}).has_value());
  for (int i = 0; i < 6; ++i) {
    PickedServer s = cluster->Pick();
    if (s.id() == "s2") {
      EXPECT_NE(s.index(), index["s2"]);  // a new server, a new index
      EXPECT_EQ(s.port(), 9102);
    }
    cluster->RecordLatency(s, 1ms);
  }
}

TEST(ClusterTest, PolicyNamesAreTheNamesCreateAccepts) {
  const std::vector<std::string> names = Cluster::PolicyNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "thermal"), names.end());
  for (const std::string& name : names) {
    EXPECT_TRUE(Cluster::Create(Servers(2), {.policy = name}).has_value()) << name;
  }
}

TEST(ClusterTest, DrainedServerIsNeverPickedAndEnableRestoresIt) {
  ManualClock clock;
  auto cluster = Make(3, {.policy = "round_robin", .seed = 1, .clock = clock.Fn()});
  ASSERT_TRUE(cluster->Drain("s2").has_value());
  for (int i = 0; i < 20; ++i) {
    PickedServer s = cluster->Pick();
    ASSERT_TRUE(s);
    EXPECT_NE(s.id(), "s2");
    cluster->RecordLatency(s, 1ms);
  }
  ASSERT_TRUE(cluster->Enable("s2").has_value());
  bool seen = false;
  for (int i = 0; i < 6; ++i) {
    PickedServer s = cluster->Pick();
    seen |= s.id() == "s2";
    cluster->RecordLatency(s, 1ms);
  }
  EXPECT_TRUE(seen);
  EXPECT_FALSE(cluster->Drain("nope").has_value());
}

TEST(ClusterTest, AddAndRemoveServers) {
  ManualClock clock;
  auto cluster = Make(2, {.policy = "round_robin", .seed = 1, .clock = clock.Fn()});
  PickedServer before = cluster->Pick();
  ASSERT_TRUE(cluster->AddServer({"s9", "10.0.0.9", 80}).has_value());
  ASSERT_TRUE(cluster->RemoveServer("s1").has_value());
  EXPECT_FALSE(cluster->RemoveServer("s1").has_value());
  // A server picked before its removal can still be recorded safely.
  cluster->RecordLatency(before, 2ms);
  std::map<std::string, int> counts;
  for (int i = 0; i < 10; ++i) {
    PickedServer s = cluster->Pick();
    ++counts[s.id()];
    cluster->RecordLatency(s, 1ms);
  }
  EXPECT_EQ(counts, (std::map<std::string, int>{{"s2", 5}, {"s9", 5}}));
}

TEST(ClusterTest, ScopedRequestRecordsLatencyAndFailure) {
  ManualClock clock;
  auto cluster = Make(1, {.policy = "round_robin", .seed = 1, .clock = clock.Fn()});
  {
    auto r = cluster->Begin();
    ASSERT_TRUE(r.has_value());
    clock.now += 40ms;
  }
  {
    auto r = cluster->Begin();
    ASSERT_TRUE(r.has_value());
    clock.now += 10ms;
    r->Fail(Failure::kTimeout);
  }
  const auto report = nlohmann::json::parse(cluster->HealthReport());
  const auto& s = report["servers"][0];
  EXPECT_EQ(s["requests"], 2);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_DOUBLE_EQ(s["mean_latency_ms"].get<double>(), 25.0);
}

TEST(ClusterTest, HealthReportAndPrometheusCarryThermalState) {
  ManualClock clock;
  auto cluster = Make(4, {.policy = "thermal", .seed = 3, .clock = clock.Fn()});
  for (int i = 0; i < 40; ++i) {
    PickedServer s = cluster->Pick();
    cluster->RecordLatency(s, 10ms);
    clock.now += 10ms;
  }
  cluster->Tick();
  const auto report = nlohmann::json::parse(cluster->HealthReport());
  EXPECT_EQ(report["policy"], "thermal");
  EXPECT_EQ(report["servers"].size(), 4u);
  EXPECT_TRUE(report["cluster"].contains("inner_count"));
  EXPECT_TRUE(report["servers"][0]["policy"].contains("temperature"));
  const std::string prom = cluster->PrometheusMetrics();
  for (const char* name :
       {"huddle_server_temperature{server=\"s1\"}", "huddle_cluster_inner_count ",
        "huddle_cluster_fairness_gini ", "huddle_cluster_heat_threshold ",
        "huddle_server_requests_total{server=\"s4\"}",
        "# TYPE huddle_server_requests_total counter"}) {
    EXPECT_NE(prom.find(name), std::string::npos) << name;
  }
}

TEST(ClusterTest, ThermalPolicyRotatesASlowServerOutAndBackThroughTheApi) {
  std::ostringstream out;
  EXPECT_EQ(RunBrainDemo(out, {.duration = std::chrono::seconds(45), .pace = 0ms, .seed = 7}), 0)
      << out.str();
  EXPECT_NE(out.str().find("evict"), std::string::npos);
  EXPECT_NE(out.str().find("promote"), std::string::npos);
}

TEST(ClusterTest, EventsAreDeliveredForOutlierEjections) {
  ManualClock clock;
  auto cluster = Make(10, {.policy = "round_robin", .seed = 1, .clock = clock.Fn()});
  std::vector<ClusterEvent> events;
  cluster->OnEvent([&](const ClusterEvent& e) { events.push_back(e); });
  for (int i = 0; i < 200 && events.empty(); ++i) {
    PickedServer s = cluster->Pick();
    cluster->RecordLatency(s, 1ms, s.id() == "s3" ? 500 : 200);
  }
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, "eject");
  EXPECT_EQ(events[0].server_id, "s3");
}

TEST(ClusterTest, ConcurrentPickAndRecordKeepCountsExact) {
  auto cluster = Make(8, {.policy = "least_request", .seed = 5});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = cluster->Begin();
        ASSERT_TRUE(r.has_value());
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto report = nlohmann::json::parse(cluster->HealthReport());
  int total = 0;
  for (const auto& s : report["servers"]) {
    total += s["requests"].get<int>();
    EXPECT_EQ(s["in_flight"], 0);
  }
  EXPECT_EQ(total, kThreads * kPerThread);
}

TEST(ClusterTest, BackgroundTickRotatesWithoutCallerTicks) {
  // Nobody calls Tick(): only the background ticker can run the thermal rotation that evicts the
  // slow server. Real clock; the wait is bounded by a deadline, not a sleep.
  auto cluster = Make(4, {.policy = "thermal",
                          .policy_options = {{"rotation_interval", "20ms"}},
                          .tick_interval = 5ms,
                          .background_tick = true});
  ASSERT_NE(cluster, nullptr);
  std::mutex mu;
  std::vector<ClusterEvent> events;
  cluster->OnEvent([&](const ClusterEvent& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  });
  auto evicted = [&] {
    std::lock_guard lock(mu);
    for (const ClusterEvent& e : events) {
      if (e.kind == "evict" && e.server_id == "s2") return true;
    }
    return false;
  };
  const auto deadline = Clock::now() + 10s;
  while (!evicted() && Clock::now() < deadline) {
    PickedServer s = cluster->Pick();
    ASSERT_TRUE(s);
    cluster->RecordLatency(s, s.id() == "s2" ? 200ms : 10ms);
  }
  EXPECT_TRUE(evicted());
  // Destruction joins the ticker (no hang; ASan would see a use after free).
}

}  // namespace
}  // namespace huddle
