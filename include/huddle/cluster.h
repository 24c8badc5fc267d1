#pragma once

// The embeddable huddle load balancer: what a HuddleCluster user knows, in C++.
//
//   auto cluster = huddle::Cluster::Create({{"s1", "10.0.0.1", 8080}, {"s2", "10.0.0.2", 8080}});
//   if (!cluster) { std::cerr << cluster.error(); return 1; }
//   {
//     auto request = (*cluster)->Begin();          // picks a server, records when it ends
//     if (request) call(request->server().host, request->server().port);
//   }
//   std::cout << (*cluster)->HealthReport();
//
// Thread safety: every member function of Cluster may be called from any thread at once (one
// internal mutex; Pick and the Record calls take it briefly and never allocate). Picked servers
// stay valid for the life of the Cluster, even after RemoveServer.
// Errors: invalid options or unknown names come back as std::unexpected(message); nothing throws
// across this API except std::bad_alloc.
// Time: the Cluster reads std::chrono::steady_clock unless ClusterOptions::clock is set.

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace huddle {

// One upstream server. `id` must be unique in its cluster; `weight` > 0 (a weight-2 server gets
// twice the traffic under weighted policies and needs twice the heat to be rotated out).
struct ServerSpec {
  std::string id;
  std::string host;
  uint16_t port = 0;
  double weight = 1.0;
};

struct ClusterOptions {
  // Routing policy and its options (see docs/policies.md): round_robin, weighted_round_robin,
  // random, least_request, peak_ewma, metrics_weighted, thermal, consistent_hash. Empty means
  // huddle's default, chosen from the simulator's results: peak_ewma with choice_count 4 (the
  // given policy_options are applied on top).
  std::string policy;
  std::map<std::string, std::string> policy_options;
  // Envoy-style outlier detection (docs/health.md); option names as Envoy's.
  bool outlier_detection = true;
  std::map<std::string, std::string> outlier_options;
  // Active health-check thresholds (rise, fall) for ReportHealthCheck results.
  std::map<std::string, std::string> health_check_options;
  // Slow start (window, aggression, min_weight_percent); off by default.
  std::map<std::string, std::string> slow_start_options;
  // Below this percentage of usable servers, balance over all of them. 0 disables.
  double panic_threshold_percent = 50.0;
  // Tick: rotation, outlier sweeps, decay. Driven by the caller (Tick()) unless background_tick.
  std::chrono::milliseconds tick_interval{100};
  bool background_tick = false;
  // Seed of the cluster's random source; 0 picks one from std::random_device.
  uint64_t seed = 0;
  // Time source; steady_clock::now when empty. Tests and simulations pass a manual clock.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// A server chosen by Pick. Cheap to copy; valid while its Cluster lives.
class PickedServer {
 public:
  PickedServer() = default;
  const std::string& id() const { return spec_->id; }
  const std::string& host() const { return spec_->host; }
  uint16_t port() const { return spec_->port; }
  // A small integer naming the server within its Cluster, stable for the Cluster's life and never
  // reused (a server added again after RemoveServer gets a new one). Bindings key caches by it.
  uint32_t index() const { return index_; }
  explicit operator bool() const { return spec_ != nullptr; }

 private:
  friend class Cluster;
  PickedServer(uint32_t index, const ServerSpec* spec) : index_(index), spec_(spec) {}
  uint32_t index_ = 0;
  const ServerSpec* spec_ = nullptr;
};

// How a request to a server failed, when it did not produce an HTTP status.
enum class Failure { kConnectRefused, kConnectTimeout, kReset, kTimeout, kOther };

// Something the cluster decided by itself: a rotation, an ejection, a health flip, panic mode.
struct ClusterEvent {
  std::chrono::steady_clock::time_point at;
  std::string server_id;  // empty for cluster-wide events
  std::string kind;       // "evict", "promote", "eject", "uneject", "healthy", "unhealthy", "panic"
  std::string reason;     // one plain-English line
};

class Cluster {
 public:
  class Request;

  static std::expected<std::unique_ptr<Cluster>, std::string> Create(
      const std::vector<ServerSpec>& servers, ClusterOptions options = {});
  // Every name ClusterOptions::policy accepts, in a stable order.
  static std::vector<std::string> PolicyNames();
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Chooses a server and counts the request as in flight until it is recorded. Empty when no
  // server can take traffic. `hash_key` is the affinity key for consistent_hash.
  PickedServer Pick(std::optional<uint64_t> hash_key = std::nullopt);
  // Ends a picked request. Every Pick must be followed by exactly one Record call.
  void RecordLatency(const PickedServer& server, std::chrono::nanoseconds latency,
                     int status = 200);
  void RecordFailure(const PickedServer& server, std::chrono::nanoseconds latency, Failure failure);
  // A scoped request: picks now, records on destruction (latency since Begin; a failure if
  // Fail() was called, the status set by SetStatus otherwise). Empty when Pick found nothing.
  std::optional<Request> Begin(std::optional<uint64_t> hash_key = std::nullopt);

  // Evidence that is not a user request: an active health check, and load metrics
  // (cpu and memory utilisation in [0, 1], open connections). Unknown ids are ignored (false).
  bool ReportHealthCheck(const std::string& id, bool ok, std::chrono::nanoseconds latency);
  bool ReportMetrics(const std::string& id, double cpu, double memory, double connections);

  std::expected<void, std::string> AddServer(const ServerSpec& server);
  std::expected<void, std::string> RemoveServer(const std::string& id);
  std::expected<void, std::string> Drain(const std::string& id);   // no new requests
  std::expected<void, std::string> Enable(const std::string& id);  // undo Drain
  std::expected<void, std::string> SetWeight(const std::string& id, double weight);

  // Runs rotation, outlier sweeps and decay once. Call every tick_interval unless
  // background_tick is on.
  void Tick();

  // The state of every server and of the cluster, as one JSON object.
  std::string HealthReport() const;
  // Prometheus text exposition (huddle_server_*, huddle_cluster_* gauges and counters).
  std::string PrometheusMetrics() const;

  // Receives every ClusterEvent, synchronously, with the cluster's lock held: the callback must
  // be quick and must not call back into the Cluster.
  void OnEvent(std::function<void(const ClusterEvent&)> callback);

 private:
  struct State;
  explicit Cluster(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A request in flight (see Cluster::Begin). Movable, not copyable.
class Cluster::Request {
 public:
  Request(Request&& other) noexcept;
  Request& operator=(Request&&) = delete;
  Request(const Request&) = delete;
  ~Request();

  const PickedServer& server() const { return server_; }
  void SetStatus(int status) { status_ = status; }
  void Fail(Failure failure = Failure::kOther) { failure_ = failure; }

 private:
  friend class Cluster;
  Request(Cluster* cluster, PickedServer server, std::chrono::steady_clock::time_point start)
      : cluster_(cluster), server_(server), start_(start) {}
  Cluster* cluster_ = nullptr;
  PickedServer server_;
  std::chrono::steady_clock::time_point start_;
  int status_ = 200;
  std::optional<Failure> failure_;
};

}  // namespace huddle
