// The `huddle._huddle` extension: pybind11 bindings of include/huddle/cluster.h. Docstrings here
// are what help() shows; python/huddle/__init__.pyi carries the same contract as types.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "arguments.h"
#include "manual_clock.h"
#include "py_cluster.h"

namespace py = pybind11;
using huddle::python::ManualClock;
using huddle::python::PyCluster;
using huddle::python::PyEvent;
using huddle::python::PyRequest;
using huddle::python::PyServer;

namespace {

std::chrono::nanoseconds Seconds(double s, const char* what) {
  if (!std::isfinite(s) || std::fabs(s) > 1e9) {
    throw py::value_error(std::string(what) + " must be a finite number of seconds");
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(s * 1e9)));
}

py::object EnterRequest(PyRequest& r) {
  if (r.entered)
    throw py::value_error("this request was already entered; call cluster.server() again");
  r.entered = true;
  PyCluster& cluster = r.cluster.cast<PyCluster&>();
  // Initialised from the lambda's result (a Request can be moved but not assigned).
  std::optional<huddle::Cluster::Request> begun = [&] {
    py::gil_scoped_release unlocked;
    return cluster.core->cluster->Begin(r.hash_key);
  }();
  if (begun) {
    r.server = cluster.ServerFor(begun->server());
    r.request.emplace(std::move(*begun));
  }
  cluster.Dispatch();
  return r.server;
}

bool ExitRequest(PyRequest& r, py::handle exc_type) {
  if (!r.request) return false;
  if (!exc_type.is_none()) r.request->Fail(huddle::python::FailureFromException(exc_type));
  {
    py::gil_scoped_release unlocked;
    r.request.reset();  // records the latency (or the failure) under the Cluster's lock
  }
  r.cluster.cast<PyCluster&>().Dispatch();
  return false;  // never swallows the exception
}

}  // namespace

PYBIND11_MODULE(_huddle, m) {
  m.doc() = "huddle's embeddable load balancer (include/huddle/cluster.h) for Python.";

  m.def("policies", &huddle::Cluster::PolicyNames,
        "Every routing policy name Cluster(policy=...) accepts.");
  m.attr("MAX_LATENCY_MS") = huddle::python::kMaxLatencyMs;

  py::class_<ManualClock, std::shared_ptr<ManualClock>>(
      m, "ManualClock",
      "A clock that moves only when told; pass it as Cluster(clock=...) to drive time in tests.")
      .def(py::init(
               [](double start) { return std::make_shared<ManualClock>(Seconds(start, "start")); }),
           py::arg("start") = 0.0)
      .def_property_readonly("now", &ManualClock::Seconds, "Current time in seconds.")
      .def(
          "advance", [](ManualClock& c, double s) { c.Advance(Seconds(s, "seconds")); },
          py::arg("seconds"), "Moves the clock forward (or back, if negative) by `seconds`.")
      .def(
          "set", [](ManualClock& c, double s) { c.Set(Seconds(s, "seconds")); }, py::arg("seconds"),
          "Sets the clock to `seconds`.");

  py::class_<PyEvent>(m, "Event", "Something the cluster decided by itself.")
      .def_readonly("at", &PyEvent::at, "When, in seconds of the cluster's clock.")
      .def_readonly("server_id", &PyEvent::server_id, "The server, or '' for cluster-wide events.")
      .def_readonly("kind", &PyEvent::kind,
                    "evict, promote, join, leave, eject, uneject, healthy, unhealthy or panic.")
      .def_readonly("reason", &PyEvent::reason, "One plain-English line.")
      .def("__repr__", [](const PyEvent& e) {
        return "Event(kind=" + std::string(py::repr(py::str(e.kind))) +
               ", server_id=" + std::string(py::repr(py::str(e.server_id))) +
               ", reason=" + std::string(py::repr(py::str(e.reason))) + ")";
      });

  py::class_<PyServer>(m, "Server",
                       "A server picked by Cluster.pick(); one object per server, reused.")
      .def_property_readonly(
          "id", [](const PyServer& s) { return s.id; }, "The server's unique id.")
      .def_property_readonly(
          "host", [](const PyServer& s) { return s.host; }, "Host name or address.")
      .def_property_readonly(
          "port", [](const PyServer& s) { return s.port; }, "TCP port.")
      .def("__repr__", [](const PyServer& s) {
        return "Server(id=" + std::string(py::repr(s.id)) +
               ", host=" + std::string(py::repr(s.host)) +
               ", port=" + std::string(py::repr(s.port)) + ")";
      });

  py::class_<PyRequest>(m, "Request",
                        "A request in flight: `with cluster.server() as s:` picks on enter and "
                        "records the latency on exit (a failure when the block raised).")
      .def("__enter__", &EnterRequest)
      .def("__exit__", [](PyRequest& r, py::handle type, py::handle,
                          py::handle) { return ExitRequest(r, type); })
      .def_property_readonly(
          "server", [](const PyRequest& r) { return r.server; },
          "The picked Server, or None (before enter, or when no server could take traffic).")
      .def(
          "set_status",
          [](PyRequest& r, int status) {
            if (status < 0 || status > 999) throw py::value_error("status must be in [0, 999]");
            if (r.request) r.request->SetStatus(status);
          },
          py::arg("status"), "The HTTP status to record on exit (5xx counts as a failure).")
      .def(
          "fail",
          [](PyRequest& r, const std::string& failure) {
            const huddle::Failure kind = huddle::python::FailureFrom(failure);
            if (r.request) r.request->Fail(kind);
          },
          py::arg("failure") = "other", "Records the request as failed on exit.");

  py::class_<PyCluster>(m, "Cluster",
                        "huddle's load balancer for one set of servers. Thread-safe; every call "
                        "that takes the cluster's lock releases the GIL.")
      .def(py::init<py::handle, const std::string&, py::handle, bool, py::handle, py::handle,
                    py::handle, double, double, uint64_t, py::handle>(),
           py::arg("servers") = py::list(), py::kw_only(), py::arg("policy") = "",
           py::arg("policy_options") = py::none(), py::arg("outlier_detection") = true,
           py::arg("outlier_options") = py::none(), py::arg("health_check_options") = py::none(),
           py::arg("slow_start_options") = py::none(), py::arg("panic_threshold_percent") = 50.0,
           py::arg("tick_interval") = 0.1, py::arg("seed") = 0, py::arg("clock") = py::none())
      .def("pick", &PyCluster::Pick, py::arg("hash_key") = py::none(),
           "Chooses a server and counts it in flight until record(); None when no server can "
           "take traffic. hash_key (int, str or bytes) is the affinity key for consistent_hash.")
      .def("record", &PyCluster::Record, py::arg("server"), py::arg("latency_ms"),
           py::arg("ok") = true, py::kw_only(), py::arg("status") = 200,
           py::arg("failure") = "other",
           "Ends a picked request: its latency in milliseconds, whether it succeeded, its HTTP "
           "status, and for a failure its kind (connect_refused, connect_timeout, reset, "
           "timeout, other).")
      .def(
          "server",
          [](py::object self, py::handle hash_key) {
            PyRequest r;
            r.cluster = std::move(self);
            r.hash_key = huddle::python::HashKeyFrom(hash_key);
            return r;
          },
          py::arg("hash_key") = py::none(),
          "A Request for `with`/`async with`: the server on enter (None if there is none), the "
          "latency recorded on exit.")
      .def("tick", &PyCluster::Tick,
           "Runs rotation, outlier sweeps and decay once (start() does it every tick_interval).")
      .def("add_server", &PyCluster::AddServer, py::arg("server"),
           "Adds (id, host, port[, weight]) or a dict with those keys.")
      .def("remove_server", &PyCluster::RemoveServer, py::arg("id"))
      .def("drain", &PyCluster::Drain, py::arg("id"), "No new requests go to this server.")
      .def("enable", &PyCluster::Enable, py::arg("id"), "Undoes drain().")
      .def("set_weight", &PyCluster::SetWeight, py::arg("id"), py::arg("weight"))
      .def("report_health_check", &PyCluster::ReportHealthCheck, py::arg("id"), py::arg("ok"),
           py::arg("latency_ms") = 0.0,
           "An active health-check result; False when the id is unknown.")
      .def("report_metrics", &PyCluster::ReportMetrics, py::arg("id"), py::arg("cpu"),
           py::arg("memory"), py::arg("connections"),
           "Load metrics (cpu and memory utilisation in [0, 1], open connections); False when "
           "the id is unknown.")
      .def("health_report", &PyCluster::HealthReport,
           "The state of every server and of the cluster, as a dict.")
      .def("prometheus_metrics", &PyCluster::PrometheusMetrics,
           "Prometheus text exposition of the cluster's gauges and counters.")
      .def("on_event", &PyCluster::OnEvent, py::arg("callback"),
           "Calls callback(Event) for every rotation, ejection, health flip or panic, after the "
           "call that caused it, outside the cluster's lock. Returns the callback (a decorator).")
      .def_property_readonly("dropped_events", &PyCluster::DroppedEvents,
                             "Events lost because more than 4096 were waiting for delivery.")
      .def_property_readonly("tick_interval", &PyCluster::tick_interval,
                             "Seconds between ticks when started.");
}
