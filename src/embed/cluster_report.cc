#include "embed/cluster_report.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/prometheus_text.h"

namespace huddle {
namespace {

// Collects gauges into an ordered map (name -> value), skipping NaN.
class MapSink final : public core::StatSink {
 public:
  void Gauge(std::string_view name, double value) override {
    if (!std::isnan(value)) values_[std::string(name)] = value;
  }
  const std::map<std::string, double>& values() const { return values_; }

 private:
  std::map<std::string, double> values_;
};

}  // namespace

std::string RenderHealthJson(const ReportInput& in) {
  nlohmann::json report;
  report["policy"] = in.policy_name;
  report["panic"] = in.brain.InPanic();
  report["table_version"] = in.brain.table()->version;
  MapSink cluster;
  in.policy.ReportCluster(cluster);
  report["cluster"] = nlohmann::json::object();
  for (const auto& [k, v] : cluster.values()) report["cluster"][k] = v;
  report["servers"] = nlohmann::json::array();
  for (core::BackendIndex b : in.brain.Backends()) {
    const core::BackendStatus st = in.brain.Status(b);
    const ServerSpec& spec = in.specs[b];
    const ServerCounters& c = in.counters[b];
    nlohmann::json s;
    s["id"] = spec.id;
    s["host"] = spec.host;
    s["port"] = spec.port;
    s["weight"] = st.weight;
    s["effective_weight"] = st.effective_weight;
    s["in_rotation"] = st.in_table;
    s["healthy"] = st.healthy;
    s["ejected"] = st.ejected;
    s["times_ejected"] = st.times_ejected;
    s["draining"] = st.draining;
    s["requests"] = c.requests;
    s["errors"] = c.errors;
    s["in_flight"] = c.in_flight;
    s["mean_latency_ms"] = c.MeanLatencyMs();
    MapSink gauges;
    in.policy.ReportBackend(b, gauges);
    s["policy"] = nlohmann::json::object();
    for (const auto& [k, v] : gauges.values()) s["policy"][k] = v;
    report["servers"].push_back(std::move(s));
  }
  return report.dump(2);
}

std::string RenderPrometheus(const ReportInput& in) {
  using common::PrometheusText;
  PrometheusText m;
  const std::vector<core::BackendIndex> backends = in.brain.Backends();
  size_t usable = 0;
  for (core::BackendIndex b : backends) usable += in.brain.Status(b).in_table ? 1 : 0;

  m.Family("huddle_cluster_servers", PrometheusText::kGauge, "Servers configured in the cluster.");
  m.Sample("huddle_cluster_servers", {}, backends.size());
  m.Family("huddle_cluster_servers_in_rotation", PrometheusText::kGauge,
           "Servers the routing table lists.");
  m.Sample("huddle_cluster_servers_in_rotation", {}, usable);
  m.Family("huddle_cluster_panic", PrometheusText::kGauge,
           "1 while too few servers are usable (panic mode).");
  m.Sample("huddle_cluster_panic", {}, in.brain.InPanic() ? 1 : 0);

  MapSink cluster;
  in.policy.ReportCluster(cluster);
  for (const auto& [k, v] : cluster.values()) {
    const std::string name = "huddle_cluster_" + k;
    m.Family(name, PrometheusText::kGauge, "Cluster gauge reported by the routing policy.");
    m.Sample(name, {}, v);
  }

  m.Family("huddle_server_requests_total", PrometheusText::kCounter, "Requests recorded.");
  m.Family("huddle_server_errors_total", PrometheusText::kCounter,
           "Requests that failed (transport or 5xx).");
  m.Family("huddle_server_in_flight", PrometheusText::kGauge, "Picked requests not yet recorded.");
  m.Family("huddle_server_mean_latency_seconds", PrometheusText::kGauge, "Mean recorded latency.");
  m.Family("huddle_server_in_rotation", PrometheusText::kGauge,
           "1 when the routing table lists the server.");
  m.Family("huddle_server_healthy", PrometheusText::kGauge, "Active health-check state.");
  m.Family("huddle_server_ejected", PrometheusText::kGauge,
           "1 while ejected by outlier detection.");
  m.Family("huddle_server_ejections_total", PrometheusText::kCounter,
           "Times ejected by outlier detection.");
  m.Family("huddle_server_draining", PrometheusText::kGauge, "1 while drained by an operator.");
  for (core::BackendIndex b : backends) {
    const core::BackendStatus st = in.brain.Status(b);
    const ServerCounters& c = in.counters[b];
    const PrometheusText::Labels labels = {{"server", in.specs[b].id}};
    m.Sample("huddle_server_requests_total", labels, c.requests);
    m.Sample("huddle_server_errors_total", labels, c.errors);
    m.Sample("huddle_server_in_flight", labels, c.in_flight);
    m.Sample("huddle_server_mean_latency_seconds", labels, c.MeanLatencyMs() / 1000.0);
    m.Sample("huddle_server_in_rotation", labels, st.in_table ? 1 : 0);
    m.Sample("huddle_server_healthy", labels, st.healthy ? 1 : 0);
    m.Sample("huddle_server_ejected", labels, st.ejected ? 1 : 0);
    m.Sample("huddle_server_ejections_total", labels, st.times_ejected);
    m.Sample("huddle_server_draining", labels, st.draining ? 1 : 0);
    MapSink gauges;
    in.policy.ReportBackend(b, gauges);
    for (const auto& [k, v] : gauges.values()) {
      const std::string name = "huddle_server_" + k;
      m.Family(name, k.ends_with("_total") ? PrometheusText::kCounter : PrometheusText::kGauge,
               "Server value reported by the routing policy.");
      m.Sample(name, labels, v);
    }
  }
  return m.Text();
}

}  // namespace huddle
