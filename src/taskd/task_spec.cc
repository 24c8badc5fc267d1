#include "taskd/task_spec.h"

#include <fmt/format.h>

#include "core/options.h"

namespace huddle::taskd {
namespace {

using core::Fail;
using nlohmann::json;

core::Result<core::Duration> ReadDuration(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_number()) {
    if (v.get<double>() < 0) return Fail(fmt::format("{} must not be negative", key));
    return core::FromSeconds(v.get<double>());
  }
  if (!v.is_string()) return Fail(fmt::format("{} must be a duration such as \"5s\"", key));
  auto d = core::ParseDuration(v.get<std::string>());
  if (!d) return Fail(fmt::format("{}: {}", key, d.error().message));
  if (*d < core::Duration::zero()) return Fail(fmt::format("{} must not be negative", key));
  return *d;
}

core::Result<double> ReadNumber(const json& j, const char* key, double min, double max) {
  const json& v = j.at(key);
  if (!v.is_number()) return Fail(fmt::format("{} must be a number", key));
  const double x = v.get<double>();
  if (x < min || x > max) return Fail(fmt::format("{} must be in [{}, {}]", key, min, max));
  return x;
}

}  // namespace

std::string_view TaskKindName(TaskKind kind) {
  return kind == TaskKind::kCommand ? "command" : "synthetic";
}

json DurationToJson(core::Duration d) { return fmt::format("{}ms", core::ToMillis(d)); }

core::Result<TaskSpec> TaskSpecFromJson(const json& j) {
  if (!j.is_object()) return Fail("a task must be a JSON object");
  static const char* const kKnown[] = {"name",          "kind",
                                       "argv",          "duration",
                                       "hardware",      "preferred_hardware",
                                       "memory_gb",     "min_cuda_compute",
                                       "priority",      "expected_duration",
                                       "state_size_mb", "power_efficient",
                                       "load_share",    "group"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return Fail(fmt::format("unknown field '{}'", key));
  }
  TaskSpec s;
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Fail("name must be a string");
    s.name = j["name"].get<std::string>();
  }
  const std::string kind = j.value("kind", std::string("synthetic"));
  if (kind == "command") {
    s.kind = TaskKind::kCommand;
    if (!j.contains("argv") || !j["argv"].is_array() || j["argv"].empty()) {
      return Fail("a command task needs a non-empty argv array");
    }
    for (const json& a : j["argv"]) {
      if (!a.is_string()) return Fail("argv must hold strings");
      s.argv.push_back(a.get<std::string>());
    }
  } else if (kind == "synthetic") {
    s.kind = TaskKind::kSynthetic;
    if (!j.contains("duration")) return Fail("a synthetic task needs a duration");
    auto d = ReadDuration(j, "duration");
    if (!d) return std::unexpected(d.error());
    s.duration = *d;
  } else {
    return Fail(fmt::format("kind must be command or synthetic, not '{}'", kind));
  }
  core::TaskRequirements& r = s.requirements;
  if (j.contains("hardware")) {
    const json& h = j["hardware"];
    if (!h.is_array()) return Fail("hardware must be an array of names");
    for (const json& name : h) {
      auto t = name.is_string() ? core::ParseHardware(name.get<std::string>()) : std::nullopt;
      if (!t) return Fail(fmt::format("unknown hardware {}", name.dump()));
      r.hardware.Add(*t);
    }
  }
  if (j.contains("preferred_hardware")) {
    const json& h = j["preferred_hardware"];
    auto t = h.is_string() ? core::ParseHardware(h.get<std::string>()) : std::nullopt;
    if (!t) return Fail(fmt::format("unknown preferred_hardware {}", h.dump()));
    r.preferred_hardware = *t;
  }
  if (j.contains("memory_gb")) {
    auto v = ReadNumber(j, "memory_gb", 0, 1e6);
    if (!v) return std::unexpected(v.error());
    r.memory_gb = *v;
  }
  if (j.contains("min_cuda_compute")) {
    auto v = ReadNumber(j, "min_cuda_compute", 0, 100);
    if (!v) return std::unexpected(v.error());
    r.min_cuda_compute = *v;
  }
  if (j.contains("priority")) {
    auto v = ReadNumber(j, "priority", 0, 1000);
    if (!v) return std::unexpected(v.error());
    r.priority = static_cast<int>(*v);
  }
  if (j.contains("expected_duration")) {
    auto d = ReadDuration(j, "expected_duration");
    if (!d) return std::unexpected(d.error());
    r.expected_duration = *d;
  } else if (s.kind == TaskKind::kSynthetic) {
    r.expected_duration = s.duration;
  }
  if (j.contains("state_size_mb")) {
    auto v = ReadNumber(j, "state_size_mb", 0, 1e9);
    if (!v) return std::unexpected(v.error());
    r.state_size_mb = *v;
  }
  if (j.contains("power_efficient")) {
    if (!j["power_efficient"].is_boolean()) return Fail("power_efficient must be true or false");
    r.power_efficient = j["power_efficient"].get<bool>();
  }
  if (j.contains("load_share")) {
    auto v = ReadNumber(j, "load_share", 0, 1);
    if (!v) return std::unexpected(v.error());
    s.load_share = *v;
  }
  if (j.contains("group")) {
    if (!j["group"].is_string()) return Fail("group must be a string");
    s.group = j["group"].get<std::string>();
  } else {
    s.group = s.kind == TaskKind::kCommand ? s.argv.front() : "synthetic";
  }
  return s;
}

json TaskSpecToJson(const TaskSpec& s) {
  json j;
  j["name"] = s.name;
  j["kind"] = TaskKindName(s.kind);
  if (s.kind == TaskKind::kCommand) j["argv"] = s.argv;
  if (s.kind == TaskKind::kSynthetic) j["duration"] = DurationToJson(s.duration);
  const core::TaskRequirements& r = s.requirements;
  json hw = json::array();
  for (core::HardwareType t : core::kAllHardwareTypes) {
    if (r.hardware.Has(t)) hw.push_back(core::HardwareName(t));
  }
  j["hardware"] = hw;
  if (r.preferred_hardware) j["preferred_hardware"] = core::HardwareName(*r.preferred_hardware);
  j["memory_gb"] = r.memory_gb;
  j["min_cuda_compute"] = r.min_cuda_compute;
  j["priority"] = r.priority;
  j["expected_duration"] = DurationToJson(r.expected_duration);
  j["state_size_mb"] = r.state_size_mb;
  j["power_efficient"] = r.power_efficient;
  j["load_share"] = s.load_share;
  j["group"] = s.group;
  return j;
}

}  // namespace huddle::taskd
