// `huddle demo`: six upstreams with a scripted fault timeline, the proxy in front with the
// default policy, a bounded built-in load, and a terminal summary every few seconds. Everything
// runs in this process (threads), so nothing is left behind when it ends.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/signals.h"
#include "proxy/asio_types.h"
#include "proxy/commands.h"
#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_server.h"

namespace huddle::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// Latency samples per backend (from the x-upstream header), swapped out at each summary.
class LoadStats {
 public:
  void Add(const std::string& backend, double ms, bool ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    samples_[backend].push_back(ms);
    if (!ok) ++failures_;
  }
  void Take(std::map<std::string, std::vector<double>>& out, uint64_t& failures) {
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(samples_);
    samples_.clear();
    failures = failures_;
    failures_ = 0;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<double>> samples_;
  uint64_t failures_ = 0;
};

// One client connection in a closed loop with a pause between requests (bounded load).
void LoadLoop(uint16_t port, std::chrono::microseconds pause, const std::atomic<bool>& stop,
              LoadStats& stats) {
  asio::io_context io;
  while (!stop.load()) {
    asio::ip::tcp::socket socket(io);
    ErrorCode ec;
    socket.connect(Tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
    if (ec) {
      stats.Add("(connect)", 0, false);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    std::string buffer;
    char chunk[4096];
    while (!stop.load()) {
      const auto start = Clock::now();
      const std::string request = "GET / HTTP/1.1\r\nhost: demo\r\n\r\n";
      asio::write(socket, asio::buffer(request), ec);
      if (ec) break;
      // Read one response: head, then content-length bytes.
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos && !ec) {
        const size_t n = socket.read_some(asio::buffer(chunk), ec);
        buffer.append(chunk, n);
      }
      if (ec) break;
      const std::string head = buffer.substr(0, head_end);
      buffer.erase(0, head_end + 4);
      const int status = std::atoi(head.c_str() + 9);
      size_t length = 0;
      std::string backend = "?";
      for (size_t pos = 0; pos < head.size();) {
        const size_t eol = std::min(head.find("\r\n", pos), head.size());
        std::string line = head.substr(pos, eol - pos);
        pos = eol + 2;
        std::string lower = line;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (lower.starts_with("content-length:"))
          length = std::strtoul(line.c_str() + 15, nullptr, 10);
        if (lower.starts_with("x-upstream:")) backend = line.substr(12);
      }
      while (buffer.size() < length && !ec) {
        const size_t n = socket.read_some(asio::buffer(chunk), ec);
        buffer.append(chunk, n);
      }
      if (ec) break;
      buffer.erase(0, length);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      stats.Add(backend, ms, status == 200);
      std::this_thread::sleep_for(pause);
    }
  }
}

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int RunDemoCommand(int argc, char** argv) {
  CLI::App app{"Six upstreams with faults, the proxy in front, a bounded load and a live summary",
               "huddle demo"};
  int duration_s = 120;
  int interval_s = 5;
  int clients = 8;
  std::string policy;
  uint16_t admin_port = 9901;
  app.add_option("--duration", duration_s, "seconds before the demo stops by itself")
      ->check(CLI::Range(5, 3600));
  app.add_option("--interval", interval_s, "seconds between summaries")->check(CLI::Range(1, 60));
  app.add_option("--clients", clients, "client connections of the built-in load")
      ->check(CLI::Range(1, 256));
  app.add_option("--policy", policy, "routing policy (default: peak_ewma with 4 choices)");
  app.add_option("--admin-port", admin_port, "admin port (0: any free port)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  common::BlockControlSignals();

  // The fault timeline scales with the duration (for the default 120 s: u3 5x slow 20-70 s,
  // u5 crashes at 40 s and returns at 80 s).
  const double d = duration_s;
  auto at = [d](double fraction) { return std::to_string(static_cast<int>(d * fraction)) + "s"; };
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"u3", "slow:factor=5,at=" + at(1.0 / 6) + ",for=" + at(5.0 / 12)},
      {"u5", "crash:at=" + at(1.0 / 3) + ",for=" + at(1.0 / 3)},
  };
  std::vector<std::unique_ptr<UpstreamServer>> upstreams;
  std::string backends;
  for (int i = 1; i <= 6; ++i) {
    UpstreamOptions u;
    u.name = "u" + std::to_string(i);
    u.latency = std::chrono::milliseconds(5);
    u.jitter = std::chrono::milliseconds(1);
    u.seed = static_cast<uint64_t>(i);
    for (const auto& [name, spec] : faults) {
      if (name == u.name) u.faults.push_back(*ParseFaultSpec(spec));
    }
    upstreams.push_back(std::make_unique<UpstreamServer>(u));
    if (auto s = upstreams.back()->Start(); !s) {
      std::fprintf(stderr, "huddle demo: %s\n", s.error().message.c_str());
      return 1;
    }
    backends += "      - { name: " + u.name +
                ", address: 127.0.0.1:" + std::to_string(upstreams.back()->port()) + " }\n";
  }
  auto make_config = [&](uint16_t port) {
    return "threads: 1\nadmin:\n  address: 127.0.0.1:" + std::to_string(port) +
           "\nlisteners:\n  - name: web\n    address: 127.0.0.1:0\n    cluster: app\n"
           "clusters:\n  - name: app\n" +
           (policy.empty() ? std::string() : "    policy: " + policy + "\n") + "    backends:\n" +
           backends +
           "    health_check: { path: /healthz, interval: 1s, timeout: 500ms, rise: 2, fall: 2 }\n"
           "    retries: { attempts: 2 }\n"
           // The engine watches (forecasts, risk, what the autopilot would do) so the dashboard
           // shows its panels; it does not shed (admission and the adaptive limit are opt in).
           "engine: { enabled: true, shedding: false, tick: 1s }\n";
  };
  core::Result<ProxyConfig> config = ParseConfig(make_config(admin_port), "demo");
  if (!config) {
    std::fprintf(stderr, "huddle demo: %s\n", config.error().message.c_str());
    return 1;
  }
  auto server = std::make_unique<ProxyServer>(*config);
  if (auto s = server->Start(); !s) {
    server = std::make_unique<ProxyServer>(*ParseConfig(make_config(0), "demo"));
    if (auto again = server->Start(); !again) {
      std::fprintf(stderr, "huddle demo: %s\n", again.error().message.c_str());
      return 1;
    }
  }
  const uint16_t port = server->listener_port(0);
  std::printf(
      "huddle demo: proxy on http://127.0.0.1:%u/  dashboard http://127.0.0.1:%u/"
      "  (policy %s, %d s, Ctrl-C stops)\n",
      port, server->admin_port(), config->clusters[0].policy.c_str(), duration_s);
  std::printf("timeline: u3 turns 5x slow at %s for %s; u5 crashes at %s and returns %s later\n",
              at(1.0 / 6).c_str(), at(5.0 / 12).c_str(), at(1.0 / 3).c_str(), at(1.0 / 3).c_str());
  std::fflush(stdout);

  std::atomic<bool> stop{false};
  LoadStats stats;
  std::vector<std::thread> load;
  for (int i = 0; i < clients; ++i) {
    load.emplace_back([&] { LoadLoop(port, std::chrono::microseconds(2000), stop, stats); });
  }
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(duration_s);
  bool interrupted = false;
  while (Clock::now() < end) {
    const auto left =
        std::min<Clock::duration>(std::chrono::seconds(interval_s), end - Clock::now());
    if (common::WaitForStopSignal(std::chrono::duration_cast<core::Duration>(left))) {
      interrupted = true;
      break;
    }
    std::map<std::string, std::vector<double>> samples;
    uint64_t failures = 0;
    stats.Take(samples, failures);
    size_t total = 0;
    for (const auto& [name, v] : samples) total += v.size();
    const nlohmann::json j = nlohmann::json::parse(server->ClustersJson());
    const double t = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("\n[%5.1fs] %zu requests (%.0f/s), %llu failed\n", t, total,
                static_cast<double>(total) / interval_s, static_cast<unsigned long long>(failures));
    std::printf("  %-4s %7s %9s %9s  %s\n", "", "share", "p50 ms", "p99 ms", "state");
    for (const auto& b : j["clusters"][0]["backends"]) {
      const std::string name = b["name"];
      std::vector<double>& v = samples[name];
      std::string state;
      if (!b["healthy"].get<bool>()) {
        state = "DOWN (health checks)";
      } else if (b["ejected"].get<bool>()) {
        state = "EJECTED (outlier detection)";
      } else if (!b["in_table"].get<bool>()) {
        state = "out of table";
      } else if (b["policy_gauges"].contains("inner")) {
        state =
            b["policy_gauges"]["inner"].get<double>() > 0.5 ? "inner ring" : "outer ring (cooling)";
        if (b["policy_gauges"].contains("temperature")) {
          char temp[32];
          std::snprintf(temp, sizeof(temp), ", temp %.2f",
                        b["policy_gauges"]["temperature"].get<double>());
          state += temp;
        }
      } else {
        state = "in table";
      }
      std::printf("  %-4s %6.1f%% %9.2f %9.2f  %s\n", name.c_str(),
                  total ? 100.0 * static_cast<double>(v.size()) / static_cast<double>(total) : 0.0,
                  Percentile(v, 0.5), Percentile(v, 0.99), state.c_str());
    }
    std::printf("  admin: http://127.0.0.1:%u/metrics  http://127.0.0.1:%u/api/v1/clusters\n",
                server->admin_port(), server->admin_port());
    std::fflush(stdout);
  }
  stop = true;
  for (auto& th : load) th.join();
  server->Drain(std::chrono::seconds(2));
  for (auto& u : upstreams) u->Stop();
  std::printf("\nhuddle demo: %s; everything stopped.\n", interrupted ? "interrupted" : "finished");
  return 0;
}

}  // namespace huddle::proxy
