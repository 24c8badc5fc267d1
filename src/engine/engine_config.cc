#include "engine/engine_config.h"

#include "common/config_diagnostics.h"
#include "common/yaml_object.h"

namespace huddle::engine {
namespace {

using common::YamlObject;

void ReadEngine(YamlObject& o, EngineConfig& c) {
  EngineOptions& e = c.engine;
  const std::string listen = o.String("listen", c.listen.ToString());
  if (auto hp = common::ParseHostPort(listen); hp) {
    c.listen = *hp;
  } else {
    o.ErrorAt(o.Child("listen"), "engine: listen: " + hp.error().message);
  }
  c.token = o.String("token", "");
  ReadEngineOptions(o, e);
  o.Finish();
}

}  // namespace

void ReadEngineOptions(common::YamlObject& o, EngineOptions& e) {
  e.tick = o.Time("tick", e.tick, core::FromMillis(10), core::FromSeconds(60));
  e.max_services = static_cast<size_t>(o.Int("max_services", 2000, 1, 1000000));
  e.stale_after =
      o.Time("stale_after", e.stale_after, core::FromSeconds(1), core::FromSeconds(86400));
  e.forecast_horizon =
      o.Time("forecast_horizon", e.forecast_horizon, core::FromSeconds(1), core::FromSeconds(3600));
  e.decision_interval = o.Time("decision_interval", e.decision_interval, core::FromMillis(100),
                               core::FromSeconds(3600));
  e.workers_per_replica = o.Double("workers_per_replica", e.workers_per_replica, 1, 100000);
  e.shed_rho = o.Double("shed_rho", e.shed_rho, 0.1, 1.0);
  e.shed_sigmas = o.Double("shed_sigmas", e.shed_sigmas, 0, 10);
  e.shed_on_evidence = o.Bool("shed_on_evidence", e.shed_on_evidence);
  e.client_max_attempts =
      static_cast<int>(o.Int("client_max_attempts", e.client_max_attempts, 1, 10));
  e.retry_budget_ratio = o.Double("retry_budget_ratio", e.retry_budget_ratio, 0, 10);
  e.error_collapse_rate = o.Double("error_collapse_rate", e.error_collapse_rate, 0.01, 1);
  e.seed = static_cast<uint64_t>(o.Int("seed", 1, 0, INT64_MAX));
  auto parse = [&](const char* key, auto parser, auto& out) {
    if (!o.Has(key)) return;
    YAML::Node node = o.Child(key);
    auto r = parser(o.Options(key));
    if (r) {
      out = *r;
    } else {
      o.ErrorAt(node, std::string("engine: ") + r.error().message);
    }
  };
  parse("autopilot", core::AutopilotOptions::Parse, e.autopilot);
  parse("risk", core::RiskOptions::Parse, e.risk);
  parse("monte_carlo", core::MonteCarloOptions::Parse, e.monte_carlo);
  parse("window", core::TelemetryWindowOptions::Parse, e.window);
  parse("forecaster", core::ForecasterSelectorOptions::Parse, e.forecaster);
  parse("admission", core::AdmissionOptions::Parse, e.admission);
}

namespace {

void ReadTargets(const YAML::Node& list, common::ConfigDiagnostics& diag, EngineConfig& c) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    diag.Add(list.Mark().line, list.Mark().column, "scrape.targets must be a list");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    YamlObject t(list[i], diag, "scrape target " + std::to_string(i));
    ScrapeTarget target;
    target.service = t.RequiredString("service");
    target.url = t.RequiredString("url");
    if (!target.url.empty() && target.url.rfind("http://", 0) != 0) {
      t.ErrorAt(t.Child("url"), "scrape target: url must start with http://");
    }
    target.error_rate_is_count = t.Bool("error_rate_is_count", false);
    YAML::Node fields = t.Child("fields");
    if (!fields.IsMap()) {
      t.ErrorAt(fields, "scrape target: fields must map field names to metrics");
    } else {
      const auto names = ScrapeTarget::FieldNames();
      for (const auto& kv : fields) {
        const std::string field = kv.first.as<std::string>();
        if (std::find(names.begin(), names.end(), field) == names.end()) {
          t.ErrorAt(kv.first, "scrape target: unknown field '" + field + "'");
          continue;
        }
        YamlObject m(kv.second, diag, "field " + field);
        FieldMapping mapping;
        mapping.metric = m.RequiredString("metric");
        mapping.counter = m.Bool("counter", false);
        mapping.scale = m.Double("scale", 1.0, -1e12, 1e12);
        mapping.labels = m.Options("labels");
        m.Finish();
        target.fields.emplace(field, std::move(mapping));
      }
      // An unmapped percentile reads as 0, and the engine refuses a point whose percentiles
      // are out of order: a mapped percentile needs every higher one mapped, or every scrape of
      // the target would be rejected.
      const char* percentiles[] = {"latency_p50", "latency_p95", "latency_p99"};
      for (size_t p = 0; p < 2; ++p) {
        if (!target.fields.contains(percentiles[p])) continue;
        for (size_t q = p + 1; q < 3; ++q) {
          if (!target.fields.contains(percentiles[q])) {
            t.ErrorAt(fields, std::string("scrape target: ") + percentiles[p] + " is mapped but " +
                                  percentiles[q] +
                                  " is not; an unmapped percentile reads as 0 and every point "
                                  "would fail the p50 <= p95 <= p99 check");
          }
        }
      }
    }
    t.Finish();
    c.targets.push_back(std::move(target));
  }
}

core::Result<EngineConfig> FromNode(const YAML::Node& root, common::ConfigDiagnostics& diag) {
  EngineConfig c;
  YamlObject top(root, diag, "config");
  {
    YamlObject e(top.Child("engine"), diag, "engine");
    ReadEngine(e, c);
  }
  {
    YamlObject s(top.Child("storage"), diag, "storage");
    c.storage_url = s.String("url", "");
    c.persist_interval = s.Time("persist_interval", c.persist_interval, core::FromSeconds(1),
                                core::FromSeconds(86400));
    YamlObject r(s.Child("retention"), diag, "storage.retention");
    const core::Duration year = core::FromSeconds(366 * 86400.0);
    c.retention.events_s = core::ToSeconds(
        r.Time("events", core::FromSeconds(c.retention.events_s), core::FromSeconds(60), year));
    c.retention.directives_s = core::ToSeconds(r.Time(
        "directives", core::FromSeconds(c.retention.directives_s), core::FromSeconds(60), year));
    c.retention.snapshots_s = core::ToSeconds(r.Time(
        "snapshots", core::FromSeconds(c.retention.snapshots_s), core::FromSeconds(60), year));
    c.retention.rollups_s = core::ToSeconds(
        r.Time("rollups", core::FromSeconds(c.retention.rollups_s), core::FromSeconds(60), year));
    r.Finish();
    s.Finish();
  }
  {
    YamlObject a(top.Child("actuator"), diag, "actuator");
    c.actuator.kind = a.String("kind", "log", {"log", "webhook", "command"});
    c.actuator.url = a.String("url", "");
    c.actuator.command = a.String("command", "");
    c.actuator.dry_run = a.Bool("dry_run", false);
    c.actuator.timeout =
        a.Time("timeout", c.actuator.timeout, core::FromMillis(10), core::FromSeconds(600));
    if (c.actuator.kind == "webhook" && c.actuator.url.rfind("http://", 0) != 0) {
      a.Error("actuator: kind webhook needs url: http://...");
    }
    if (c.actuator.kind == "command" && c.actuator.command.empty()) {
      a.Error("actuator: kind command needs command: \"... {service} ... {replicas}\"");
    }
    a.Finish();
  }
  {
    YamlObject s(top.Child("scrape"), diag, "scrape");
    c.scrape_timeout =
        s.Time("timeout", c.scrape_timeout, core::FromMillis(10), core::FromSeconds(60));
    ReadTargets(s.Child("targets"), diag, c);
    s.Finish();
  }
  top.Finish();
  if (!diag.ok()) return core::Fail(diag.Joined());
  return c;
}

}  // namespace

core::Result<EngineConfig> LoadEngineConfig(const std::string& path) {
  common::ConfigDiagnostics diag(path);
  auto root = common::LoadYamlFile(path, diag);
  if (!root) return core::Fail(diag.Joined());
  return FromNode(*root, diag);
}

core::Result<EngineConfig> ParseEngineConfig(const std::string& yaml, const std::string& name) {
  common::ConfigDiagnostics diag(name);
  auto root = common::LoadYamlString(yaml, diag);
  if (!root) return core::Fail(diag.Joined());
  return FromNode(*root, diag);
}

}  // namespace huddle::engine
