#include "py_cluster.h"

#include <cmath>
#include <limits>
#include <utility>

#include "arguments.h"

namespace huddle::python {
namespace {

// Runs `fn` on the Cluster with the GIL released and returns its std::expected, raising
// ValueError with the C++ message when it failed.
template <typename Fn>
void CallOrRaise(Fn fn) {
  std::expected<void, std::string> r;
  {
    py::gil_scoped_release unlocked;
    r = fn();
  }
  if (!r) throw py::value_error(r.error());
}

double SteadySeconds(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

void ClusterCore::Queue(const ClusterEvent& e) {
  std::lock_guard lock(events_mu);
  if (pending.size() >= kMaxPendingEvents) {
    ++dropped_events;
    return;
  }
  pending.push_back(e);
  has_pending.store(true, std::memory_order_release);
}

std::vector<ClusterEvent> ClusterCore::TakeEvents() {
  std::lock_guard lock(events_mu);
  has_pending.store(false, std::memory_order_relaxed);
  return std::exchange(pending, {});
}

PyCluster::PyCluster(py::handle servers, const std::string& policy, py::handle policy_options,
                     bool outlier_detection, py::handle outlier_options,
                     py::handle health_check_options, py::handle slow_start_options,
                     double panic_threshold_percent, double tick_interval, uint64_t seed,
                     py::handle clock)
    : core(std::make_shared<ClusterCore>()) {
  ClusterOptions options;
  options.policy = policy;
  options.policy_options = OptionMapFrom(policy_options, "policy_options");
  options.outlier_detection = outlier_detection;
  options.outlier_options = OptionMapFrom(outlier_options, "outlier_options");
  options.health_check_options = OptionMapFrom(health_check_options, "health_check_options");
  options.slow_start_options = OptionMapFrom(slow_start_options, "slow_start_options");
  options.panic_threshold_percent = panic_threshold_percent;
  if (!std::isfinite(tick_interval) || tick_interval < 0.001 || tick_interval > 3600.0) {
    throw py::value_error("tick_interval must be in [0.001, 3600] seconds");
  }
  tick_interval_ = tick_interval;
  options.tick_interval =
      std::chrono::milliseconds(static_cast<int64_t>(std::llround(tick_interval * 1000.0)));
  options.seed = seed;
  if (!clock.is_none()) {
    if (!py::isinstance<ManualClock>(clock)) {
      throw py::type_error("clock must be a huddle.ManualClock or None");
    }
    core->clock = clock.cast<std::shared_ptr<ManualClock>>();
    options.clock = [c = core->clock.get()] { return c->Now(); };
  }
  std::vector<ServerSpec> specs = SpecsFrom(servers);
  std::expected<std::unique_ptr<Cluster>, std::string> created;
  {
    py::gil_scoped_release unlocked;
    created = Cluster::Create(specs, std::move(options));
  }
  if (!created) throw py::value_error(created.error());
  core->cluster = std::move(*created);
}

py::object PyCluster::ServerFor(const PickedServer& picked) {
  if (!picked) return py::none();
  const uint32_t i = picked.index();
  if (i >= servers_.size()) servers_.resize(i + 1);
  py::object& slot = servers_[i];
  if (!slot) {
    PyServer s{core, picked, py::str(picked.id()), py::str(picked.host()), py::int_(picked.port())};
    slot = py::cast(std::move(s));
  }
  return slot;
}

const PickedServer& PyCluster::Own(const PyServer& server) const {
  if (server.core.get() != core.get()) {
    throw py::value_error("server '" + std::string(server.id) + "' belongs to another Cluster");
  }
  return server.picked;
}

void PyCluster::Dispatch() {
  if (!core->has_pending.load(std::memory_order_acquire)) return;
  std::vector<ClusterEvent> events;
  {
    py::gil_scoped_release unlocked;
    events = core->TakeEvents();
  }
  if (callbacks_.empty()) return;
  for (const ClusterEvent& e : events) {
    py::object obj = py::cast(PyEvent{SteadySeconds(e.at), e.server_id, e.kind, e.reason});
    // A copy: a callback may add or remove callbacks.
    py::list callbacks(callbacks_);
    for (py::handle cb : callbacks) {
      try {
        cb(obj);
      } catch (py::error_already_set& err) {
        // Like an exception in a thread: reported through sys.unraisablehook, never raised into
        // the unrelated call that happened to deliver the event.
        err.discard_as_unraisable("huddle.Cluster event callback");
      }
    }
  }
}

py::object PyCluster::Pick(py::handle hash_key) {
  const std::optional<uint64_t> key = HashKeyFrom(hash_key);
  PickedServer picked;
  {
    py::gil_scoped_release unlocked;
    picked = core->cluster->Pick(key);
  }
  Dispatch();
  return ServerFor(picked);
}

void PyCluster::Record(const PyServer& server, double latency_ms, bool ok, int status,
                       py::handle failure) {
  const PickedServer& picked = Own(server);
  const std::chrono::nanoseconds latency = LatencyFromMs(latency_ms, "latency_ms");
  if (status < 0 || status > 999) {
    throw py::value_error("status must be an HTTP status in [0, 999], got " +
                          std::to_string(status));
  }
  if (ok) {
    py::gil_scoped_release unlocked;
    core->cluster->RecordLatency(picked, latency, status);
  } else {
    if (!py::isinstance<py::str>(failure)) throw py::type_error("failure must be a str");
    const Failure kind = FailureFrom(failure.cast<std::string>());
    py::gil_scoped_release unlocked;
    core->cluster->RecordFailure(picked, latency, kind);
  }
  Dispatch();
}

void PyCluster::Tick() {
  {
    py::gil_scoped_release unlocked;
    core->cluster->Tick();
  }
  Dispatch();
}

void PyCluster::AddServer(py::handle spec) {
  const ServerSpec s = SpecFrom(spec);
  CallOrRaise([&] { return core->cluster->AddServer(s); });
  Dispatch();
}

void PyCluster::RemoveServer(const std::string& id) {
  CallOrRaise([&] { return core->cluster->RemoveServer(id); });
  Dispatch();
}

void PyCluster::Drain(const std::string& id) {
  CallOrRaise([&] { return core->cluster->Drain(id); });
  Dispatch();
}

void PyCluster::Enable(const std::string& id) {
  CallOrRaise([&] { return core->cluster->Enable(id); });
  Dispatch();
}

void PyCluster::SetWeight(const std::string& id, double weight) {
  CallOrRaise([&] { return core->cluster->SetWeight(id, weight); });
  Dispatch();
}

bool PyCluster::ReportHealthCheck(const std::string& id, bool ok, double latency_ms) {
  const std::chrono::nanoseconds latency = LatencyFromMs(latency_ms, "latency_ms");
  bool known = false;
  {
    py::gil_scoped_release unlocked;
    known = core->cluster->ReportHealthCheck(id, ok, latency);
  }
  Dispatch();
  return known;
}

bool PyCluster::ReportMetrics(const std::string& id, double cpu, double memory,
                              double connections) {
  auto unit = [](double v, const char* what) {
    if (!(v >= 0.0 && v <= 1.0)) {
      throw py::value_error(std::string(what) + " must be a utilisation in [0, 1]");
    }
  };
  unit(cpu, "cpu");
  unit(memory, "memory");
  if (!(connections >= 0.0) || !std::isfinite(connections)) {
    throw py::value_error("connections must be a finite number >= 0");
  }
  bool known = false;
  {
    py::gil_scoped_release unlocked;
    known = core->cluster->ReportMetrics(id, cpu, memory, connections);
  }
  Dispatch();
  return known;
}

py::object PyCluster::HealthReport() {
  std::string json;
  {
    py::gil_scoped_release unlocked;
    json = core->cluster->HealthReport();
  }
  Dispatch();
  return py::module_::import("json").attr("loads")(json);
}

std::string PyCluster::PrometheusMetrics() {
  std::string text;
  {
    py::gil_scoped_release unlocked;
    text = core->cluster->PrometheusMetrics();
  }
  Dispatch();
  return text;
}

py::object PyCluster::OnEvent(py::object callback) {
  if (!PyCallable_Check(callback.ptr())) throw py::type_error("on_event needs a callable");
  if (callbacks_.empty()) {
    ClusterCore* c = core.get();
    py::gil_scoped_release unlocked;
    core->cluster->OnEvent([c](const ClusterEvent& e) { c->Queue(e); });
  }
  callbacks_.append(callback);
  return callback;
}

uint64_t PyCluster::DroppedEvents() {
  py::gil_scoped_release unlocked;
  std::lock_guard lock(core->events_mu);
  return core->dropped_events;
}

}  // namespace huddle::python
