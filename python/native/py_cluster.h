#pragma once

// The Python face of huddle::Cluster. Three classes share one ClusterCore:
//   Cluster  owns the core, hands out Server objects (one per server, cached) and dispatches
//            events to Python callbacks;
//   Server   a picked server (id, host, port); keeps the core alive, so it stays valid after its
//            Cluster object is gone;
//   Request  `with cluster.server() as s:` picks on enter and records on exit.
// Locking: every call that takes the Cluster's mutex releases the GIL first, and nothing run under
// that mutex needs the GIL (the event hook only queues; the manual clock is an atomic). Events
// are handed to Python callbacks after the call that caused them, on the calling thread, outside
// the Cluster's lock, so a callback may call back into the Cluster.

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "huddle/cluster.h"
#include "manual_clock.h"

namespace huddle::python {

namespace py = pybind11;

struct ClusterCore {
  // Events the Cluster emitted and Python has not seen yet; bounded, the overflow is counted.
  static constexpr size_t kMaxPendingEvents = 4096;

  ~ClusterCore() { cluster.reset(); }  // before the event queue it writes to

  std::unique_ptr<Cluster> cluster;
  std::shared_ptr<ManualClock> clock;  // kept alive while the cluster reads it

  std::mutex events_mu;
  std::vector<ClusterEvent> pending;  // guarded by events_mu
  uint64_t dropped_events = 0;        // guarded by events_mu
  std::atomic<bool> has_pending{false};

  void Queue(const ClusterEvent& e);
  std::vector<ClusterEvent> TakeEvents();
};

// A ClusterEvent as Python sees it; `at` in seconds of the cluster's clock (time.monotonic() unless
// a ManualClock is used).
struct PyEvent {
  double at = 0.0;
  std::string server_id;
  std::string kind;
  std::string reason;
};

struct PyServer {
  std::shared_ptr<ClusterCore> core;
  PickedServer picked;
  py::str id;
  py::str host;
  py::int_ port;
};

class PyCluster {
 public:
  PyCluster(py::handle servers, const std::string& policy, py::handle policy_options,
            bool outlier_detection, py::handle outlier_options, py::handle health_check_options,
            py::handle slow_start_options, double panic_threshold_percent, double tick_interval,
            uint64_t seed, py::handle clock);

  // Returns the cached Server object for a pick (None for an empty pick). REQUIRES: GIL held.
  py::object ServerFor(const PickedServer& picked);
  // The PickedServer behind a Server of this cluster; ValueError for another cluster's server.
  const PickedServer& Own(const PyServer& server) const;
  // Hands queued events to the callbacks. REQUIRES: GIL held, Cluster lock not held.
  void Dispatch();

  py::object Pick(py::handle hash_key);
  // `failure` (a str) is only read when !ok.
  void Record(const PyServer& server, double latency_ms, bool ok, int status, py::handle failure);
  void Tick();
  void AddServer(py::handle spec);
  void RemoveServer(const std::string& id);
  void Drain(const std::string& id);
  void Enable(const std::string& id);
  void SetWeight(const std::string& id, double weight);
  bool ReportHealthCheck(const std::string& id, bool ok, double latency_ms);
  bool ReportMetrics(const std::string& id, double cpu, double memory, double connections);
  py::object HealthReport();
  std::string PrometheusMetrics();
  py::object OnEvent(py::object callback);
  uint64_t DroppedEvents();
  double tick_interval() const { return tick_interval_; }

  std::shared_ptr<ClusterCore> core;

 private:
  std::vector<py::object> servers_;  // index -> Server, filled on first pick; GIL-protected
  py::list callbacks_;
  double tick_interval_ = 0.1;
};

struct PyRequest {
  py::object cluster;  // the PyCluster, for event dispatch
  std::optional<uint64_t> hash_key;
  py::object server = py::none();
  std::optional<Cluster::Request> request;
  bool entered = false;
};

void BindCluster(py::module_& m);

}  // namespace huddle::python
