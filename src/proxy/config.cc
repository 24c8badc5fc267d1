#include "proxy/config.h"

#include <algorithm>
#include <set>

#include "common/yaml_object.h"
#include "core/cluster/cluster_brain.h"
#include "core/cluster/policy_factory.h"
#include "core/health/outlier_detection_options.h"
#include "core/health/slow_start.h"
#include "engine/engine_config.h"

namespace huddle::proxy {
namespace {

using common::ConfigDiagnostics;
using common::YamlObject;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kNoTime{0};

std::optional<common::HostPort> Address(YamlObject& o, const std::string& key, bool required) {
  YAML::Node node = o.Child(key);
  if (!node.IsDefined() || node.IsNull()) {
    if (required) o.Error(o.where() + ": missing '" + key + "'");
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    o.ErrorAt(node, o.where() + ": '" + key + "' must be host:port");
    return std::nullopt;
  }
  core::Result<common::HostPort> hp = common::ParseHostPort(node.Scalar());
  if (!hp) {
    o.ErrorAt(node, o.where() + ": " + hp.error().message);
    return std::nullopt;
  }
  return *hp;
}

// Reads every key of a mapping whose keys a core parser validates (outlier detection, slow
// start), except `skip`, as scalars; a nested value is an error at its line.
core::OptionMap DetectorOptions(YamlObject& o, const YAML::Node& node,
                                const std::set<std::string>& skip) {
  core::OptionMap out;
  if (!node.IsMap()) return out;
  for (const auto& kv : node) {
    const std::string k = kv.first.as<std::string>();
    if (skip.contains(k)) continue;
    const YAML::Node v = o.Child(k);
    if (!v.IsScalar()) {
      o.ErrorAt(v, o.where() + ": '" + k + "' must be a single value");
      continue;
    }
    out[k] = v.Scalar();
  }
  return out;
}

void ParseAdmin(const YAML::Node& node, ConfigDiagnostics& diag, AdminConfig& admin) {
  YamlObject o(node, diag, "admin");
  admin.enabled = o.Bool("enabled", true);
  if (auto a = Address(o, "address", false)) admin.address = *a;
  admin.token = o.String("token", "");
  if (admin.enabled && !admin.address.IsLoopback() && admin.token.empty()) {
    o.Error("admin: a token is required when the admin address is not loopback");
  }
  o.Finish();
}

void ParseAccessLog(const YAML::Node& node, ConfigDiagnostics& diag, AccessLogConfig& log) {
  if (node.IsScalar()) {
    log.path = node.Scalar();
    return;
  }
  YamlObject o(node, diag, "access_log");
  log.path = o.String("path", "");
  log.buffer_bytes = static_cast<size_t>(o.Int("buffer_bytes", 1 << 20, 4096, 1ll << 30));
  o.Finish();
}

ListenerConfig ParseListener(const YAML::Node& node, ConfigDiagnostics& diag, size_t i) {
  ListenerConfig l;
  l.line = node.Mark().line;
  YamlObject o(node, diag, "listener #" + std::to_string(i + 1));
  l.name = o.String("name", "listener" + std::to_string(i + 1));
  if (auto a = Address(o, "address", true)) l.address = *a;
  l.cluster = o.RequiredString("cluster");
  l.backlog = static_cast<int>(o.Int("backlog", l.backlog, 1, 65535));
  l.max_header_bytes =
      static_cast<size_t>(o.Int("max_header_bytes", l.max_header_bytes, 1024, 1 << 20));
  l.max_header_count = static_cast<size_t>(o.Int("max_header_count", l.max_header_count, 1, 10000));
  l.max_uri_bytes = static_cast<size_t>(o.Int("max_uri_bytes", l.max_uri_bytes, 16, 1 << 20));
  l.max_body_bytes =
      static_cast<uint64_t>(o.Int("max_body_bytes", l.max_body_bytes, 0, int64_t{1} << 50));
  l.header_timeout = o.Time("header_timeout", l.header_timeout, milliseconds(1), hours(1));
  l.idle_timeout = o.Time("idle_timeout", l.idle_timeout, milliseconds(1), hours(24));
  l.body_timeout = o.Time("body_timeout", l.body_timeout, milliseconds(1), hours(24));
  l.min_body_rate = static_cast<uint64_t>(
      o.Int("min_body_rate", static_cast<int64_t>(l.min_body_rate), 0, int64_t{1} << 40));
  l.max_connections =
      static_cast<size_t>(o.Int("max_connections", l.max_connections, 1, 10'000'000));
  if (l.max_header_bytes > 0 && l.max_uri_bytes > l.max_header_bytes) {
    o.Error(o.where() + ": max_uri_bytes must not exceed max_header_bytes");
  }
  o.Finish();
  return l;
}

void ParseHealthCheck(const YAML::Node& node, ConfigDiagnostics& diag, const std::string& where,
                      HealthCheckConfig& hc) {
  if (node.IsScalar() && (node.Scalar() == "off" || node.Scalar() == "false")) {
    hc.enabled = false;
    return;
  }
  YamlObject o(node, diag, where + " health_check");
  hc.enabled = o.Bool("enabled", true);
  hc.path = o.String("path", hc.path);
  if (hc.path.empty() || hc.path.front() != '/') o.Error(o.where() + ": path must start with /");
  hc.interval = o.Time("interval", hc.interval, milliseconds(10), hours(1));
  hc.timeout = o.Time("timeout", hc.timeout, milliseconds(1), hours(1));
  hc.rise = static_cast<int>(o.Int("rise", hc.rise, 1, 1000));
  hc.fall = static_cast<int>(o.Int("fall", hc.fall, 1, 1000));
  hc.expected_status_min = static_cast<int>(o.Int("status_min", hc.expected_status_min, 100, 599));
  hc.expected_status_max = static_cast<int>(o.Int("status_max", hc.expected_status_max, 100, 599));
  if (hc.expected_status_min > hc.expected_status_max) {
    o.Error(o.where() + ": status_min must not exceed status_max");
  }
  o.Finish();
}

void ParseRetries(const YAML::Node& node, ConfigDiagnostics& diag, const std::string& where,
                  RetryConfig& r) {
  YamlObject o(node, diag, where + " retries");
  r.attempts = static_cast<int>(o.Int("attempts", r.attempts, 0, 10));
  r.on_5xx = o.Bool("on_5xx", r.on_5xx);
  r.on_reset = o.Bool("on_reset", r.on_reset);
  r.on_timeout = o.Bool("on_timeout", r.on_timeout);
  r.budget_percent = o.Double("budget_percent", r.budget_percent, 0, 100);
  r.min_retry_concurrency =
      static_cast<int>(o.Int("min_retry_concurrency", r.min_retry_concurrency, 0, 1'000'000));
  r.backoff_base = o.Time("backoff_base", r.backoff_base, kNoTime, seconds(10));
  r.backoff_max = o.Time("backoff_max", r.backoff_max, kNoTime, seconds(60));
  r.per_try_timeout = o.Time("per_try_timeout", r.per_try_timeout, kNoTime, hours(1));
  if (r.backoff_max < r.backoff_base) o.Error(o.where() + ": backoff_max below backoff_base");
  o.Finish();
}

ClusterConfig ParseCluster(const YAML::Node& node, ConfigDiagnostics& diag, size_t i) {
  ClusterConfig c;
  c.line = node.Mark().line;
  YamlObject o(node, diag, "cluster #" + std::to_string(i + 1));
  c.name = o.RequiredString("name");
  const std::string where = "cluster '" + c.name + "'";
  const std::vector<std::string> policies = core::PolicyNames();
  const YAML::Node policy_node = o.Child("policy");
  // Without a policy key the cluster gets huddle's default (peak_ewma with its default options
  // for huddle); options under its name still apply on top.
  const core::PolicySpec fallback = core::DefaultPolicy();
  c.policy = o.String("policy", fallback.name, policies);
  // Options of the policy sit under a key named like the policy.
  for (const std::string& p : policies) {
    if (p == c.policy) {
      c.policy_options = o.Options(p);
      if (!policy_node.IsDefined())
        c.policy_options.insert(fallback.options.begin(), fallback.options.end());
    } else if (o.Has(p)) {
      o.ErrorAt(o.Child(p),
                where + ": options for '" + p + "' but the policy is '" + c.policy + "'");
    }
  }
  if (auto made = core::MakePolicy(c.policy, c.policy_options); !made) {
    o.ErrorAt(policy_node.IsDefined() ? policy_node : node, where + ": " + made.error().message);
  }

  const YAML::Node backends = o.Child("backends");
  if (!backends.IsDefined() || !backends.IsSequence() || backends.size() == 0) {
    o.ErrorAt(backends.IsDefined() ? backends : node,
              where + ": 'backends' must be a non-empty list");
  } else {
    std::set<std::string> names;
    for (size_t j = 0; j < backends.size(); ++j) {
      YamlObject b(backends[j], diag, where + " backend #" + std::to_string(j + 1));
      BackendConfig bc;
      if (auto a = Address(b, "address", true)) bc.address = *a;
      bc.name = b.String("name", bc.address.ToString());
      bc.weight = b.Double("weight", 1.0, core::kMinBackendWeight, core::kMaxBackendWeight);
      if (!names.insert(bc.name).second) {
        b.Error(where + ": duplicate backend name '" + bc.name + "'");
      }
      b.Finish();
      c.backends.push_back(std::move(bc));
    }
  }
  const YAML::Node hc = o.Child("health_check");
  if (hc.IsDefined() && !hc.IsNull()) ParseHealthCheck(hc, diag, where, c.health_check);
  const YAML::Node od = o.Child("outlier_detection");
  if (od.IsDefined() && !od.IsNull()) {
    if (od.IsScalar()) {
      c.outlier_detection = !(od.Scalar() == "off" || od.Scalar() == "false");
    } else {
      YamlObject odo(od, diag, where + " outlier_detection");
      c.outlier_detection = odo.Bool("enabled", true);
      // The detector's keys are validated by its own parser (unknown keys included); mark them
      // read before Finish(), which would otherwise report each as unknown.
      c.outlier_options = DetectorOptions(odo, od, {"enabled"});
      odo.Finish();
      if (auto parsed = core::OutlierDetectionOptions::Parse(c.outlier_options); !parsed) {
        odo.ErrorAt(od, where + " outlier_detection: " + parsed.error().message);
      }
    }
  }
  const YAML::Node slow = o.Child("slow_start");
  if (slow.IsDefined() && !slow.IsNull()) {
    YamlObject so(slow, diag, where + " slow_start");
    c.slow_start_options = DetectorOptions(so, slow, {});
    so.Finish();
    if (auto parsed = core::SlowStartOptions::Parse(c.slow_start_options); !parsed) {
      so.ErrorAt(slow, where + " slow_start: " + parsed.error().message);
    }
  }
  const YAML::Node retries = o.Child("retries");
  if (retries.IsDefined() && !retries.IsNull()) ParseRetries(retries, diag, where, c.retries);
  YamlObject t(o.Child("timeouts"), diag, where + " timeouts");
  c.connect_timeout = t.Time("connect", c.connect_timeout, milliseconds(1), hours(1));
  c.response_timeout = t.Time("response", c.response_timeout, milliseconds(1), hours(24));
  c.request_timeout = t.Time("request", c.request_timeout, milliseconds(1), hours(24));
  c.upstream_idle_timeout =
      t.Time("upstream_idle", c.upstream_idle_timeout, milliseconds(1), hours(24));
  t.Finish();
  c.max_idle_per_backend =
      static_cast<size_t>(o.Int("max_idle_per_backend", c.max_idle_per_backend, 0, 100000));
  c.panic_threshold_percent =
      o.Double("panic_threshold_percent", c.panic_threshold_percent, 0, 100);
  o.Finish();
  return c;
}

}  // namespace

namespace {

// Two sockets that would take the same connections: the same port (not 0, which picks a free
// one) on the same host, or on the same port where either side listens on every interface.
bool SameSocket(const common::HostPort& a, const common::HostPort& b) {
  if (a.port == 0 || a.port != b.port) return false;
  auto any = [](const std::string& h) { return h == "0.0.0.0" || h == "::" || h.empty(); };
  return a.host == b.host || any(a.host) || any(b.host);
}

// Every worker binds its listeners with SO_REUSEPORT, so a second listener on an address already
// taken would bind too and split its traffic; the admin listener on a listener's port would fail
// only at start. Both are config errors.
void CheckAddressConflicts(const ProxyConfig& config, ConfigDiagnostics& diag) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const ListenerConfig& l = config.listeners[i];
    for (size_t j = 0; j < i; ++j) {
      const ListenerConfig& earlier = config.listeners[j];
      if (SameSocket(l.address, earlier.address)) {
        diag.Add(l.line, 0,
                 "listener '" + l.name + "' address " + l.address.ToString() +
                     " is already used by listener '" + earlier.name + "' (" +
                     earlier.address.ToString() + ")");
      }
    }
    if (config.admin.enabled && SameSocket(l.address, config.admin.address)) {
      diag.Add(l.line, 0,
               "listener '" + l.name + "' address " + l.address.ToString() +
                   " is also the admin address " + config.admin.address.ToString());
    }
  }
}

}  // namespace

const ClusterConfig* ProxyConfig::FindCluster(const std::string& name) const {
  for (const ClusterConfig& c : clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> KnownPolicies() { return core::PolicyNames(); }

namespace {

core::Result<ProxyConfig> Parse(const std::optional<YAML::Node>& root, ConfigDiagnostics& diag) {
  ProxyConfig config;
  if (root) {
    YamlObject o(*root, diag, "config");
    config.threads = static_cast<int>(o.Int("threads", 0, 0, 1024));
    config.tick = o.Time("tick", config.tick, milliseconds(10), seconds(10));
    config.drain_timeout = o.Time("drain_timeout", config.drain_timeout, kNoTime, hours(1));
    config.request_id_header = o.String("request_id_header", config.request_id_header);
    ParseAdmin(o.Child("admin"), diag, config.admin);
    {
      const YAML::Node node = o.Child("engine");
      if (node.IsDefined() && !node.IsNull()) config.engine.source = YAML::Dump(node);
      YamlObject e(node, diag, "engine");
      config.engine.enabled = e.Bool("enabled", config.engine.enabled);
      config.engine.shedding = e.Bool("shedding", config.engine.shedding);
      // Embedded, the engine's capacity per replica is a guess from latency (the proxy does not
      // know its backends' worker counts): admission rests on evidence (docs/engine.md).
      config.engine.options.shed_on_evidence = true;
      engine::ReadEngineOptions(e, config.engine.options);
      e.Finish();
      if (config.engine.enabled && !config.admin.enabled) {
        e.Error("engine: needs the admin listener (its API and the dashboard are served there)");
      }
    }
    {
      // adaptive_concurrency: enabled, and the gradient controller's keys (validated by its
      // own parser, over the proxy's defaults).
      const YAML::Node node = o.Child("adaptive_concurrency");
      if (node.IsDefined() && !node.IsNull()) config.adaptive_concurrency.source = YAML::Dump(node);
      YamlObject a(node, diag, "adaptive_concurrency");
      config.adaptive_concurrency.enabled = a.Bool("enabled", config.adaptive_concurrency.enabled);
      core::OptionMap keys;
      if (node.IsMap()) {
        for (const auto& kv : node) {
          const std::string k = kv.first.as<std::string>();
          if (k == "enabled") continue;
          const YAML::Node v = a.Child(k);
          if (!v.IsScalar()) {
            a.ErrorAt(v, "adaptive_concurrency: '" + k + "' must be a scalar");
            continue;
          }
          keys[k] = v.Scalar();
        }
      }
      a.Finish();
      const core::GradientControllerOptions d = AdaptiveConcurrencyConfig::Defaults();
      auto parsed = core::GradientControllerOptions::Parse(keys);
      if (!parsed) {
        a.Error(parsed.error().message);
      } else {
        // Parse() fills Envoy's defaults; the keys not given take the proxy's.
        core::GradientControllerOptions g = *parsed;
        if (!keys.contains("max_concurrency_limit"))
          g.max_concurrency_limit = d.max_concurrency_limit;
        if (!keys.contains("initial_limit")) g.initial_limit = g.max_concurrency_limit;
        if (!keys.contains("min_rtt_limit_percent"))
          g.min_rtt_limit_percent = d.min_rtt_limit_percent;
        if (g.initial_limit > g.max_concurrency_limit ||
            g.min_concurrency > g.max_concurrency_limit) {
          a.Error(
              "adaptive_concurrency: initial_limit and min_concurrency must not exceed "
              "max_concurrency_limit");
        }
        config.adaptive_concurrency.options = g;
      }
    }
    const YAML::Node log = o.Child("access_log");
    if (log.IsDefined() && !log.IsNull()) ParseAccessLog(log, diag, config.access_log);
    const YAML::Node listeners = o.Child("listeners");
    if (!listeners.IsDefined() || !listeners.IsSequence() || listeners.size() == 0) {
      o.ErrorAt(listeners.IsDefined() ? listeners : *root,
                "config: 'listeners' must be a non-empty list");
    } else {
      for (size_t i = 0; i < listeners.size(); ++i) {
        config.listeners.push_back(ParseListener(listeners[i], diag, i));
      }
    }
    const YAML::Node clusters = o.Child("clusters");
    if (!clusters.IsDefined() || !clusters.IsSequence() || clusters.size() == 0) {
      o.ErrorAt(clusters.IsDefined() ? clusters : *root,
                "config: 'clusters' must be a non-empty list");
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < clusters.size(); ++i) {
        ClusterConfig c = ParseCluster(clusters[i], diag, i);
        if (!c.name.empty() && !names.insert(c.name).second) {
          diag.Add(c.line, 0, "duplicate cluster name '" + c.name + "'");
        }
        config.clusters.push_back(std::move(c));
      }
    }
    o.Finish();
    CheckAddressConflicts(config, diag);
    std::set<std::string> listener_names;
    for (const ListenerConfig& l : config.listeners) {
      if (!listener_names.insert(l.name).second) {
        diag.Add(l.line, 0, "duplicate listener name '" + l.name + "'");
      }
      if (!l.cluster.empty() && config.FindCluster(l.cluster) == nullptr) {
        diag.Add(l.line, 0, "listener '" + l.name + "' names unknown cluster '" + l.cluster + "'");
      }
    }
  }
  if (!diag.ok()) {
    std::string joined = diag.Joined();
    if (!joined.empty() && joined.back() == '\n') joined.pop_back();
    return core::Fail(joined);
  }
  return config;
}

}  // namespace

namespace {

// yaml-cpp's conversions throw on a value of an unexpected kind (a mapping used as a key, found by
// fuzz_proxy_config): that is a config error with its place, never a crash of `check` or a reload.
core::Result<ProxyConfig> ParseReporting(const std::optional<YAML::Node>& root,
                                         ConfigDiagnostics& diag) {
  try {
    return Parse(root, diag);
  } catch (const YAML::Exception& e) {
    diag.Add(e.mark.line, e.mark.column, e.msg);
    return core::Fail(diag.Joined());
  }
}

}  // namespace

core::Result<ProxyConfig> LoadConfigFile(const std::string& path) {
  ConfigDiagnostics diag(path);
  std::optional<YAML::Node> root = common::LoadYamlFile(path, diag);
  if (!root) return core::Fail(diag.Joined());
  return ParseReporting(root, diag);
}

core::Result<ProxyConfig> ParseConfig(const std::string& yaml_text, const std::string& file_name) {
  ConfigDiagnostics diag(file_name);
  std::optional<YAML::Node> root = common::LoadYamlString(yaml_text, diag);
  if (!root) return core::Fail(diag.Joined());
  return ParseReporting(root, diag);
}

}  // namespace huddle::proxy
