#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/control/retry_budget.h"
#include "core/policy/policy.h"
#include "core/random.h"
#include "proxy/access_log.h"
#include "proxy/asio_types.h"
#include "proxy/cluster_view.h"
#include "proxy/config.h"
#include "proxy/listener_stats.h"
#include "proxy/upstream_conn.h"

namespace huddle::proxy {

class ClientSession;

// A worker's private state for one cluster: its policy instance, the newest view and table, its
// idle upstream connections and its retry budget. Touched only by the worker's thread.
struct WorkerCluster {
  std::shared_ptr<const ClusterView> view;
  std::shared_ptr<const core::RoutingTable> table;
  std::unique_ptr<core::Policy> policy;
  std::string policy_key;  // policy name and options the instance was built from
  std::vector<std::vector<std::unique_ptr<UpstreamConn>>> idle;  // by backend index
  core::RetryBudget retry_budget;  // this worker's share of the cluster's (Envoy's) retry budget
};

// A policy's own gauges (temperature, ring membership, ...), as last published by worker 0.
struct PolicyGauges {
  std::vector<std::pair<std::string, double>> cluster;
  std::vector<std::vector<std::pair<std::string, double>>> backends;  // by backend index
};

// A listener's socket in one worker.
struct WorkerListener {
  ListenerConfig config;
  size_t cluster = 0;
  ListenerStats* stats = nullptr;
  std::unique_ptr<Acceptor> acceptor;
  size_t connections = 0;
};

// One data-plane thread: its own io_context, SO_REUSEPORT listeners, client sessions, upstream
// pools and policy instances; nothing on the request path is shared with other workers.
// Contract: Bind() and the setters before Start() on the owning thread; afterwards other threads
// talk to it only through Post() and the outcome inbox (DrainOutcomes).
class Worker {
 public:
  Worker(size_t id, size_t cluster_count, const ProxyConfig& config);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Opens this worker's socket for a listener (SO_REUSEPORT); a port of 0 in `config` is
  // resolved by the first worker and must be passed resolved to the others.
  core::Result<uint16_t> Bind(const ListenerConfig& config, size_t cluster, ListenerStats& stats);

  void Start();
  // Stops accepting; idle keep-alive connections are closed, in-flight requests finish.
  void BeginDrain();
  size_t ActiveSessions() const { return active_sessions_.load(); }
  void Stop();  // stops the loop (remaining sessions are dropped) and joins

  void Post(std::function<void()> fn);
  // Worker thread only (from Post): install a new cluster view or table; policies are rebuilt
  // when the cluster's policy or options changed.
  void SetClusterView(std::shared_ptr<const ClusterView> view);
  void SetTable(size_t cluster, std::shared_ptr<const core::RoutingTable> table);
  // Worker thread only (from Post): a reload's limits and timeouts for listener `index` (in
  // Bind order); its name, address, cluster and backlog stay. Sessions read them per request.
  void SetListenerLimits(size_t index, const ListenerConfig& config);
  void ObserveProbe(size_t cluster, core::BackendIndex b, const core::Outcome& o,
                    core::TimePoint now);
  // For the admin API: asks each policy for its per-backend gauges (worker thread only).
  core::Policy* policy(size_t cluster) { return clusters_[cluster].policy.get(); }

  // Any thread: worker 0's policy gauges of a cluster, refreshed every tick.
  PolicyGauges Gauges(size_t cluster) const;

  // Control thread: takes the outcomes recorded since the last call.
  void DrainOutcomes(std::vector<OutcomeRecord>& out);
  uint64_t dropped_outcomes() const { return dropped_outcomes_.load(std::memory_order_relaxed); }
  AccessLogBuffer& access_log() { return access_log_; }

  // Session interface (worker thread).
  size_t id() const { return id_; }
  Executor executor() { return io_->get_executor(); }
  WorkerCluster& cluster(size_t i) { return clusters_[i]; }
  core::Random& rng() { return rng_; }
  const ProxyConfig& config() const { return config_; }
  bool draining() const { return draining_; }
  void Register(ClientSession* s);
  void Unregister(ClientSession* s);
  void Record(uint32_t cluster, core::BackendIndex b, const core::Outcome& o, core::TimePoint now);
  std::unique_ptr<UpstreamConn> TakeIdle(WorkerCluster& c, core::BackendIndex b);
  void ReturnIdle(WorkerCluster& c, std::unique_ptr<UpstreamConn> conn, core::TimePoint now);
  uint64_t NextRequestId() { return ++request_counter_; }
  bool access_log_enabled() const { return !config_.access_log.path.empty(); }

 private:
  Task<void> AcceptLoop(WorkerListener& l);
  Task<void> Sweep();
  void SweepOnce(core::TimePoint now);
  void FlushOutcomes();
  void PublishGauges();

  const size_t id_;
  const ProxyConfig config_;
  std::unique_ptr<asio::io_context> io_;
  std::thread thread_;
  core::Xoshiro256 rng_;
  std::vector<WorkerCluster> clusters_;
  std::vector<std::unique_ptr<WorkerListener>> listeners_;
  std::vector<ClientSession*> sessions_;
  std::atomic<size_t> active_sessions_{0};
  bool draining_ = false;
  core::Duration sweep_interval_;
  core::TimePoint last_tick_{};
  uint64_t request_counter_ = 0;

  std::vector<OutcomeRecord> local_outcomes_;
  std::mutex inbox_mutex_;
  std::vector<OutcomeRecord> inbox_;  // guarded by inbox_mutex_
  std::atomic<uint64_t> dropped_outcomes_{0};
  AccessLogBuffer access_log_;
  mutable std::mutex gauges_mutex_;
  std::vector<PolicyGauges> gauges_;  // guarded by gauges_mutex_
};

}  // namespace huddle::proxy
