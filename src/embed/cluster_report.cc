#include "embed/cluster_report.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

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

// Prometheus label values escape backslash, double quote and newline.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  nlohmann::json j = v;  // shortest round-trip representation
  return j.dump();
}

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
  std::string out;
  auto line = [&out](std::string_view name, std::string_view labels, double value) {
    out += name;
    if (!labels.empty()) {
      out += '{';
      out += labels;
      out += '}';
    }
    out += ' ';
    out += FormatValue(value);
    out += '\n';
  };
  auto help = [&out](std::string_view name, std::string_view type, std::string_view text) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += text;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
  };

  const std::vector<core::BackendIndex> backends = in.brain.Backends();
  size_t usable = 0;
  for (core::BackendIndex b : backends) usable += in.brain.Status(b).in_table ? 1 : 0;

  help("huddle_cluster_servers", "gauge", "Servers configured in the cluster.");
  line("huddle_cluster_servers", "", static_cast<double>(backends.size()));
  help("huddle_cluster_servers_in_rotation", "gauge", "Servers the routing table lists.");
  line("huddle_cluster_servers_in_rotation", "", static_cast<double>(usable));
  help("huddle_cluster_panic", "gauge", "1 while too few servers are usable (panic mode).");
  line("huddle_cluster_panic", "", in.brain.InPanic() ? 1.0 : 0.0);

  MapSink cluster;
  in.policy.ReportCluster(cluster);
  for (const auto& [k, v] : cluster.values()) {
    const std::string name = "huddle_cluster_" + k;
    help(name, "gauge", "Cluster gauge reported by the routing policy.");
    line(name, "", v);
  }

  struct Series {
    std::string name;
    std::string type;
    std::string help;
    std::vector<std::pair<std::string, double>> rows;  // labels, value
  };
  std::map<std::string, Series> series;
  auto add = [&series](const std::string& name, const char* type, const char* text,
                       const std::string& labels, double v) {
    Series& s = series[name];
    s.name = name;
    s.type = type;
    s.help = text;
    s.rows.emplace_back(labels, v);
  };
  for (core::BackendIndex b : backends) {
    const core::BackendStatus st = in.brain.Status(b);
    const ServerCounters& c = in.counters[b];
    const std::string labels = "server=\"" + EscapeLabel(in.specs[b].id) + "\"";
    add("huddle_server_requests_total", "counter", "Requests recorded.", labels,
        static_cast<double>(c.requests));
    add("huddle_server_errors_total", "counter", "Requests that failed (transport or 5xx).", labels,
        static_cast<double>(c.errors));
    add("huddle_server_in_flight", "gauge", "Picked requests not yet recorded.", labels,
        static_cast<double>(c.in_flight));
    add("huddle_server_mean_latency_ms", "gauge", "Mean recorded latency.", labels,
        c.MeanLatencyMs());
    add("huddle_server_in_rotation", "gauge", "1 when the routing table lists the server.", labels,
        st.in_table ? 1.0 : 0.0);
    add("huddle_server_healthy", "gauge", "Active health-check state.", labels,
        st.healthy ? 1.0 : 0.0);
    add("huddle_server_ejected", "gauge", "1 while ejected by outlier detection.", labels,
        st.ejected ? 1.0 : 0.0);
    add("huddle_server_ejections_total", "counter", "Times ejected by outlier detection.", labels,
        static_cast<double>(st.times_ejected));
    add("huddle_server_draining", "gauge", "1 while drained by an operator.", labels,
        st.draining ? 1.0 : 0.0);
    MapSink gauges;
    in.policy.ReportBackend(b, gauges);
    for (const auto& [k, v] : gauges.values()) {
      const bool counter = k.ends_with("_total");
      add("huddle_server_" + k, counter ? "counter" : "gauge",
          "Server value reported by the routing policy.", labels, v);
    }
  }
  for (const auto& [name, s] : series) {
    help(name, s.type, s.help);
    for (const auto& [labels, v] : s.rows) line(name, labels, v);
  }
  return out;
}

}  // namespace huddle
