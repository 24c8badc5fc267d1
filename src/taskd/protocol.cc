#include "taskd/protocol.h"

#include <fmt/format.h>

namespace huddle::taskd {
namespace {

using core::Fail;
using nlohmann::json;

nlohmann::json HardwareList(core::HardwareSet set) {
  json out = json::array();
  for (core::HardwareType t : core::kAllHardwareTypes) {
    if (set.Has(t)) out.push_back(core::HardwareName(t));
  }
  return out;
}

TaskResult TaskResultFromJson(const json& j) {
  TaskResult r;
  r.ok = j.value("ok", false);
  r.exit_code = j.value("exit_code", 0);
  r.output = j.value("output", std::string());
  r.error = j.value("error", std::string());
  return r;
}

}  // namespace

std::string_view ReportTypeName(WorkerReport::Type type) {
  switch (type) {
    case WorkerReport::Type::kStarted:
      return "started";
    case WorkerReport::Type::kRejected:
      return "rejected";
    case WorkerReport::Type::kStopped:
      return "stopped";
    case WorkerReport::Type::kFinished:
      return "finished";
  }
  return "?";
}

json ToJson(const TaskResult& r) {
  return {{"ok", r.ok}, {"exit_code", r.exit_code}, {"output", r.output}, {"error", r.error}};
}

json ToJson(const WorkerProfile& p) {
  return {{"name", p.name},
          {"hardware", HardwareList(p.hardware)},
          {"primary", core::HardwareName(p.primary)},
          {"cores", p.cores},
          {"memory_gb", p.memory_gb},
          {"cuda_compute", p.cuda_compute},
          {"max_tasks", p.max_tasks},
          {"node", p.node},
          {"wave_url", p.wave_url}};
}

json ToJson(const WorkerReport& r) {
  json j = {
      {"seq", r.seq}, {"type", ReportTypeName(r.type)}, {"task", r.task}, {"attempt", r.attempt}};
  if (r.type == WorkerReport::Type::kFinished) j["result"] = ToJson(r.result);
  return j;
}

json ToJson(const WorkerCommand& c) {
  json j = {{"seq", c.seq},
            {"type", c.kind == core::TaskCommand::Kind::kStart ? "start" : "cancel"},
            {"task", c.task},
            {"attempt", c.attempt}};
  if (c.kind == core::TaskCommand::Kind::kStart) j["spec"] = TaskSpecToJson(c.spec);
  return j;
}

json ToJson(const PollRequest& r) {
  json reports = json::array();
  for (const WorkerReport& x : r.reports) reports.push_back(ToJson(x));
  return {{"command_ack", r.command_ack},
          {"usage",
           {{"cpu", r.usage.cpu}, {"memory", r.usage.memory}, {"gpu_memory", r.usage.gpu_memory}}},
          {"running", r.running},
          {"reports", reports}};
}

json ToJson(const PollResponse& r) {
  json commands = json::array();
  for (const WorkerCommand& c : r.commands) commands.push_back(ToJson(c));
  json neighbors = json::array();
  for (const OverlayNeighbor& n : r.neighbors) {
    neighbors.push_back({{"node", n.node}, {"url", n.url}});
  }
  return {{"lost", r.lost},
          {"report_ack", r.report_ack},
          {"commands", commands},
          {"neighbors", neighbors},
          {"start_wave", r.start_wave}};
}

core::Result<WorkerProfile> WorkerProfileFromJson(const json& j) {
  try {
    WorkerProfile p;
    p.name = j.value("name", std::string());
    if (j.contains("hardware")) {
      p.hardware = core::HardwareSet{};
      for (const json& h : j.at("hardware")) {
        auto t = core::ParseHardware(h.get<std::string>());
        if (!t) return Fail(fmt::format("unknown hardware {}", h.dump()));
        p.hardware.Add(*t);
      }
    }
    if (j.contains("primary")) {
      auto t = core::ParseHardware(j.at("primary").get<std::string>());
      if (!t) return Fail("unknown primary hardware");
      p.primary = *t;
    } else {
      for (core::HardwareType t : core::kAllHardwareTypes) {
        if (p.hardware.Has(t) && core::DefaultHardwareProfile(t).performance_weight >
                                     core::DefaultHardwareProfile(p.primary).performance_weight) {
          p.primary = t;
        }
      }
    }
    p.hardware.Add(p.primary);
    p.cores = j.value("cores", 1);
    p.memory_gb = j.value("memory_gb", 1.0);
    p.cuda_compute = j.value("cuda_compute", 0.0);
    p.max_tasks = j.value("max_tasks", 0);
    p.node = j.value("node", std::string());
    p.wave_url = j.value("wave_url", std::string());
    if (p.cores < 1 || p.cores > 4096) return Fail("cores must be in [1, 4096]");
    if (p.memory_gb <= 0) return Fail("memory_gb must be positive");
    if (p.max_tasks < 0) return Fail("max_tasks must not be negative");
    return p;
  } catch (const json::exception& e) {
    return Fail(std::string("bad worker profile: ") + e.what());
  }
}

core::Result<PollRequest> PollRequestFromJson(const json& j) {
  try {
    PollRequest r;
    r.command_ack = j.value("command_ack", uint64_t{0});
    if (j.contains("usage")) {
      const json& u = j.at("usage");
      r.usage.cpu = std::clamp(u.value("cpu", 0.0), 0.0, 1.0);
      r.usage.memory = std::clamp(u.value("memory", 0.0), 0.0, 1.0);
      r.usage.gpu_memory = std::clamp(u.value("gpu_memory", 0.0), 0.0, 1.0);
    }
    if (j.contains("running")) r.running = j.at("running").get<std::vector<core::TaskId>>();
    if (j.contains("reports")) {
      for (const json& x : j.at("reports")) {
        WorkerReport w;
        w.seq = x.at("seq").get<uint64_t>();
        w.task = x.at("task").get<core::TaskId>();
        w.attempt = x.at("attempt").get<uint64_t>();
        const std::string type = x.at("type").get<std::string>();
        if (type == "started") {
          w.type = WorkerReport::Type::kStarted;
        } else if (type == "rejected") {
          w.type = WorkerReport::Type::kRejected;
        } else if (type == "stopped") {
          w.type = WorkerReport::Type::kStopped;
        } else if (type == "finished") {
          w.type = WorkerReport::Type::kFinished;
          if (x.contains("result")) w.result = TaskResultFromJson(x.at("result"));
        } else {
          return Fail(fmt::format("unknown report type '{}'", type));
        }
        r.reports.push_back(std::move(w));
      }
    }
    return r;
  } catch (const json::exception& e) {
    return Fail(std::string("bad poll request: ") + e.what());
  }
}

core::Result<PollResponse> PollResponseFromJson(const json& j) {
  try {
    PollResponse r;
    r.lost = j.value("lost", false);
    r.report_ack = j.value("report_ack", uint64_t{0});
    r.start_wave = j.value("start_wave", uint64_t{0});
    for (const json& c : j.value("commands", json::array())) {
      WorkerCommand w;
      w.seq = c.at("seq").get<uint64_t>();
      w.task = c.at("task").get<core::TaskId>();
      w.attempt = c.at("attempt").get<uint64_t>();
      const std::string type = c.at("type").get<std::string>();
      if (type == "start") {
        w.kind = core::TaskCommand::Kind::kStart;
        auto spec = TaskSpecFromJson(c.at("spec"));
        if (!spec) return Fail("bad spec in start command: " + spec.error().message);
        w.spec = std::move(*spec);
      } else if (type == "cancel") {
        w.kind = core::TaskCommand::Kind::kCancel;
      } else {
        return Fail(fmt::format("unknown command type '{}'", type));
      }
      r.commands.push_back(std::move(w));
    }
    for (const json& n : j.value("neighbors", json::array())) {
      r.neighbors.push_back({n.at("node").get<std::string>(), n.at("url").get<std::string>()});
    }
    return r;
  } catch (const json::exception& e) {
    return Fail(std::string("bad poll response: ") + e.what());
  }
}

}  // namespace huddle::taskd
