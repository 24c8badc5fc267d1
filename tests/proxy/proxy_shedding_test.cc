// Load shedding on real sockets: an upstream with a finite capacity (max_concurrency workers,
// a FIFO queue beyond), loaded by closed-loop clients that send again as soon as they get an
// answer, shed or not. The adaptive concurrency limit must hold goodput near capacity and the
// admitted requests' latency near the unloaded one at 2x capacity, shed with 503 + Retry-After
// (counted in /metrics), and shed nothing at half the capacity.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_server.h"
#include "test_http.h"

namespace huddle::proxy::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kWorkers = 8;  // the upstream's max_concurrency
constexpr int kServiceMs = 50;  // its mean service time (uniform 25..75 ms)
constexpr double kCapacityRps = kWorkers * 1000.0 / kServiceMs;  // 160 req/s

// A value of a metric line "name{labels} value"; -1 when absent.
double Metric(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

// One upstream of finite capacity behind a proxy (one worker thread, health checks off).
class FiniteCapacityCluster {
 public:
  explicit FiniteCapacityCluster(const std::string& top_extra) {
    UpstreamOptions u;
    u.name = "finite";
    u.latency = core::FromMillis(kServiceMs / 2);
    u.jitter = core::FromMillis(kServiceMs);  // uniform 25..75 ms: mean 50
    u.max_concurrency = kWorkers;
    upstream_ = std::make_unique<UpstreamServer>(u);
    auto s = upstream_->Start();
    EXPECT_TRUE(s) << s.error().message;
    const std::string yaml = "threads: 1\n" + top_extra +
                             "admin:\n  address: 127.0.0.1:0\n"
                             "listeners:\n  - { name: web, address: 127.0.0.1:0, cluster: app }\n"
                             "clusters:\n  - name: app\n    health_check:\n      enabled: false\n"
                             "    backends:\n      - { name: u0, address: 127.0.0.1:" +
                             std::to_string(upstream_->port()) + " }\n";
    auto config = ParseConfig(yaml, "test.yaml");
    if (!config) {
      ADD_FAILURE() << config.error().message << "\n" << yaml;
      return;
    }
    server_ = std::make_unique<ProxyServer>(*config);
    auto started = server_->Start();
    EXPECT_TRUE(started) << started.error().message;
  }
  ~FiniteCapacityCluster() {
    if (server_) server_->Stop();
  }
  bool ok() const { return server_ != nullptr; }
  uint16_t port() const { return server_->listener_port(0); }
  ProxyServer& server() { return *server_; }
  UpstreamServer& upstream() { return *upstream_; }

 private:
  std::unique_ptr<UpstreamServer> upstream_;
  std::unique_ptr<ProxyServer> server_;
};

struct LoadResult {
  uint64_t ok = 0;    // 200s answered after the warm-up
  uint64_t shed = 0;  // 503s, whole run
  uint64_t shed_with_retry_after = 0;
  uint64_t other = 0;         // anything else (transport failures included), whole run
  std::vector<double> ok_ms;  // latency of each 200 after the warm-up
  double measured_s = 0;

  double Quantile(double q) {
    if (ok_ms.empty()) return 0;
    std::sort(ok_ms.begin(), ok_ms.end());
    return ok_ms[static_cast<size_t>(q * static_cast<double>(ok_ms.size() - 1))];
  }
  double Goodput() const { return static_cast<double>(ok) / measured_s; }
};

// `clients` closed-loop clients (keep-alive; each sends its next request as soon as it has an
// answer; after a 503 it waits `after_shed` first), for warmup + measure; latencies are counted
// after the warm-up. Bounded: every read has a 5 s timeout.
// The pause after a 503 keeps the loop closed but stops a client from spinning on instant 503s:
// on this 2-core machine a dozen spinning clients, the proxy and the upstream share the cores,
// and the test would measure CPU starvation (see docs/config.md for that case measured with wrk).
LoadResult ClosedLoop(uint16_t port, int clients, std::chrono::milliseconds warmup,
                      std::chrono::milliseconds measure,
                      std::chrono::milliseconds after_shed = std::chrono::milliseconds(5)) {
  LoadResult total;
  std::mutex mutex;
  const Clock::time_point start = Clock::now();
  const Clock::time_point counted = start + warmup;
  const Clock::time_point end = counted + measure;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      LoadResult mine;
      std::unique_ptr<HttpConnection> c;
      while (Clock::now() < end) {
        if (!c || !c->connected()) c = std::make_unique<HttpConnection>(port);
        const Clock::time_point t0 = Clock::now();
        HttpResponse r;
        if (c->Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n")) r = c->Read();
        const Clock::time_point t1 = Clock::now();
        if (r.status == 200) {
          if (t0 >= counted) {
            ++mine.ok;
            mine.ok_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
          }
        } else if (r.status == 503) {
          ++mine.shed;
          if (!r.Header("retry-after").empty()) ++mine.shed_with_retry_after;
          std::this_thread::sleep_for(after_shed);
        } else {
          ++mine.other;
        }
        if (r.status == 0 || r.closed) c.reset();
      }
      std::lock_guard lock(mutex);
      total.ok += mine.ok;
      total.shed += mine.shed;
      total.shed_with_retry_after += mine.shed_with_retry_after;
      total.other += mine.other;
      total.ok_ms.insert(total.ok_ms.end(), mine.ok_ms.begin(), mine.ok_ms.end());
    });
  }
  for (auto& t : threads) t.join();
  total.measured_s = std::chrono::duration<double>(measure).count();
  return total;
}

void Print(const char* what, LoadResult& r) {
  std::printf(
      "%s: goodput %.0f req/s (capacity %.0f), p50 %.1f ms, p99 %.1f ms, shed %llu, "
      "other %llu\n",
      what, r.Goodput(), kCapacityRps, r.Quantile(0.5), r.Quantile(0.99),
      static_cast<unsigned long long>(r.shed), static_cast<unsigned long long>(r.other));
}

// The defaults: adaptive concurrency on; the engine on too, shedding, ticking every 500 ms, and
// told the backend has 2 workers where it has 8: its model sees a quarter of the capacity (the
// runaway measured in docs/config.md came from such an underestimate).
constexpr char kShedding[] =
    "adaptive_concurrency:\n  enabled: true\n"
    "engine:\n  enabled: true\n  tick: 500ms\n  workers_per_replica: 2\n";

// The first minRTT measurement, when traffic first arrives: with 4 clients (fewer than
// 2 x min_concurrency in flight) it holds nothing back; with 6 or more it holds concurrency to
// half of what it sees for 50 requests (measuring an unloaded latency even when the proxy starts
// under overload).
LoadResult Start(uint16_t port) {
  return ClosedLoop(port, kWorkers / 2, std::chrono::milliseconds(0),
                    std::chrono::milliseconds(1500));
}

TEST(ProxySheddingLoadTest, HalfCapacityShedsNothing) {
  FiniteCapacityCluster f(kShedding);
  ASSERT_TRUE(f.ok());
  LoadResult start = Start(f.port());
  Print("start", start);
  EXPECT_EQ(start.shed, 0u);
  const double min_rtt =
      Metric(f.server().MetricsText(), "huddle_cluster_min_rtt_seconds{cluster=\"app\"}");
  // The limit learnt an unloaded latency, which cannot be below the backend's 25 ms minimum
  // service time (its value on a loaded machine is reported, not asserted).
  std::printf("min rtt %.1f ms\n", 1000 * min_rtt);
  EXPECT_GE(min_rtt, 0.025);
  // Then 4 clients against 8 workers, steadily: no queue, nothing shed.
  LoadResult r = ClosedLoop(f.port(), kWorkers / 2, std::chrono::milliseconds(500),
                            std::chrono::milliseconds(2500));
  Print("0.5x", r);
  EXPECT_EQ(r.shed, 0u);
  EXPECT_EQ(r.other, 0u);
  const std::string metrics = f.server().MetricsText();
  EXPECT_EQ(Metric(metrics, "huddle_cluster_shed_total{cluster=\"app\",reason=\"limit\"}"),
            static_cast<double>(start.shed));
  EXPECT_EQ(Metric(metrics, "huddle_cluster_shed_total{cluster=\"app\",reason=\"admission\"}"), 0);
}

// These tests assert behaviour only (what is shed, how it is answered and counted). Goodput and
// latency under overload depend on the machine's load and are printed here, measured by the
// side-by-side benchmark (bench/e2e), never asserted in `make test`.

TEST(ProxySheddingLoadTest, TwiceCapacityClosedLoopShedsWithRetryAfterAndCountsIt) {
  FiniteCapacityCluster f(kShedding);
  ASSERT_TRUE(f.ok());
  // Unloaded first (the proxy measures its min RTT), then 16 clients against 8 workers.
  LoadResult start = Start(f.port());
  LoadResult base = ClosedLoop(f.port(), kWorkers / 2, std::chrono::milliseconds(300),
                               std::chrono::milliseconds(1200));
  Print("0.5x", base);
  ASSERT_EQ(base.shed, 0u);
  LoadResult r = ClosedLoop(f.port(), 2 * kWorkers, std::chrono::milliseconds(1000),
                            std::chrono::milliseconds(3000));
  Print("2x", r);
  const std::string metrics = f.server().MetricsText();
  std::printf("adaptive limit %.0f, sample rtt %.1f ms, admit %.3f\n",
              Metric(metrics, "huddle_cluster_adaptive_limit{cluster=\"app\"}"),
              1000 * Metric(metrics, "huddle_cluster_sample_rtt_seconds{cluster=\"app\"}"),
              Metric(metrics, "huddle_cluster_admit_probability{cluster=\"app\"}"));
  // Shed: 503 with Retry-After, every one counted in /metrics.
  EXPECT_GT(r.shed, 0u);
  EXPECT_EQ(r.shed_with_retry_after, r.shed);
  EXPECT_EQ(r.other, 0u);
  const double shed_metric =
      Metric(metrics, "huddle_cluster_shed_total{cluster=\"app\",reason=\"limit\"}") +
      Metric(metrics, "huddle_cluster_shed_total{cluster=\"app\",reason=\"admission\"}");
  EXPECT_EQ(shed_metric, static_cast<double>(start.shed + base.shed + r.shed));
}

TEST(ProxySheddingLoadTest, FourTimesCapacityShedsOnlyWithSheddingOn) {
  const auto run = [](const char* config, LoadResult& base, LoadResult& load) {
    FiniteCapacityCluster f(config);
    ASSERT_TRUE(f.ok());
    Start(f.port());
    base = ClosedLoop(f.port(), kWorkers / 2, std::chrono::milliseconds(300),
                      std::chrono::milliseconds(1200));
    load = ClosedLoop(f.port(), 4 * kWorkers, std::chrono::milliseconds(1000),
                      std::chrono::milliseconds(2000));
  };
  LoadResult base_on, on, base_off, off;
  run(kShedding, base_on, on);
  run("adaptive_concurrency:\n  enabled: false\n", base_off, off);
  Print("4x, shedding", on);
  Print("4x, no shedding", off);
  EXPECT_GT(on.shed, 0u);
  EXPECT_EQ(on.shed_with_retry_after, on.shed);
  EXPECT_EQ(off.shed, 0u);  // without shedding nothing is refused, however long the wait
}

}  // namespace
}  // namespace huddle::proxy::testing
