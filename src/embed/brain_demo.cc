#include "embed/brain_demo.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <thread>
#include <vector>

#include "core/random.h"
#include "huddle/cluster.h"

namespace huddle {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kServers = 6;
constexpr int kSlowServer = 2;  // "s3"
constexpr double kSlowFactor = 5.0;
constexpr auto kSlowFrom = std::chrono::seconds(10);
constexpr auto kSlowUntil = std::chrono::seconds(25);

}  // namespace

int RunBrainDemo(std::ostream& out, const BrainDemoOptions& options) {
  Clock::time_point now{};  // virtual time, advanced by this loop only
  core::Xoshiro256 rng(options.seed);

  std::vector<ServerSpec> servers;
  for (int i = 0; i < kServers; ++i) {
    servers.push_back({fmt::format("s{}", i + 1), "127.0.0.1", static_cast<uint16_t>(9001 + i)});
  }
  ClusterOptions cluster_options;
  cluster_options.policy = "thermal";
  cluster_options.seed = options.seed;
  cluster_options.clock = [&now] { return now; };
  auto created = Cluster::Create(servers, cluster_options);
  if (!created) {
    out << "demo: " << created.error() << "\n";
    return 1;
  }
  Cluster& cluster = **created;

  bool evicted = false;
  bool returned = false;
  cluster.OnEvent([&](const ClusterEvent& e) {
    const double t = std::chrono::duration<double>(e.at.time_since_epoch()).count();
    out << fmt::format("  t={:5.1f}s  {:<8} {:<4} {}\n", t, e.kind, e.server_id, e.reason);
    if (e.server_id == servers[kSlowServer].id) {
      if (e.kind == "evict") evicted = true;
      if (e.kind == "promote" && evicted) returned = true;
    }
  });

  out << "huddle brain demo: 6 servers (base 12..22 ms), thermal policy, virtual clock.\n"
      << fmt::format("s3 turns {}x slow at {}s and recovers at {}s.\n\n", kSlowFactor,
                     kSlowFrom.count(), kSlowUntil.count());

  // Latency model of the seed's benchmark: base + 2 ms per request in flight + noise.
  auto latency_ms = [&](int server, Clock::time_point t) {
    const double base = 12.0 + 2.0 * server;
    const bool slow = server == kSlowServer && t >= Clock::time_point(kSlowFrom) &&
                      t < Clock::time_point(kSlowUntil);
    const double noise = (rng.UnitDouble() - 0.5) * 4.0;
    return std::max(1.0, (slow ? base * kSlowFactor : base) + noise);
  };
  auto index_of = [&](const std::string& id) { return std::stoi(id.substr(1)) - 1; };

  constexpr auto kStep = std::chrono::milliseconds(10);  // 100 requests per virtual second
  std::array<uint64_t, kServers> window_counts{};
  auto next_tick = now;
  auto next_probe = now;
  auto next_table = now + std::chrono::seconds(5);
  const auto end = now + options.duration;
  while (now < end) {
    PickedServer picked = cluster.Pick();
    if (picked) {
      const int s = index_of(picked.id());
      ++window_counts[s];
      cluster.RecordLatency(picked,
                            std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::duration<double, std::milli>(latency_ms(s, now))));
    }
    now += kStep;
    if (now >= next_probe) {  // active health checks once a second
      for (int s = 0; s < kServers; ++s) {
        cluster.ReportHealthCheck(
            servers[s].id, true,
            std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::duration<double, std::milli>(latency_ms(s, now))));
      }
      next_probe += std::chrono::seconds(1);
    }
    if (now >= next_tick) {
      cluster.Tick();
      next_tick += std::chrono::milliseconds(100);
      if (options.pace.count() > 0) std::this_thread::sleep_for(options.pace / 10);
    }
    if (now >= next_table) {
      uint64_t total = 0;
      for (uint64_t c : window_counts) total += c;
      std::string row = fmt::format("t={:5.1f}s  share:",
                                    std::chrono::duration<double>(now.time_since_epoch()).count());
      for (int s = 0; s < kServers; ++s) {
        row +=
            fmt::format(" {}={:4.1f}%", servers[s].id,
                        total == 0 ? 0.0 : 100.0 * static_cast<double>(window_counts[s]) / total);
      }
      out << row << "\n";
      window_counts.fill(0);
      next_table += std::chrono::seconds(5);
    }
  }
  out << "\n"
      << (evicted ? "s3 was rotated out" : "s3 was NOT rotated out")
      << (returned ? " and came back after recovering.\n"
                   : (evicted ? " and did not come back.\n" : ".\n"));
  return evicted && returned ? 0 : 1;
}

}  // namespace huddle
