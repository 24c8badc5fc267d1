#include "proxy/config_reload.h"

#include <sstream>

namespace huddle::proxy {
namespace {

std::string Text(const std::string& s) { return "'" + s + "'"; }
std::string Text(const common::HostPort& a) { return a.ToString(); }
std::string Text(bool b) { return b ? "true" : "false"; }
std::string Text(Duration d) { return std::to_string(core::ToMillis(d)) + "ms"; }
template <typename T>
std::string Text(const T& v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

bool Same(const common::HostPort& a, const common::HostPort& b) {
  return a.ToString() == b.ToString();
}
template <typename T>
bool Same(const T& a, const T& b) {
  return a == b;
}

class Differences {
 public:
  template <typename T>
  void Compare(const std::string& key, const T& running, const T& next) {
    if (!Same(running, next)) keys_.push_back(key + ": " + Text(running) + " -> " + Text(next));
  }
  void Add(std::string what) { keys_.push_back(std::move(what)); }
  std::vector<std::string> Take() { return std::move(keys_); }

 private:
  std::vector<std::string> keys_;
};

}  // namespace

std::vector<std::string> KeysNeedingRestart(const ProxyConfig& running, const ProxyConfig& next) {
  Differences d;
  d.Compare("threads", running.threads, next.threads);
  d.Compare("tick", running.tick, next.tick);
  d.Compare("request_id_header", running.request_id_header, next.request_id_header);
  d.Compare("admin.enabled", running.admin.enabled, next.admin.enabled);
  d.Compare("admin.address", running.admin.address, next.admin.address);
  d.Compare("engine.enabled", running.engine.enabled, next.engine.enabled);
  d.Compare("engine.shedding", running.engine.shedding, next.engine.shedding);
  // The engine's and the gradient controller's tuning structs have no equality; their sections
  // are compared as the loader normalised them (see ProxyConfig::*_source).
  if (running.engine.source != next.engine.source) d.Add("engine: its keys changed");
  d.Compare("adaptive_concurrency.enabled", running.adaptive_concurrency.enabled,
            next.adaptive_concurrency.enabled);
  if (running.adaptive_concurrency.source != next.adaptive_concurrency.source) {
    d.Add("adaptive_concurrency: its keys changed");
  }
  d.Compare("access_log.path", running.access_log.path, next.access_log.path);
  d.Compare("access_log.buffer_bytes", running.access_log.buffer_bytes,
            next.access_log.buffer_bytes);

  if (running.listeners.size() != next.listeners.size()) {
    d.Add("listeners: " + std::to_string(running.listeners.size()) + " -> " +
          std::to_string(next.listeners.size()) + " (added or removed)");
  } else {
    for (size_t i = 0; i < next.listeners.size(); ++i) {
      const ListenerConfig& a = running.listeners[i];
      const ListenerConfig& b = next.listeners[i];
      const std::string at = "listeners[" + a.name + "].";
      d.Compare(at + "name", a.name, b.name);
      d.Compare(at + "address", a.address, b.address);
      d.Compare(at + "cluster", a.cluster, b.cluster);
      d.Compare(at + "backlog", a.backlog, b.backlog);
    }
  }
  if (running.clusters.size() != next.clusters.size()) {
    d.Add("clusters: " + std::to_string(running.clusters.size()) + " -> " +
          std::to_string(next.clusters.size()) + " (added or removed)");
  } else {
    for (size_t i = 0; i < next.clusters.size(); ++i) {
      const ClusterConfig& a = running.clusters[i];
      const ClusterConfig& b = next.clusters[i];
      const std::string at = "clusters[" + a.name + "].";
      d.Compare(at + "name", a.name, b.name);
      d.Compare(at + "health_check.rise", a.health_check.rise, b.health_check.rise);
      d.Compare(at + "health_check.fall", a.health_check.fall, b.health_check.fall);
      d.Compare(at + "outlier_detection", a.outlier_detection, b.outlier_detection);
      if (a.outlier_options != b.outlier_options) d.Add(at + "outlier_detection: options changed");
      if (a.slow_start_options != b.slow_start_options) d.Add(at + "slow_start: options changed");
      d.Compare(at + "panic_threshold_percent", a.panic_threshold_percent,
                b.panic_threshold_percent);
    }
  }
  return d.Take();
}

}  // namespace huddle::proxy
