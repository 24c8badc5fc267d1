#include "proxy/proxy_server.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/admin_http_server.h"
#include "common/prometheus_text.h"
#include "core/cluster/cluster_brain.h"
#include "core/health/outlier_detection_options.h"
#include "engine/engine.h"
#include "engine/engine_api.h"
#include "engine/engine_json.h"
#include "proxy/asio_types.h"
#include "proxy/cluster_view.h"
#include "proxy/config_reload.h"
#include "proxy/listener_stats.h"
#include "proxy/shed_adaptive_limit.h"
#include "proxy/worker.h"
#include "web/dashboard_handler.h"

namespace huddle::proxy {
namespace {

core::TimePoint Now() { return std::chrono::steady_clock::now(); }

// Unix seconds minus steady seconds: converts the engine's time points for its JSON.
double WallOffset(core::TimePoint now) {
  const double wall =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return wall - core::ToSeconds(now.time_since_epoch());
}

struct ControlBackend {
  BackendConfig config;
  Tcp::endpoint endpoint;
  std::shared_ptr<BackendStats> stats;
  bool present = false;
  uint64_t probe_generation = 0;
  int last_probe_status = 0;
  double last_probe_ms = 0;
};

struct ControlCluster {
  size_t id = 0;
  ClusterConfig config;
  std::unique_ptr<core::ClusterBrain> brain;
  std::vector<ControlBackend> backends;  // by BackendIndex
  std::shared_ptr<const ClusterView> view;
  uint64_t published_version = ~uint64_t{0};
  uint64_t generation = 0;
  // Load shedding: shared with the workers through every view (made in Start, one latency row
  // per worker), and the adaptive limit that publishes into it (declared after it: destroyed
  // first).
  std::shared_ptr<ClusterShedState> shed;
  std::unique_ptr<AdaptiveLimit> adaptive;     // null when adaptive_concurrency is off
  std::optional<engine::ShedDecision> pinned;  // overrides the engine's decision when set
  // The engine feed: totals at the previous feed, to turn counters into rates.
  core::TimePoint last_feed{};
  uint64_t last_requests = 0;
  uint64_t last_errors = 0;
  uint64_t last_latency_sum_us = 0;
  uint64_t last_shed_admission = 0;
  std::array<uint64_t, kLatencyBuckets> last_latency{};
};

Tcp::endpoint EndpointOf(const common::HostPort& hp) {
  return Tcp::endpoint(asio::ip::make_address(hp.host), hp.port);
}

core::ClusterBrainOptions BrainOptions(const ClusterConfig& c, uint64_t seed) {
  core::ClusterBrainOptions o;
  o.health_check.interval = c.health_check.interval;
  o.health_check.timeout = c.health_check.timeout;
  o.health_check.rise = c.health_check.rise;
  o.health_check.fall = c.health_check.fall;
  o.health_check.path = c.health_check.path;
  o.outlier_detection = c.outlier_detection;
  if (auto parsed = core::OutlierDetectionOptions::Parse(c.outlier_options)) o.outlier = *parsed;
  if (auto parsed = core::SlowStartOptions::Parse(c.slow_start_options)) o.slow_start = *parsed;
  o.panic_threshold_percent = c.panic_threshold_percent;
  o.seed = seed;
  return o;
}

}  // namespace

class ProxyServer::Control {
 public:
  explicit Control(const ProxyConfig& config) : config_(config), io_(1) {}

  ~Control() {
    StopAll();
    workers_.clear();  // sessions still refer to listener_stats_
  }

  core::Result<std::vector<uint16_t>> Start(uint16_t& admin_port) {
    threads_ = config_.threads > 0 ? static_cast<size_t>(config_.threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
    for (size_t w = 0; w < threads_; ++w) {
      workers_.push_back(std::make_unique<Worker>(w, config_.clusters.size(), config_));
    }
    // Clusters and their brains.
    for (size_t i = 0; i < config_.clusters.size(); ++i) {
      ControlCluster& c = clusters_.emplace_back();
      c.id = i;
      c.config = config_.clusters[i];
      c.brain = std::make_unique<core::ClusterBrain>(BrainOptions(c.config, 17 + i));
      c.brain->SetEventListener([this, i](const core::DecisionEvent& e) { OnDecision(i, e); });
      c.shed = std::make_shared<ClusterShedState>(workers_.size());
      if (config_.adaptive_concurrency.enabled) {
        c.adaptive = std::make_unique<AdaptiveLimit>(config_.adaptive_concurrency.options, *c.shed,
                                                     Now(), 101 + i);
      }
      for (const BackendConfig& b : c.config.backends) {
        if (auto s = AddBackend(c, b); !s) return std::unexpected(s.error());
      }
      c.generation = 1;
      c.last_feed = Now();
      c.view = BuildView(c);
      for (auto& w : workers_) {
        w->SetClusterView(c.view);
        w->SetTable(i, c.brain->table());
      }
      c.published_version = c.brain->table()->version;
    }
    // Listeners: the first worker resolves port 0, the others bind the same port.
    std::vector<uint16_t> ports;
    listener_stats_.resize(config_.listeners.size());
    for (size_t l = 0; l < config_.listeners.size(); ++l) {
      ListenerConfig lc = config_.listeners[l];
      size_t cluster = 0;
      for (size_t i = 0; i < config_.clusters.size(); ++i) {
        if (config_.clusters[i].name == lc.cluster) cluster = i;
      }
      for (auto& w : workers_) {
        core::Result<uint16_t> port = w->Bind(lc, cluster, listener_stats_[l]);
        if (!port) return std::unexpected(port.error());
        lc.address.port = *port;
      }
      ports.push_back(lc.address.port);
    }
    if (config_.engine.enabled) StartEngine();
    if (config_.admin.enabled) {
      common::AdminHttpOptions admin_options;
      if (engine_) admin_options.websocket_path = "/ws";
      admin_ = std::make_unique<common::AdminHttpServer>(
          io_, [this](const common::AdminRequest& r) { return HandleAdmin(r); },
          config_.admin.token, admin_options);
      core::Result<uint16_t> port = admin_->Listen(config_.admin.address);
      if (!port) return std::unexpected(port.error());
      admin_port = *port;
    }
    if (!config_.access_log.path.empty()) {
      log_file_ = config_.access_log.path == "-" ? stdout
                                                 : std::fopen(config_.access_log.path.c_str(), "a");
      if (log_file_ == nullptr)
        return core::Fail("access_log: cannot open " + config_.access_log.path);
    }
    for (ControlCluster& c : clusters_) StartProbes(c);
    asio::co_spawn(io_.get_executor(), TickLoop(), asio::detached);
    for (auto& w : workers_) w->Start();
    thread_ = std::thread([this] {
      control_thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
      io_.run();
    });
    return ports;
  }

  size_t Drain(core::Duration deadline) {
    draining_ = true;
    for (auto& w : workers_) w->BeginDrain();
    const core::TimePoint until = Now() + deadline;
    size_t active = 0;
    for (;;) {
      active = 0;
      for (auto& w : workers_) active += w->ActiveSessions();
      if (active == 0 || Now() >= until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    StopAll();
    return active;
  }

  void StopAll() {
    for (auto& w : workers_) w->Stop();
    if (thread_.joinable()) {
      io_.stop();
      thread_.join();
    }
    FlushAccessLog();
    if (log_file_ != nullptr && log_file_ != stdout) std::fclose(log_file_);
    log_file_ = nullptr;
  }

  // Runs fn on the control thread and returns its result.
  template <typename F>
  auto OnControl(F fn) -> decltype(fn()) {
    if (!thread_.joinable() ||
        std::this_thread::get_id() == control_thread_id_.load(std::memory_order_acquire)) {
      return fn();
    }
    std::promise<decltype(fn())> done;
    auto result = done.get_future();
    asio::post(io_, [&] {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        done.set_value();
      } else {
        done.set_value(fn());
      }
    });
    return result.get();
  }

  // Every key is applied here or refused by KeysNeedingRestart (config_reload.h lists both).
  core::Result<void> Reload(const ProxyConfig& next) {
    if (std::vector<std::string> keys = KeysNeedingRestart(config_, next); !keys.empty()) {
      std::string list;
      for (const std::string& k : keys) list += (list.empty() ? "" : "; ") + k;
      return core::Fail("reload refused, the old config stays; these keys need a restart: " + list);
    }
    return OnControl([&]() -> core::Result<void> {
      for (size_t i = 0; i < next.clusters.size(); ++i)
        ApplyCluster(clusters_[i], next.clusters[i]);
      for (size_t l = 0; l < next.listeners.size(); ++l) {
        for (auto& w : workers_) {
          Worker* worker = w.get();
          worker->Post([worker, l, lc = next.listeners[l]] { worker->SetListenerLimits(l, lc); });
        }
      }
      if (admin_) admin_->SetToken(next.admin.token);
      if (engine_api_) engine_api_->SetToken(next.admin.token);
      config_.admin.token = next.admin.token;
      config_.drain_timeout = next.drain_timeout;
      config_.listeners = next.listeners;
      config_.clusters = next.clusters;
      Event("", "", "reload", "configuration reloaded");
      return {};
    });
  }

  std::string ClustersJson() {
    return OnControl([&] {
      nlohmann::json out;
      out["draining"] = draining_.load();
      out["clusters"] = nlohmann::json::array();
      for (ControlCluster& c : clusters_) {
        const PolicyGauges gauges = workers_.front()->Gauges(c.id);
        nlohmann::json jc;
        jc["name"] = c.config.name;
        jc["policy"] = c.config.policy;
        auto table = c.brain->table();
        jc["table_version"] = table->version;
        jc["panic"] = table->panic;
        jc["eligible"] = table->entries.size();
        nlohmann::json policy_gauges = nlohmann::json::object();
        for (const auto& [k, v] : gauges.cluster) policy_gauges[k] = v;
        jc["policy_gauges"] = policy_gauges;
        jc["backends"] = nlohmann::json::array();
        for (size_t b = 0; b < c.backends.size(); ++b) {
          const ControlBackend& cb = c.backends[b];
          if (!cb.present) continue;
          const core::BackendStatus st = c.brain->Status(static_cast<core::BackendIndex>(b));
          const BackendTotals t = cb.stats->Sum();
          nlohmann::json jb;
          jb["name"] = cb.config.name;
          jb["address"] = cb.config.address.ToString();
          jb["index"] = b;
          jb["weight"] = st.weight;
          jb["effective_weight"] = st.effective_weight;
          jb["healthy"] = st.healthy;
          jb["ejected"] = st.ejected;
          jb["times_ejected"] = st.times_ejected;
          jb["draining"] = st.draining;
          jb["in_table"] = st.in_table;
          jb["requests"] = t.requests;
          jb["errors"] = t.errors;
          jb["retries"] = t.retries;
          jb["in_flight"] = t.in_flight;
          jb["latency_p50_ms"] = t.QuantileMs(0.5);
          jb["latency_p99_ms"] = t.QuantileMs(0.99);
          jb["latency_mean_ms"] = t.requests ? t.latency_sum_us / 1000.0 / t.requests : 0.0;
          jb["last_probe_status"] = cb.last_probe_status;
          jb["last_probe_ms"] = cb.last_probe_ms;
          nlohmann::json g = nlohmann::json::object();
          if (b < gauges.backends.size()) {
            for (const auto& [k, v] : gauges.backends[b]) g[k] = v;
          }
          jb["policy_gauges"] = g;
          jc["backends"].push_back(jb);
        }
        out["clusters"].push_back(jc);
      }
      return out.dump(2) + "\n";
    });
  }

  std::string MetricsText() {
    return OnControl([&] {
      using common::PrometheusText;
      PrometheusText m;
      m.Family("huddle_cluster_shed_total", PrometheusText::kCounter,
               "Requests refused by load shedding, by reason (limit, admission).");
      m.Family("huddle_cluster_shed_in_flight", PrometheusText::kGauge,
               "Requests in flight counted by the shedding limit.");
      m.Family("huddle_cluster_admit_probability", PrometheusText::kGauge,
               "Share of requests the engine admits (1 when the engine is off).");
      m.Family("huddle_cluster_concurrency_limit", PrometheusText::kGauge,
               "Concurrency limit in force (the smaller of the adaptive and the engine's).");
      m.Family("huddle_cluster_adaptive_limit", PrometheusText::kGauge,
               "Adaptive concurrency limit of the gradient controller.");
      m.Family("huddle_cluster_min_rtt_seconds", PrometheusText::kGauge,
               "Gradient controller's minimum round-trip time.");
      m.Family("huddle_cluster_sample_rtt_seconds", PrometheusText::kGauge,
               "Gradient controller's round-trip time of the last window.");
      m.Family("huddle_cluster_concurrency_gradient", PrometheusText::kGauge,
               "Gradient controller's last gradient.");
      m.Family("huddle_backend_requests_total", PrometheusText::kCounter,
               "Requests sent to the backend.");
      m.Family("huddle_backend_errors_total", PrometheusText::kCounter,
               "Requests to the backend that failed (5xx or transport).");
      m.Family("huddle_backend_retries_total", PrometheusText::kCounter,
               "Retries sent to the backend.");
      m.Family("huddle_backend_in_flight", PrometheusText::kGauge, "Requests in flight.");
      m.Family("huddle_backend_healthy", PrometheusText::kGauge,
               "1 when active health checks pass.");
      m.Family("huddle_backend_ejected", PrometheusText::kGauge,
               "1 while outlier detection ejects the backend.");
      m.Family("huddle_backend_ejections_total", PrometheusText::kCounter,
               "Times outlier detection ejected the backend.");
      m.Family("huddle_backend_effective_weight", PrometheusText::kGauge,
               "Weight in the routing table (slow start and admin changes included).");
      m.Family("huddle_backend_latency_seconds", PrometheusText::kHistogram,
               "Response time of the backend's requests.");
      for (ControlCluster& c : clusters_) {
        const ClusterShedState& s = *c.shed;
        const PrometheusText::Labels cl = {{"cluster", c.config.name}};
        auto with = [&cl](const char* k, const char* v) {
          PrometheusText::Labels l = cl;
          l.emplace_back(k, v);
          return l;
        };
        m.Sample("huddle_cluster_shed_total", with("reason", "limit"),
                 s.shed_limit.load(std::memory_order_relaxed));
        m.Sample("huddle_cluster_shed_total", with("reason", "admission"),
                 s.shed_admission.load(std::memory_order_relaxed));
        m.Sample("huddle_cluster_shed_in_flight", cl, s.in_flight.load(std::memory_order_relaxed));
        m.Sample("huddle_cluster_admit_probability", cl,
                 s.engine_enabled.load(std::memory_order_relaxed)
                     ? s.admit_probability.load(std::memory_order_relaxed)
                     : 1.0);
        m.Sample("huddle_cluster_concurrency_limit", cl, s.EffectiveLimit());
        if (c.adaptive) {
          const core::GradientController& g = c.adaptive->controller();
          m.Sample("huddle_cluster_adaptive_limit", cl, g.limit());
          m.Sample("huddle_cluster_min_rtt_seconds", cl, core::ToSeconds(g.min_rtt()));
          m.Sample("huddle_cluster_sample_rtt_seconds", cl, core::ToSeconds(g.sample_rtt()));
          m.Sample("huddle_cluster_concurrency_gradient", cl, g.gradient());
        }
      }
      for (ControlCluster& c : clusters_) {
        const PolicyGauges gauges = workers_.front()->Gauges(c.id);
        for (size_t b = 0; b < c.backends.size(); ++b) {
          const ControlBackend& cb = c.backends[b];
          if (!cb.present) continue;
          const core::BackendStatus st = c.brain->Status(static_cast<core::BackendIndex>(b));
          const BackendTotals t = cb.stats->Sum();
          const PrometheusText::Labels lbl = {{"cluster", c.config.name},
                                              {"backend", cb.config.name}};
          m.Sample("huddle_backend_requests_total", lbl, t.requests);
          m.Sample("huddle_backend_errors_total", lbl, t.errors);
          m.Sample("huddle_backend_retries_total", lbl, t.retries);
          m.Sample("huddle_backend_in_flight", lbl, t.in_flight);
          m.Sample("huddle_backend_healthy", lbl, st.healthy ? 1 : 0);
          m.Sample("huddle_backend_ejected", lbl, st.ejected ? 1 : 0);
          m.Sample("huddle_backend_ejections_total", lbl, st.times_ejected);
          m.Sample("huddle_backend_effective_weight", lbl, st.effective_weight);
          uint64_t cumulative = 0;
          for (size_t i = 0; i < kLatencyBuckets; ++i) {
            cumulative += t.latency[i];
            PrometheusText::Labels le = lbl;
            le.emplace_back("le", i < kLatencyBucketsMs.size()
                                      ? PrometheusText::FormatDouble(kLatencyBucketsMs[i] / 1000.0)
                                      : "+Inf");
            m.Sample("huddle_backend_latency_seconds", le, cumulative, "_bucket");
          }
          m.Sample("huddle_backend_latency_seconds", lbl, t.latency_sum_us / 1e6, "_sum");
          m.Sample("huddle_backend_latency_seconds", lbl, cumulative, "_count");
          if (b < gauges.backends.size()) {
            for (const auto& [k, v] : gauges.backends[b]) {
              // Policy gauges: temperature, inner (ring position), ... as huddle_server_<name>.
              const std::string name = "huddle_server_" + k;
              m.Family(name, PrometheusText::kGauge, "Routing policy gauge '" + k + "'.");
              m.Sample(name, lbl, v);
            }
          }
        }
        const PrometheusText::Labels cl = {{"cluster", c.config.name}};
        for (const auto& [k, v] : gauges.cluster) {
          const std::string name = "huddle_cluster_" + k;
          m.Family(name, PrometheusText::kGauge, "Routing policy gauge '" + k + "'.");
          m.Sample(name, cl, v);
        }
        m.Family("huddle_cluster_panic", PrometheusText::kGauge,
                 "1 while the cluster is in panic mode (all backends in the table).");
        m.Sample("huddle_cluster_panic", cl, c.brain->InPanic() ? 1 : 0);
      }
      m.Family("huddle_listener_connections_total", PrometheusText::kCounter,
               "Client connections accepted.");
      m.Family("huddle_listener_connections_active", PrometheusText::kGauge,
               "Client connections open.");
      m.Family("huddle_listener_connections_rejected_total", PrometheusText::kCounter,
               "Client connections closed at once (max_connections).");
      m.Family("huddle_listener_requests_rejected_total", PrometheusText::kCounter,
               "Requests refused by the listener's limits (408, 413, 414, 431, 400).");
      m.Family("huddle_listener_local_responses_total", PrometheusText::kCounter,
               "Responses the proxy made itself, by status.");
      for (size_t l = 0; l < config_.listeners.size(); ++l) {
        const ListenerStats& s = listener_stats_[l];
        const PrometheusText::Labels lbl = {{"listener", config_.listeners[l].name}};
        m.Sample("huddle_listener_connections_total", lbl, s.connections_total.load());
        m.Sample("huddle_listener_connections_active", lbl, s.connections_active.load());
        m.Sample("huddle_listener_connections_rejected_total", lbl, s.connections_rejected.load());
        m.Sample("huddle_listener_requests_rejected_total", lbl, s.requests_rejected.load());
        const std::pair<const char*, uint64_t> local[] = {{"408", s.timeouts_408.load()},
                                                          {"502", s.local_502.load()},
                                                          {"503", s.local_503.load()},
                                                          {"504", s.local_504.load()}};
        for (const auto& [status, n] : local) {
          PrometheusText::Labels with_status = lbl;
          with_status.emplace_back("status", status);
          m.Sample("huddle_listener_local_responses_total", with_status, n);
        }
      }
      uint64_t dropped = 0, log_dropped = 0;
      for (auto& w : workers_) {
        dropped += w->dropped_outcomes();
        log_dropped += w->access_log().dropped();
      }
      m.Family("huddle_outcomes_dropped_total", PrometheusText::kCounter,
               "Request outcomes the control thread could not take (inbox full).");
      m.Sample("huddle_outcomes_dropped_total", {}, dropped);
      m.Family("huddle_access_log_dropped_total", PrometheusText::kCounter,
               "Access-log lines dropped (buffer full).");
      m.Sample("huddle_access_log_dropped_total", {}, log_dropped);
      if (engine_) engine_api_->AppendMetrics(m);
      return m.Text();
    });
  }

  bool Ready() {
    return OnControl([&] {
      if (draining_) return false;
      for (ControlCluster& c : clusters_) {
        if (c.brain->table()->entries.empty()) return false;
      }
      return true;
    });
  }

  core::Result<void> BackendAction(const std::string& cluster, const std::string& backend,
                                   const std::string& action, double value) {
    return OnControl([&]() -> core::Result<void> {
      for (ControlCluster& c : clusters_) {
        if (c.config.name != cluster) continue;
        auto b = c.brain->Find(backend);
        if (!b) return core::Fail("no backend '" + backend + "' in cluster '" + cluster + "'");
        core::Result<void> r;
        if (action == "drain") {
          r = c.brain->SetDraining(*b, true);
        } else if (action == "enable") {
          r = c.brain->SetDraining(*b, false);
        } else if (action == "weight") {
          r = c.brain->SetWeight(*b, value);  // refuses a weight out of range (1e308, NaN)
        } else {
          return core::Fail("unknown action '" + action + "' (drain, enable, weight)");
        }
        if (!r) return r;
        Event(cluster, backend, action, "admin action");
        c.brain->Tick(Now());
        PublishTable(c);
        return {};
      }
      return core::Fail("no cluster '" + cluster + "'");
    });
  }

  std::vector<ProxyEvent> Events() {
    std::lock_guard<std::mutex> lock(events_mutex_);
    return {events_.begin(), events_.end()};
  }

  size_t threads() const { return threads_; }

 private:
  core::Result<void> AddBackend(ControlCluster& c, const BackendConfig& b) {
    core::Result<core::BackendIndex> index =
        c.brain->AddBackend(core::BackendSpec{b.name, b.weight}, Now());
    if (!index) return std::unexpected(index.error());
    if (c.backends.size() <= *index) c.backends.resize(*index + 1);
    ControlBackend& cb = c.backends[*index];
    cb.config = b;
    cb.endpoint = EndpointOf(b.address);
    cb.stats = std::make_shared<BackendStats>(workers_.size());
    cb.present = true;
    return {};
  }

  std::shared_ptr<const ClusterView> BuildView(const ControlCluster& c) {
    auto view = std::make_shared<ClusterView>();
    view->id = c.id;
    view->config = c.config;
    view->generation = c.generation;
    view->shed = c.shed;
    view->backends.resize(c.backends.size());
    for (size_t b = 0; b < c.backends.size(); ++b) {
      const ControlBackend& cb = c.backends[b];
      if (!cb.present) continue;
      view->backends[b] =
          BackendView{static_cast<core::BackendIndex>(b), cb.config.name, cb.endpoint, cb.stats};
    }
    return view;
  }

  void PublishView(ControlCluster& c) {
    ++c.generation;
    c.view = BuildView(c);
    for (auto& w : workers_) {
      Worker* worker = w.get();
      worker->Post([worker, view = c.view] { worker->SetClusterView(view); });
    }
    c.published_version = ~uint64_t{0};
    PublishTable(c);
  }

  void PublishTable(ControlCluster& c) {
    std::shared_ptr<const core::RoutingTable> table = c.brain->table();
    if (table->version == c.published_version) return;
    c.published_version = table->version;
    for (auto& w : workers_) {
      Worker* worker = w.get();
      const size_t id = c.id;
      worker->Post([worker, id, table] { worker->SetTable(id, table); });
    }
  }

  void ApplyCluster(ControlCluster& c, const ClusterConfig& next) {
    const bool probes_changed = next.health_check.enabled != c.config.health_check.enabled ||
                                next.health_check.path != c.config.health_check.path ||
                                next.health_check.interval != c.config.health_check.interval ||
                                next.health_check.timeout != c.config.health_check.timeout;
    std::map<std::string, const BackendConfig*> wanted;
    for (const BackendConfig& b : next.backends) wanted[b.name] = &b;
    for (size_t i = 0; i < c.backends.size(); ++i) {
      ControlBackend& cb = c.backends[i];
      if (!cb.present) continue;
      auto it = wanted.find(cb.config.name);
      const auto index = static_cast<core::BackendIndex>(i);
      if (it == wanted.end() || it->second->address.ToString() != cb.config.address.ToString()) {
        (void)c.brain->RemoveBackend(index);
        cb.present = false;
        ++cb.probe_generation;
        Event(c.config.name, cb.config.name, "removed", "reload");
        continue;
      }
      if (it->second->weight != cb.config.weight)
        (void)c.brain->SetWeight(index, it->second->weight);
      cb.config = *it->second;
      wanted.erase(it);
    }
    c.config = next;
    for (const BackendConfig& b : next.backends) {
      if (!wanted.contains(b.name)) continue;
      if (AddBackend(c, b)) {
        Event(c.config.name, b.name, "added", "reload");
        if (c.config.health_check.enabled && !probes_changed) {
          const auto index = static_cast<core::BackendIndex>(*c.brain->Find(b.name));
          asio::co_spawn(io_, ProbeLoop(c.id, index, c.backends[index].probe_generation),
                         asio::detached);
        }
      }
    }
    if (probes_changed) {
      for (ControlBackend& cb : c.backends) ++cb.probe_generation;
      StartProbes(c);
    }
    c.brain->Tick(Now());
    PublishView(c);
  }

  void StartProbes(ControlCluster& c) {
    if (!c.config.health_check.enabled) return;
    for (size_t b = 0; b < c.backends.size(); ++b) {
      if (!c.backends[b].present) continue;
      asio::co_spawn(
          io_, ProbeLoop(c.id, static_cast<core::BackendIndex>(b), c.backends[b].probe_generation),
          asio::detached);
    }
  }

  asio::awaitable<void> ProbeLoop(size_t cluster, core::BackendIndex b, uint64_t generation) {
    asio::steady_timer timer(io_);
    // Spread the first probes over one interval.
    const core::Duration interval = clusters_[cluster].config.health_check.interval;
    timer.expires_after(interval * static_cast<int64_t>(b % 16) / 16);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    for (;;) {
      ControlCluster& c = clusters_[cluster];
      if (draining_ || b >= c.backends.size() || c.backends[b].probe_generation != generation ||
          !c.backends[b].present) {
        co_return;
      }
      const HealthCheckConfig hc = c.config.health_check;
      const core::TimePoint start = Now();
      const core::Outcome outcome = co_await Probe(c.backends[b], hc);
      const core::TimePoint now = Now();
      ControlCluster& after = clusters_[cluster];
      if (b < after.backends.size() && after.backends[b].present &&
          after.backends[b].probe_generation == generation) {
        after.backends[b].last_probe_status = outcome.status;
        after.backends[b].last_probe_ms = core::ToMillis(outcome.latency);
        after.brain->ObserveProbe(b, outcome, now);
        for (auto& w : workers_) {
          Worker* worker = w.get();
          worker->Post([worker, cluster, b, outcome, now] {
            worker->ObserveProbe(cluster, b, outcome, now);
          });
        }
        PublishTable(after);
      }
      const core::Duration spent = now - start;
      timer.expires_after(spent < hc.interval ? hc.interval - spent : core::Duration{0});
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }

  asio::awaitable<core::Outcome> Probe(const ControlBackend& cb, const HealthCheckConfig& hc) {
    const core::TimePoint start = Now();
    asio::ip::tcp::socket socket(io_);
    asio::steady_timer timeout(io_);
    bool timed_out = false;
    timeout.expires_after(hc.timeout);
    timeout.async_wait([&timed_out, &socket](const boost::system::error_code& ec) {
      if (ec) return;
      timed_out = true;
      boost::system::error_code ignored;
      socket.close(ignored);
    });
    boost::system::error_code ec;
    const Tcp::endpoint ep = cb.endpoint;
    co_await socket.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      timeout.cancel();
      co_return core::Outcome::Failure(Now() - start, timed_out
                                                          ? core::FailureKind::kConnectTimeout
                                                          : core::FailureKind::kConnectRefused);
    }
    const std::string request = "GET " + hc.path +
                                " HTTP/1.1\r\nhost: " + cb.config.address.ToString() +
                                "\r\nuser-agent: huddle-health-check\r\nconnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request),
                               asio::redirect_error(asio::use_awaitable, ec));
    std::string head;
    char buf[1024];
    while (!ec && head.find("\r\n") == std::string::npos && head.size() < 4096) {
      const size_t n = co_await socket.async_read_some(
          asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      head.append(buf, n);
    }
    timeout.cancel();
    const core::Duration latency = Now() - start;
    int status = 0;
    if (head.size() >= 12 && head.starts_with("HTTP/1.")) status = std::atoi(head.c_str() + 9);
    if (status == 0) {
      co_return core::Outcome::Failure(
          latency, timed_out ? core::FailureKind::kTimeout : core::FailureKind::kReset);
    }
    const bool ok = status >= hc.expected_status_min && status <= hc.expected_status_max;
    co_return core::Outcome{latency, ok, status, core::FailureKind::kNone};
  }

  asio::awaitable<void> TickLoop() {
    asio::steady_timer timer(io_);
    std::vector<OutcomeRecord> outcomes;
    outcomes.reserve(4096);
    for (;;) {
      timer.expires_after(config_.tick);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      Tick(outcomes);
    }
  }

  void Tick(std::vector<OutcomeRecord>& outcomes) {
    outcomes.clear();
    for (auto& w : workers_) w->DrainOutcomes(outcomes);
    for (const OutcomeRecord& r : outcomes) {
      if (r.cluster >= clusters_.size()) continue;
      ControlCluster& c = clusters_[r.cluster];
      if (r.backend < c.backends.size() && c.backends[r.backend].present) {
        c.brain->Observe(r.backend, r.outcome, r.at);
      }
    }
    const core::TimePoint now = Now();
    for (ControlCluster& c : clusters_) {
      c.brain->Tick(now);
      PublishTable(c);
      if (c.adaptive) c.adaptive->Tick(now);  // load shedding: the adaptive concurrency limit
    }
    if (engine_ && now >= next_engine_tick_) {
      next_engine_tick_ = now + config_.engine.options.tick;
      EngineTick(now);
    }
    FlushAccessLog();
  }

  // ---- the embedded engine (docs/engine.md, "Embedding in a proxy") ----

  void StartEngine() {
    engine_ = std::make_unique<engine::Engine>(config_.engine.options);
    engine_api_ = std::make_unique<engine::EngineApi>(*engine_, engine_mutex_, config_.admin.token);
    // A tick run through POST /api/v1/runtime/step (on this thread, mutex released).
    engine_api_->set_on_step([this](const engine::TickReport& report) {
      std::string json;
      {
        std::lock_guard lock(engine_mutex_);
        for (ControlCluster& c : clusters_) ApplyShedding(c);
        json = engine::TickJson(*engine_, report, WallOffset(Now())).dump();
      }
      if (admin_) admin_->Broadcast(std::move(json));
    });
    next_engine_tick_ = Now() + config_.engine.options.tick;
  }

  // One point per cluster from its counters since the previous feed.
  engine::TelemetryPoint FeedPoint(ControlCluster& c, core::TimePoint now, double wall_offset) {
    BackendTotals sum;
    int healthy = 0;
    for (size_t b = 0; b < c.backends.size(); ++b) {
      const ControlBackend& cb = c.backends[b];
      if (!cb.present) continue;
      const BackendTotals t = cb.stats->Sum();
      sum.requests += t.requests;
      sum.errors += t.errors;
      sum.in_flight += t.in_flight;
      sum.latency_sum_us += t.latency_sum_us;
      for (size_t i = 0; i < kLatencyBuckets; ++i) sum.latency[i] += t.latency[i];
      const core::BackendStatus st = c.brain->Status(static_cast<core::BackendIndex>(b));
      if (st.healthy && !st.ejected && !st.draining) ++healthy;
    }
    // Requests refused at the concurrency limit are not demand the engine should see: a
    // closed-loop client sends each one again at once, and the limit already bounds what is
    // admitted. Those refused by the admission draw are (that is the engine's own decision).
    const uint64_t shed = c.shed->shed_admission.load(std::memory_order_relaxed);
    BackendTotals delta;
    delta.requests = sum.requests - std::min(sum.requests, c.last_requests);
    delta.errors = sum.errors - std::min(sum.errors, c.last_errors);
    delta.latency_sum_us = sum.latency_sum_us - std::min(sum.latency_sum_us, c.last_latency_sum_us);
    for (size_t i = 0; i < kLatencyBuckets; ++i)
      delta.latency[i] = sum.latency[i] - std::min(sum.latency[i], c.last_latency[i]);
    const uint64_t delta_shed = shed - std::min(shed, c.last_shed_admission);
    const double dt = std::max(1e-3, core::ToSeconds(now - c.last_feed));
    c.last_feed = now;
    c.last_requests = sum.requests;
    c.last_errors = sum.errors;
    c.last_latency_sum_us = sum.latency_sum_us;
    c.last_latency = sum.latency;
    c.last_shed_admission = shed;

    engine::TelemetryPoint p;
    p.service_id = c.config.name;
    p.timestamp_s = engine::WallSeconds(now, wall_offset);
    p.request_rate = static_cast<double>(delta.requests + delta_shed) / dt;
    p.shed_rate = static_cast<double>(delta_shed) / dt;
    p.error_rate =
        delta.requests
            ? std::min(1.0, static_cast<double>(delta.errors) / static_cast<double>(delta.requests))
            : 0.0;
    p.latency_p50 = delta.QuantileMs(0.50);
    p.latency_p95 = delta.QuantileMs(0.95);
    p.latency_p99 = delta.QuantileMs(0.99);
    p.latency_mean = delta.requests ? static_cast<double>(delta.latency_sum_us) / 1000.0 /
                                          static_cast<double>(delta.requests)
                                    : 0.0;
    // The adaptive limit's samples are finer (2 %, not a bucket's upper bound: a 50 ms backend
    // read as 100 ms halves the engine's capacity estimate).
    if (c.adaptive) {
      const core::LogHistogram h = c.adaptive->TakeLatencies();
      if (h.Count() > 0) {
        p.latency_p50 = h.Quantile(0.50);
        p.latency_p95 = h.Quantile(0.95);
        p.latency_p99 = h.Quantile(0.99);
        p.latency_mean = h.Mean();
      }
    }
    p.active_conns = static_cast<double>(std::max<int64_t>(0, sum.in_flight));
    p.replicas = healthy;
    return p;
  }

  // Engine mutex held.
  void ApplyShedding(ControlCluster& c) {
    ClusterShedState& s = *c.shed;
    if (!c.pinned && !config_.engine.shedding) {
      s.engine_enabled.store(false, std::memory_order_relaxed);
      return;
    }
    const engine::ShedDecision d = c.pinned ? *c.pinned : engine_->Shedding(c.config.name);
    s.admit_probability.store(std::clamp(d.admit_probability, 0.0, 1.0), std::memory_order_relaxed);
    s.engine_limit.store(d.concurrency_limit, std::memory_order_relaxed);
    s.retry_budget_ratio.store(d.retry_budget_ratio, std::memory_order_relaxed);
    s.retry_after_s.store(
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(core::ToSeconds(d.retry_after)))),
        std::memory_order_relaxed);
    s.engine_enabled.store(true, std::memory_order_relaxed);
  }

  void EngineTick(core::TimePoint now) {
    const double offset = WallOffset(now);
    std::string json;
    {
      std::lock_guard lock(engine_mutex_);
      for (ControlCluster& c : clusters_) {
        if (auto ok = engine_->Ingest(FeedPoint(c, now, offset), now); !ok) {
          Event(c.config.name, "", "engine_feed_rejected", ok.error().message);
        }
      }
      const engine::TickReport report = engine_->Tick(now);
      for (ControlCluster& c : clusters_) ApplyShedding(c);
      json = engine::TickJson(*engine_, report, offset).dump();
    }
    if (admin_) admin_->Broadcast(std::move(json));
  }

 public:
  core::Result<void> PinShedding(const std::string& cluster,
                                 std::optional<engine::ShedDecision> decision) {
    if (!engine_) return core::Fail("shedding: the engine is off (engine.enabled: false)");
    return OnControl([&]() -> core::Result<void> {
      for (ControlCluster& c : clusters_) {
        if (c.config.name != cluster) continue;
        std::lock_guard lock(engine_mutex_);
        c.pinned = decision;
        ApplyShedding(c);
        return {};
      }
      return core::Fail("no cluster '" + cluster + "'");
    });
  }

 private:
  void FlushAccessLog() {
    if (log_file_ == nullptr) return;
    for (auto& w : workers_) {
      w->access_log().Take(log_scratch_);
      if (!log_scratch_.empty())
        std::fwrite(log_scratch_.data(), 1, log_scratch_.size(), log_file_);
    }
    std::fflush(log_file_);
  }

  void OnDecision(size_t cluster, const core::DecisionEvent& e) {
    const ControlCluster& c = clusters_[cluster];
    const std::string backend =
        e.backend < c.backends.size() ? c.backends[e.backend].config.name : std::string();
    Event(c.config.name, backend, e.kind, e.reason);
  }

  void Event(const std::string& cluster, const std::string& backend, const std::string& kind,
             const std::string& reason) {
    std::lock_guard<std::mutex> lock(events_mutex_);
    events_.push_back(ProxyEvent{cluster, backend, kind, reason});
    if (events_.size() > 256) events_.pop_front();
  }

  common::AdminResponse HandleAdmin(const common::AdminRequest& r) {
    // The dashboard (assets built into the binary) at / and /ui/*, and /ui/config.json saying
    // which APIs this process serves.
    web::DashboardFeatures features;
    features.proxy = true;
    features.engine = engine_ != nullptr;
    features.engine_stream = engine_ != nullptr;
    features.token_required = !config_.admin.token.empty();
    if (std::optional<web::DashboardResponse> page =
            web::ServeDashboard(r.method, r.path, features)) {
      return {page->status, std::string(page->content_type), std::move(page->body)};
    }
    if (r.method == "GET" && r.path == "/healthz")
      return {200, "text/plain; charset=utf-8", "ok\n"};
    if (r.method == "GET" && r.path == "/readyz") {
      const bool ready = Ready();
      return {ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "ready\n" : "not ready\n"};
    }
    if (r.method == "GET" && r.path == "/metrics") {
      return {200, "text/plain; version=0.0.4; charset=utf-8", MetricsText()};
    }
    if (engine_) {
      // The engine's API (engine_api.h) beside the proxy's; its events also at
      // /api/v1/engine/events (and merged into /api/v1/events below).
      static constexpr std::string_view kEngineRoutes[] = {
          "/api/v1/snapshot",      "/api/v1/directives",   "/api/v1/control/toggle",
          "/api/v1/policy/update", "/api/v1/runtime/step", "/api/v1/control/chaos-run",
          "/api/v1/alerts/ack"};
      common::AdminRequest er = r;
      if (r.path == "/api/v1/engine/events") er.path = "/api/v1/events";
      if (er.path != r.path || std::find(std::begin(kEngineRoutes), std::end(kEngineRoutes),
                                         r.path) != std::end(kEngineRoutes)) {
        const core::TimePoint now = Now();
        return engine_api_->Handle(er, now, WallOffset(now));
      }
    }
    if (r.method == "GET" && r.path == "/api/v1/clusters") {
      return {200, "application/json", ClustersJson()};
    }
    if (r.method == "GET" && r.path == "/api/v1/events") {
      nlohmann::json out = nlohmann::json::array();
      for (const ProxyEvent& e : Events()) {
        out.push_back({{"cluster", e.cluster},
                       {"backend", e.backend},
                       {"kind", e.kind},
                       {"reason", e.reason}});
      }
      if (engine_) {
        // Merged: the engine's events ({id, at, service, kind, severity, reason}), oldest first.
        const double offset = WallOffset(Now());
        std::lock_guard lock(engine_mutex_);
        const auto& events = engine_->events();
        const size_t skip = events.size() > 200 ? events.size() - 200 : 0;
        for (size_t i = skip; i < events.size(); ++i)
          out.push_back(engine::EventJson(events[i], offset));
      }
      return {200, "application/json", out.dump(2) + "\n"};
    }
    // POST /api/v1/clusters/{cluster}/backends/{backend}/{drain|enable|weight}
    const std::string prefix = "/api/v1/clusters/";
    if (r.path.starts_with(prefix)) {
      if (r.method != "POST") return {405, "text/plain; charset=utf-8", "use POST\n"};
      std::vector<std::string> parts;
      std::stringstream ss(r.path.substr(prefix.size()));
      for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
      if (parts.size() != 4 || parts[1] != "backends") {
        return {404, "text/plain; charset=utf-8",
                "expected /api/v1/clusters/C/backends/B/ACTION\n"};
      }
      double value = 0;
      std::string raw = r.body;
      if (r.query.starts_with("value=")) raw = r.query.substr(6);
      if (parts[3] == "weight") {
        try {
          if (auto j = nlohmann::json::parse(raw, nullptr, false);
              j.is_object() && j.contains("weight")) {
            value = j["weight"].get<double>();
          } else {
            value = std::stod(raw);
          }
        } catch (const std::exception&) {  // nlohmann type_error, std::stod errors
          return {400, "text/plain; charset=utf-8", "weight: give ?value=N or {\"weight\": N}\n"};
        }
      }
      core::Result<void> result = BackendAction(parts[0], parts[2], parts[3], value);
      if (!result) return {400, "text/plain; charset=utf-8", result.error().message + "\n"};
      return {200, "application/json", "{\"ok\":true}\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
  }

  ProxyConfig config_;
  asio::io_context io_;
  std::thread thread_;
  // Written by the control thread as it starts, read by any thread calling OnControl (TSan).
  std::atomic<std::thread::id> control_thread_id_;
  size_t threads_ = 1;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<ListenerStats> listener_stats_;
  std::vector<ControlCluster> clusters_;
  std::unique_ptr<common::AdminHttpServer> admin_;
  std::atomic<bool> draining_{false};
  std::FILE* log_file_ = nullptr;
  std::string log_scratch_;
  std::mutex events_mutex_;
  std::deque<ProxyEvent> events_;  // guarded by events_mutex_
  // The embedded engine (null when engine.enabled is false); touched on the control thread,
  // under engine_mutex_ (EngineApi takes it too).
  std::mutex engine_mutex_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::EngineApi> engine_api_;
  core::TimePoint next_engine_tick_{};
};

ProxyServer::ProxyServer(ProxyConfig config)
    : config_(std::move(config)), control_(std::make_unique<Control>(config_)) {}

ProxyServer::~ProxyServer() { Stop(); }

core::Result<void> ProxyServer::Start() {
  core::Result<std::vector<uint16_t>> ports = control_->Start(admin_port_);
  if (!ports) return std::unexpected(ports.error());
  listener_ports_ = *ports;
  started_ = true;
  return {};
}

core::Result<void> ProxyServer::Reload(const ProxyConfig& next) {
  core::Result<void> r = control_->Reload(next);
  if (r) config_ = next;
  return r;
}

size_t ProxyServer::Drain(core::Duration deadline) { return control_->Drain(deadline); }
void ProxyServer::Stop() { control_->StopAll(); }
std::string ProxyServer::ClustersJson() { return control_->ClustersJson(); }
std::string ProxyServer::MetricsText() { return control_->MetricsText(); }
bool ProxyServer::Ready() { return control_->Ready(); }
core::Result<void> ProxyServer::BackendAction(const std::string& cluster,
                                              const std::string& backend, const std::string& action,
                                              double value) {
  return control_->BackendAction(cluster, backend, action, value);
}
std::vector<ProxyEvent> ProxyServer::Events() { return control_->Events(); }
core::Result<void> ProxyServer::PinShedding(const std::string& cluster,
                                            std::optional<engine::ShedDecision> decision) {
  return control_->PinShedding(cluster, std::move(decision));
}
size_t ProxyServer::threads() const { return control_->threads(); }

}  // namespace huddle::proxy
