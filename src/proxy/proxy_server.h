#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "engine/engine.h"
#include "proxy/config.h"

namespace huddle::proxy {

// A decision or state change worth telling an operator (ejections, health, reloads).
struct ProxyEvent {
  std::string cluster;
  std::string backend;
  std::string kind;
  std::string reason;
};

// The whole data plane of `huddle proxy`: N workers (SO_REUSEPORT listeners, sessions, pools,
// one policy instance each) and one control thread (tick, health checks, the cluster brains,
// table publication, admin listener, access-log writer).
//
// Thread safety: Start, Reload, Drain and Stop from one owning thread; the introspection calls
// (ClustersJson, MetricsText, ...) from any thread.
class ProxyServer {
 public:
  explicit ProxyServer(ProxyConfig config);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  core::Result<void> Start();
  // Ports actually bound (useful with port 0), in config order.
  uint16_t listener_port(size_t i) const { return listener_ports_.at(i); }
  uint16_t admin_port() const { return admin_port_; }

  // Applies a new config without dropping connections: backends are matched by name (an
  // unchanged backend keeps its statistics and state); policies, weights, timeouts, retries,
  // listener limits and the admin token change in place. A change to any key that needs a
  // restart (KeysNeedingRestart, config_reload.h) refuses the whole reload with an error naming
  // the keys; the old config stays.
  core::Result<void> Reload(const ProxyConfig& next);

  // Stops accepting, lets in-flight requests finish for up to `deadline`, then stops.
  // Returns the number of client connections still open when it gave up (0: clean).
  size_t Drain(core::Duration deadline);
  void Stop();

  // Admin API payloads (also served on the admin listener).
  std::string ClustersJson();
  std::string MetricsText();
  bool Ready();
  // Admin actions: "drain", "enable", "weight" (value used by weight).
  core::Result<void> BackendAction(const std::string& cluster, const std::string& backend,
                                   const std::string& action, double value);
  // Overrides the embedded engine's shedding decision for a cluster (nullopt: back to the
  // engine's); applied at once and kept across engine ticks. An error when the engine is off.
  core::Result<void> PinShedding(const std::string& cluster,
                                 std::optional<engine::ShedDecision> decision);
  // Events so far (bounded, oldest dropped).
  std::vector<ProxyEvent> Events();
  size_t threads() const;

 private:
  class Control;
  ProxyConfig config_;
  std::unique_ptr<Control> control_;
  std::vector<uint16_t> listener_ports_;
  uint16_t admin_port_ = 0;
  bool started_ = false;
};

}  // namespace huddle::proxy
