// Each fault of `huddle upstream` against each policy family: with one of three backends
// broken, clients see no failure (retries to another backend, then ejection).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/cluster/policy_factory.h"
#include "proxy_fixture.h"

namespace huddle::proxy::testing {
namespace {

struct FaultCase {
  const char* name;
  FaultState state;
};

const FaultCase kFaults[] = {
    {"crash", FaultState{.refuse = true}},
    {"error500", FaultState{.error_rate = 1.0, .error_status = 500}},
    {"hang", FaultState{.hang = true}},
};

class FaultByPolicyLoadTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(FaultByPolicyLoadTest, ClientsSeeNoFailure) {
  const auto& [policy, fault_index] = GetParam();
  const FaultCase& fault = kFaults[fault_index];
  ProxyFixture::Options o;
  o.policy = policy;
  o.cluster_extra =
      "    health_check: off\n"
      "    retries: { attempts: 2, per_try_timeout: 100ms, backoff_base: 0s }\n";
  ProxyFixture f(o);
  ASSERT_TRUE(f.ok());
  f.upstream(0).SetFault(fault.state);
  // The fault is applied on the upstream's own thread: wait for it with a deadline.
  if (fault.state.refuse) {
    for (int i = 0; i < 1000; ++i) {
      HttpConnection probe(f.upstream(0).port(), 200);
      if (!probe.connected()) break;
    }
  } else {
    for (int i = 0; i < 200; ++i) {
      HttpConnection probe(f.upstream(0).port(), 50);
      probe.Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n");
      const int status = probe.Read().status;
      if (status != 200) break;
    }
  }
  int ok = 0;
  for (int i = 0; i < 12; ++i) {
    HttpResponse r = Get(f.port());
    if (r.status == 200) ++ok;
    EXPECT_NE(r.Header("x-upstream"), "u0") << policy << "/" << fault.name;
  }
  EXPECT_EQ(ok, 12) << policy << " with " << fault.name;
}

std::vector<std::string> Policies() {
  std::vector<std::string> names = core::PolicyNames();
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, FaultByPolicyLoadTest,
                         ::testing::Combine(::testing::ValuesIn(Policies()),
                                            ::testing::Values(0, 1, 2)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  kFaults[std::get<1>(info.param)].name;
                         });

TEST(ProxyFaultTest, ResetMidBodyIsCountedAgainstTheBackend) {
  ProxyFixture::Options o;
  o.upstreams = 2;
  o.cluster_extra = "    health_check: off\n";
  ProxyFixture f(o);
  f.upstream(0).SetFault(FaultState{.reset_rate = 1.0});
  int broken = 0;
  for (int i = 0; i < 200 && broken == 0; ++i) {
    HttpResponse r = Get(f.port());
    if (r.status != 200) ++broken;
  }
  EXPECT_EQ(broken, 1);
  const nlohmann::json j = nlohmann::json::parse(f.server().ClustersJson());
  const auto& backends = j["clusters"][0]["backends"];
  EXPECT_GE(backends[0]["errors"].get<int>(), 1);
  EXPECT_EQ(backends[1]["errors"].get<int>(), 0);
}

TEST(ProxyFaultTest, HealthChecksEjectAndReadmitACrashedBackend) {
  ProxyFixture::Options o;
  o.upstreams = 2;
  o.cluster_extra =
      "    health_check: { interval: 20ms, timeout: 50ms, rise: 2, fall: 2 }\n"
      "    outlier_detection: off\n";
  o.top_extra = "tick: 10ms\n";
  ProxyFixture f(o);
  auto healthy = [&f](int backend) {
    const nlohmann::json j = nlohmann::json::parse(f.server().ClustersJson());
    return j["clusters"][0]["backends"][backend]["healthy"].get<bool>();
  };
  f.upstream(0).SetFault(FaultState{.refuse = true});
  // Two failed probes 20 ms apart: unhealthy well within the deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (healthy(0) && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_FALSE(healthy(0));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Get(f.port()).Header("x-upstream"), "u1");
  f.upstream(0).SetFault(FaultState{});
  while (!healthy(0) && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_TRUE(healthy(0)) << f.server().ClustersJson();
}

TEST(ProxyFaultTest, DeadPooledConnectionIsReplacedByANewConnection) {
  // A backend that dies leaves every pooled connection to it stale. The request that finds one
  // must try a new connection next (refused: never sent, so even a POST may go elsewhere), not
  // the next stale pooled one (which would fail it after it was sent).
  ProxyFixture::Options o;
  o.upstreams = 2;
  o.latency = std::chrono::milliseconds(20);
  o.cluster_extra =
      "    health_check: off\n"
      "    outlier_detection: off\n"
      "    retries: { attempts: 1, backoff_base: 0s }\n";
  ProxyFixture f(o);
  ASSERT_TRUE(f.ok());
  // Eight overlapping requests: round robin leaves about four idle pooled connections per backend.
  std::vector<std::unique_ptr<HttpConnection>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<HttpConnection>(f.port()));
    clients.back()->Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n");
  }
  for (auto& c : clients) EXPECT_EQ(c->Read().status, 200);
  clients.clear();
  f.upstream(0).SetFault(FaultState{.refuse = true});
  for (int i = 0; i < 1000; ++i) {
    HttpConnection probe(f.upstream(0).port(), 200);
    if (!probe.connected()) break;
  }
  int ok = 0;
  for (int i = 0; i < 6; ++i) {
    HttpResponse r = Post(f.port(), "/echo", "payload " + std::to_string(i));
    if (r.status == 200 && r.Header("x-upstream") == "u1") ++ok;
  }
  EXPECT_EQ(ok, 6);
}

TEST(ProxyFaultTest, SlowBackendIsQuarantinedByTheDefaultPolicy) {
  // Three upstreams at 5 ms, u0 five times slower. Health checks every 50 ms measure it too; the
  // worker ticks every 20 ms. Peak EWMA's quarantine takes it out of picks (gauge inner = 0, the
  // dashboard's outer ring), leaving one trial request per second.
  ProxyFixture::Options o;
  o.policy = "peak_ewma";
  o.latency = std::chrono::milliseconds(5);
  o.top_extra = "tick: 20ms\n";
  o.cluster_extra = "    health_check: { interval: 50ms, timeout: 500ms, rise: 1, fall: 2 }\n";
  ProxyFixture f(o);
  ASSERT_TRUE(f.ok());
  f.upstream(0).SetFault(FaultState{.slow_factor = 5.0});
  auto inner = [&f](int backend) {
    const nlohmann::json j = nlohmann::json::parse(f.server().ClustersJson());
    const auto& gauges = j["clusters"][0]["backends"][backend]["policy_gauges"];
    return gauges.contains("inner") ? gauges["inner"].get<double>() : -1.0;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (inner(0) != 0.0 && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(Get(f.port()).status, 200);
  }
  ASSERT_EQ(inner(0), 0.0) << f.server().ClustersJson();
  EXPECT_EQ(inner(1), 1.0);
  EXPECT_EQ(inner(2), 1.0);
  // 40 requests: only the trial requests reach u0, one per second of quarantine. The bound
  // counts the seconds the loop really took (a loaded machine stretches it), not a guess.
  int to_slow = 0;
  const auto loop_start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    HttpResponse r = Get(f.port());
    EXPECT_EQ(r.status, 200);
    to_slow += r.Header("x-upstream") == "u0";
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::steady_clock::now() - loop_start)
                           .count();
  EXPECT_LE(to_slow, 1 + seconds);
  EXPECT_LT(to_slow, 40);
  // Fast again: the next health checks bring it back.
  f.upstream(0).SetFault(FaultState{});
  const auto back = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (inner(0) != 1.0 && std::chrono::steady_clock::now() < back) {
    EXPECT_EQ(Get(f.port()).status, 200);
  }
  EXPECT_EQ(inner(0), 1.0) << f.server().ClustersJson();
}

}  // namespace
}  // namespace huddle::proxy::testing
