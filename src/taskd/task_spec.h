#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tasks/task_model.h"
#include "core/time.h"

namespace huddle::taskd {

// What a task does when a worker runs it.
enum class TaskKind {
  kCommand,    // runs `argv` (no shell); exit code and output are captured
  kSynthetic,  // keeps one core busy for `duration` (the Echo/Finn lab's video-decoding emulation)
};

// A task as submitted to the coordinator. Plain value; the JSON form is the API's (docs/taskd.md):
//   {"name": "...", "kind": "command"|"synthetic", "argv": [...], "duration": "5s",
//    "hardware": ["cpu", "cuda"], "preferred_hardware": "cuda", "memory_gb": 1.0,
//    "min_cuda_compute": 0, "priority": 1, "expected_duration": "10s", "state_size_mb": 0,
//    "power_efficient": false, "load_share": 0 (0 = one core of the worker)}
struct TaskSpec {
  std::string name;
  TaskKind kind = TaskKind::kSynthetic;
  std::vector<std::string> argv;  // kCommand
  core::Duration duration{};      // kSynthetic
  core::TaskRequirements requirements;
  double load_share = 0.0;  // utilisation it adds to a worker; 0 = 1 / cores
  std::string group;        // kind used by the learned history ("synthetic", argv[0]...)
};

// What a finished task produced.
struct TaskResult {
  bool ok = false;
  int exit_code = 0;
  std::string output;  // stdout and stderr, truncated to kMaxOutputBytes
  std::string error;   // why it could not run, when it could not
};

inline constexpr size_t kMaxOutputBytes = 64 * 1024;

// Parses and validates a submitted task; the error names the bad field.
core::Result<TaskSpec> TaskSpecFromJson(const nlohmann::json& json);
nlohmann::json TaskSpecToJson(const TaskSpec& spec);

std::string_view TaskKindName(TaskKind kind);

// "250ms", "1.5s", "2m" or a number of seconds, as JSON.
nlohmann::json DurationToJson(core::Duration d);

}  // namespace huddle::taskd
