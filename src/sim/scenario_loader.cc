#include "sim/scenario_loader.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/options.h"
#include "sim/builtin_scenarios.h"

namespace huddle::sim {
namespace {

// Collects the first error with its line; every getter checks the key is allowed.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void Problem(const YAML::Node& node, const std::string& message) {
    if (!error_.empty()) return;
    error_ = origin_ + ":" + std::to_string(node.Mark().line + 1) + ": " + message;
  }

  // Fails on keys of `map` outside `allowed`. REQUIRES: map is a map (checked).
  bool Keys(const YAML::Node& map, const std::string& where,
            std::initializer_list<const char*> allowed) {
    if (!map.IsMap()) {
      Problem(map, where + " must be a mapping");
      return false;
    }
    const std::set<std::string> ok(allowed.begin(), allowed.end());
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (!ok.contains(key)) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Problem(kv.first, "unknown key '" + key + "' in " + where + " (allowed: " + list + ")");
        return false;
      }
    }
    return true;
  }

  std::string String(const YAML::Node& map, const char* key, const std::string& fallback) {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    if (!n.IsScalar()) {
      Problem(n, std::string(key) + " must be a scalar");
      return fallback;
    }
    return n.as<std::string>();
  }

  double Number(const YAML::Node& map, const char* key, double fallback, double min = -1e300,
                double max = 1e300) {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    const std::string text = n.IsScalar() ? n.as<std::string>() : "";
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
      Problem(n, std::string(key) + ": expected a number, got '" + text + "'");
      return fallback;
    }
    if (v < min || v > max) {
      std::ostringstream msg;
      msg << key << ": " << v << " is outside [" << min << ", " << max << "]";
      Problem(n, msg.str());
      return fallback;
    }
    return v;
  }

  // Durations: "250ms", "1.5s", "2m", or a bare number of seconds. Returns seconds.
  double Seconds(const YAML::Node& map, const char* key, double fallback, double min = 0.0) {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    const std::string text = n.IsScalar() ? n.as<std::string>() : "";
    if (text == "never" || text == "forever") return kForever;
    auto d = core::ParseDuration(text);
    if (!d) {
      Problem(n, std::string(key) + ": " + d.error().message);
      return fallback;
    }
    const double s = core::ToSeconds(*d);
    if (s < min) {
      Problem(n, std::string(key) + " must be at least " + std::to_string(min) + " s");
      return fallback;
    }
    return s;
  }
  double Millis(const YAML::Node& map, const char* key, double fallback_ms) {
    const double s = Seconds(map, key, fallback_ms / 1000.0);
    return std::isfinite(s) ? s * 1000.0 : s;
  }

  bool Bool(const YAML::Node& map, const char* key, bool fallback) {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    const std::string t = n.IsScalar() ? n.as<std::string>() : "";
    if (t == "true" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "no" || t == "off") return false;
    Problem(n, std::string(key) + ": expected true or false, got '" + t + "'");
    return fallback;
  }

 private:
  std::string origin_;
  std::string error_;
};

ServiceSpec ReadService(Reader& r, const YAML::Node& n, ServiceSpec s, double* mean_step_ms) {
  if (!r.Keys(n, "service",
              {"kind", "mean", "mean_step", "sigma", "jitter", "per_active", "noise", "floor",
               "slow_fraction", "slow_multiplier"})) {
    return s;
  }
  const std::string kind = r.String(n, "kind", ServiceSpec::KindName(s.kind));
  if (kind == "exponential") {
    s.kind = ServiceSpec::Kind::kExponential;
  } else if (kind == "lognormal") {
    s.kind = ServiceSpec::Kind::kLognormal;
  } else if (kind == "fixed") {
    s.kind = ServiceSpec::Kind::kFixed;
  } else if (kind == "seed") {
    s.kind = ServiceSpec::Kind::kSeed;
  } else {
    r.Problem(n["kind"],
              "service kind must be exponential, lognormal, fixed or seed, got '" + kind + "'");
  }
  s.mean_ms = r.Millis(n, "mean", s.mean_ms);
  if (!(s.mean_ms > 0.0)) r.Problem(n, "service mean must be positive");
  *mean_step_ms = r.Millis(n, "mean_step", 0.0);
  s.sigma = r.Number(n, "sigma", s.sigma, 0.0, 5.0);
  s.jitter_ms = r.Millis(n, "jitter", s.jitter_ms);
  s.per_active_ms = r.Millis(n, "per_active", s.per_active_ms);
  s.noise_ms = r.Millis(n, "noise", s.noise_ms);
  s.floor_ms = r.Millis(n, "floor", s.floor_ms);
  s.slow_fraction = r.Number(n, "slow_fraction", s.slow_fraction, 0.0, 1.0);
  s.slow_multiplier = r.Number(n, "slow_multiplier", s.slow_multiplier, 1.0, 1e6);
  return s;
}

void ReadBackends(Reader& r, const YAML::Node& list, Scenario& sc) {
  if (!list.IsSequence()) {
    r.Problem(list, "backends must be a list");
    return;
  }
  for (const YAML::Node& n : list) {
    if (!r.Keys(n, "a backend",
                {"count", "name", "weight", "workers", "service", "join_at", "warmup",
                 "warmup_factor", "external_rate"})) {
      return;
    }
    SimBackendSpec b;
    const int count = static_cast<int>(r.Number(n, "count", 1, 1, 100000));
    const std::string name = r.String(n, "name", "");
    b.weight = r.Number(n, "weight", 1.0, 1e-6, 1e6);
    b.workers = static_cast<uint32_t>(r.Number(n, "workers", 1, 0, 100000));
    double step_ms = 0.0;
    if (n["service"]) b.service = ReadService(r, n["service"], b.service, &step_ms);
    b.join_at_s = r.Seconds(n, "join_at", 0.0);
    b.warmup_s = r.Seconds(n, "warmup", 0.0);
    b.warmup_factor = r.Number(n, "warmup_factor", 1.0, 0.01, 1000.0);
    b.external_rate_per_s = r.Number(n, "external_rate", 0.0, 0.0, 1e7);
    for (int i = 0; i < count; ++i) {
      SimBackendSpec copy = b;
      const size_t index = sc.backends.size();
      copy.name = name.empty() ? "s" + std::to_string(index)
                               : (count == 1 ? name : name + std::to_string(i));
      copy.service.mean_ms += step_ms * i;
      sc.backends.push_back(copy);
    }
  }
}

void ReadSteps(Reader& r, const YAML::Node& list, std::vector<LoadStep>& steps) {
  if (!list.IsSequence()) {
    r.Problem(list, "steps must be a list");
    return;
  }
  for (const YAML::Node& n : list) {
    if (!r.Keys(n, "a step", {"at", "value", "ramp"})) return;
    LoadStep s;
    s.at_s = r.Seconds(n, "at", 0.0);
    s.value = r.Number(n, "value", 0.0, 0.0);
    s.ramp_s = r.Seconds(n, "ramp", 0.0);
    if (!steps.empty() && s.at_s < steps.back().at_s) r.Problem(n, "steps must be in time order");
    steps.push_back(s);
  }
}

void ReadWorkload(Reader& r, const YAML::Node& n, WorkloadSpec& w) {
  if (!r.Keys(n, "workload", {"kind", "rate", "clients", "think", "steps", "timeout"})) return;
  const std::string kind = r.String(n, "kind", "open");
  if (kind == "open") {
    w.kind = WorkloadSpec::Kind::kOpen;
  } else if (kind == "closed") {
    w.kind = WorkloadSpec::Kind::kClosed;
  } else {
    r.Problem(n["kind"], "workload kind must be open or closed, got '" + kind + "'");
  }
  w.rate_per_s = r.Number(n, "rate", w.rate_per_s, 0.0, 1e9);
  w.clients = static_cast<uint32_t>(r.Number(n, "clients", w.clients, 0, 1e6));
  w.think_ms = r.Millis(n, "think", w.think_ms);
  w.timeout_ms = r.Millis(n, "timeout", w.timeout_ms);
  if (n["steps"]) ReadSteps(r, n["steps"], w.steps);
}

void ReadRetry(Reader& r, const YAML::Node& n, RetrySpec& s) {
  if (!r.Keys(n, "retry",
              {"attempts", "on", "budget", "min_concurrency", "backoff", "max_backoff",
               "other_host_picks"})) {
    return;
  }
  s.attempts = static_cast<uint32_t>(r.Number(n, "attempts", s.attempts, 1, 10));
  if (const YAML::Node on = n["on"]) {
    if (!on.IsSequence()) {
      r.Problem(on, "retry.on must be a list");
    } else {
      s.on_connect_failure = s.on_reset = s.on_timeout = s.on_5xx = false;
      for (const YAML::Node& v : on) {
        const std::string t = v.as<std::string>();
        if (t == "connect_failure") {
          s.on_connect_failure = true;
        } else if (t == "reset") {
          s.on_reset = true;
        } else if (t == "timeout") {
          s.on_timeout = true;
        } else if (t == "5xx") {
          s.on_5xx = true;
        } else {
          r.Problem(
              v, "retry.on: unknown condition '" + t + "' (connect_failure, reset, timeout, 5xx)");
        }
      }
    }
  }
  s.budget_ratio = r.Number(n, "budget", s.budget_ratio, 0.0, 1e6);
  s.min_concurrency =
      static_cast<uint32_t>(r.Number(n, "min_concurrency", s.min_concurrency, 0, 1e9));
  s.backoff_base_ms = r.Millis(n, "backoff", s.backoff_base_ms);
  s.backoff_max_ms = r.Millis(n, "max_backoff", s.backoff_max_ms);
  s.other_host_picks =
      static_cast<uint32_t>(r.Number(n, "other_host_picks", s.other_host_picks, 0, 100));
}

void ReadHealth(Reader& r, const YAML::Node& n, HealthCheckSpec& h) {
  if (!r.Keys(n, "health_check", {"enabled", "interval", "timeout", "cost", "rise", "fall"})) {
    return;
  }
  h.enabled = r.Bool(n, "enabled", h.enabled);
  h.interval_s = r.Seconds(n, "interval", h.interval_s, 0.001);
  h.timeout_ms = r.Millis(n, "timeout", h.timeout_ms);
  h.cost = r.Number(n, "cost", h.cost, 0.0, 1000.0);
  h.rise = static_cast<uint32_t>(r.Number(n, "rise", h.rise, 1, 100));
  h.fall = static_cast<uint32_t>(r.Number(n, "fall", h.fall, 1, 100));
}

void ReadFaults(Reader& r, const YAML::Node& list, Scenario& sc) {
  if (!list.IsSequence()) {
    r.Problem(list, "faults must be a list");
    return;
  }
  for (const YAML::Node& n : list) {
    if (!r.Keys(n, "a fault",
                {"kind", "backends", "backend", "start", "end", "factor", "rate", "period",
                 "refuse_after"})) {
      return;
    }
    FaultSpec f;
    const std::string kind = r.String(n, "kind", "slow");
    if (kind == "slow") {
      f.kind = FaultSpec::Kind::kSlow;
    } else if (kind == "crash" || kind == "refuse") {
      f.kind = FaultSpec::Kind::kRefuse;
    } else if (kind == "blackhole") {
      f.kind = FaultSpec::Kind::kBlackhole;
    } else if (kind == "errors") {
      f.kind = FaultSpec::Kind::kErrors;
    } else if (kind == "flap") {
      f.kind = FaultSpec::Kind::kFlap;
    } else {
      r.Problem(n["kind"],
                "fault kind must be slow, crash, blackhole, errors or flap, got '" + kind + "'");
    }
    if (n["backend"]) {
      f.backends.push_back(static_cast<uint32_t>(r.Number(n, "backend", 0, 0, 1e9)));
    }
    if (const YAML::Node b = n["backends"]) {
      if (b.IsSequence()) {
        for (const YAML::Node& v : b) {
          f.backends.push_back(v.as<uint32_t>());
        }
      } else if (b.IsMap()) {
        // {first: 0, count: 50}: a range of backends.
        if (r.Keys(b, "backends", {"first", "count"})) {
          const uint32_t first = static_cast<uint32_t>(r.Number(b, "first", 0, 0, 1e9));
          const uint32_t count = static_cast<uint32_t>(r.Number(b, "count", 1, 1, 1e9));
          for (uint32_t i = 0; i < count; ++i) f.backends.push_back(first + i);
        }
      } else {
        r.Problem(b, "backends must be a list of indices or {first, count}");
      }
    }
    if (f.backends.empty()) r.Problem(n, "a fault needs backend or backends");
    for (uint32_t b : f.backends) {
      if (b >= sc.backends.size()) {
        r.Problem(n, "fault on backend " + std::to_string(b) + ", but there are only " +
                         std::to_string(sc.backends.size()));
        break;
      }
    }
    f.start_s = r.Seconds(n, "start", 0.0);
    f.end_s = r.Seconds(n, "end", kForever);
    if (f.end_s <= f.start_s) r.Problem(n, "a fault must end after it starts");
    f.factor = r.Number(n, "factor", f.factor, 1e-3, 1e6);
    f.rate = r.Number(n, "rate", f.rate, 0.0, 1.0);
    f.period_s = r.Seconds(n, "period", f.period_s, 0.001);
    sc.faults.push_back(f);
  }
}

}  // namespace

core::Result<Scenario> ParseScenario(std::string_view yaml_text, std::string_view origin) {
  Reader r{std::string(origin)};
  Scenario sc;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!r.Keys(root, "the scenario",
                {"name", "description", "duration", "measure_from", "tick", "trials", "seed",
                 "backends", "workload", "retry", "health_check", "metrics", "faults", "policies",
                 "policy_options"})) {
      return core::Fail(r.error());
    }
    sc.name = r.String(root, "name", "");
    if (sc.name.empty()) r.Problem(root, "a scenario needs a name");
    sc.description = r.String(root, "description", "");
    sc.duration_s = r.Seconds(root, "duration", sc.duration_s, 0.001);
    sc.measure_from_s = r.Seconds(root, "measure_from", 0.0);
    sc.tick_s = r.Seconds(root, "tick", sc.tick_s, 0.001);
    sc.trials = static_cast<uint32_t>(r.Number(root, "trials", sc.trials, 1, 10000));
    sc.seed = static_cast<uint64_t>(r.Number(root, "seed", 1, 0, 1e15));
    if (root["backends"]) {
      ReadBackends(r, root["backends"], sc);
    }
    if (sc.backends.empty() && r.ok()) r.Problem(root, "a scenario needs backends");
    if (const YAML::Node n = root["workload"]) ReadWorkload(r, n, sc.workload);
    if (const YAML::Node n = root["retry"]) ReadRetry(r, n, sc.retry);
    if (const YAML::Node n = root["health_check"]) ReadHealth(r, n, sc.health_check);
    if (const YAML::Node n = root["metrics"]) {
      if (r.Keys(n, "metrics", {"interval"})) {
        sc.metrics.interval_s = r.Seconds(n, "interval", sc.metrics.interval_s, 0.001);
      }
    }
    if (const YAML::Node n = root["faults"]) ReadFaults(r, n, sc);
    if (const YAML::Node n = root["policies"]) {
      if (!n.IsSequence()) {
        r.Problem(n, "policies must be a list");
      } else {
        for (const YAML::Node& v : n) sc.policies.push_back(v.as<std::string>());
      }
    }
    if (const YAML::Node n = root["policy_options"]) {
      if (!n.IsMap()) {
        r.Problem(n, "policy_options must map a policy label to its options");
      } else {
        for (const auto& kv : n) {
          core::OptionMap options;
          if (!kv.second.IsMap()) {
            r.Problem(kv.second, "options of " + kv.first.as<std::string>() + " must be a mapping");
            continue;
          }
          for (const auto& o : kv.second) {
            options[o.first.as<std::string>()] = o.second.as<std::string>();
          }
          sc.policy_options.emplace_back(kv.first.as<std::string>(), std::move(options));
        }
      }
    }
    if (sc.measure_from_s >= sc.duration_s) {
      r.Problem(root, "measure_from must be before the end of the run");
    }
  } catch (const YAML::Exception& e) {
    return core::Fail(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!r.ok()) return core::Fail(r.error());
  return sc;
}

std::vector<std::string> BuiltinScenarioNames() {
  std::vector<std::string> names;
  for (const BuiltinScenario& s : BuiltinScenarios()) names.emplace_back(s.name);
  return names;
}

core::Result<Scenario> LoadScenario(std::string_view name_or_path) {
  for (const BuiltinScenario& s : BuiltinScenarios()) {
    if (s.name == name_or_path) return ParseScenario(s.yaml, std::string(s.name) + ".yaml");
  }
  std::ifstream in{std::string(name_or_path)};
  if (!in) {
    std::string names;
    for (const std::string& n : BuiltinScenarioNames()) names += (names.empty() ? "" : ", ") + n;
    return core::Fail("no built-in scenario or file named '" + std::string(name_or_path) +
                      "' (built-in: " + names + ")");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), name_or_path);
}

}  // namespace huddle::sim
