#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tasks/task_ledger.h"
#include "core/tasks/task_model.h"
#include "taskd/task_spec.h"

namespace huddle::taskd {

// The messages between a worker and the coordinator (JSON over HTTP; see docs/taskd.md).
//
// The link is a poll loop: the worker POSTs a PollRequest every heartbeat interval and gets the
// commands queued for it. Both directions are numbered and acknowledged, so the link is reliable
// and ordered (what the migration protocol in core/tasks/task_ledger.h assumes): the coordinator
// resends commands until a poll acknowledges them, the worker resends reports until a response
// acknowledges them, and each side applies a sequence number once.

// What a worker offers; sent once at registration.
struct WorkerProfile {
  std::string name;
  core::HardwareSet hardware{core::HardwareType::kCpu};
  core::HardwareType primary = core::HardwareType::kCpu;
  int cores = 1;
  double memory_gb = 1.0;
  double cuda_compute = 0.0;
  int max_tasks = 0;     // 0 = one per core
  std::string node;      // overlay node name (overlay mode only)
  std::string wave_url;  // where its neighbours send wave messages (overlay mode only)
};

struct WorkerReport {
  enum class Type { kStarted, kRejected, kStopped, kFinished };
  uint64_t seq = 0;
  Type type = Type::kStarted;
  core::TaskId task = 0;
  uint64_t attempt = 0;
  TaskResult result;  // kFinished
};

struct WorkerCommand {
  uint64_t seq = 0;
  core::TaskCommand::Kind kind = core::TaskCommand::Kind::kStart;
  core::TaskId task = 0;
  uint64_t attempt = 0;
  TaskSpec spec;  // kStart
};

struct PollRequest {
  uint64_t command_ack = 0;  // highest command seq applied
  core::WorkerUsage usage;
  std::vector<core::TaskId> running;  // taken after every report below was queued
  std::vector<WorkerReport> reports;  // unacknowledged, in seq order
};

// Overlay mode: the coordinator tells a worker its neighbours' wave URLs and, on the initiator,
// when to start a wave.
struct OverlayNeighbor {
  std::string node;
  std::string url;
};

struct PollResponse {
  bool lost = false;        // the coordinator declared this worker lost: drop tasks, re-register
  uint64_t report_ack = 0;  // highest report seq processed
  std::vector<WorkerCommand> commands;
  std::vector<OverlayNeighbor> neighbors;  // overlay mode, once every node has registered
  uint64_t start_wave = 0;                 // overlay initiator: start a balancing wave with this id
};

nlohmann::json ToJson(const WorkerProfile& p);
nlohmann::json ToJson(const WorkerReport& r);
nlohmann::json ToJson(const WorkerCommand& c);
nlohmann::json ToJson(const PollRequest& r);
nlohmann::json ToJson(const PollResponse& r);
nlohmann::json ToJson(const TaskResult& r);

core::Result<WorkerProfile> WorkerProfileFromJson(const nlohmann::json& j);
core::Result<PollRequest> PollRequestFromJson(const nlohmann::json& j);
core::Result<PollResponse> PollResponseFromJson(const nlohmann::json& j);

std::string_view ReportTypeName(WorkerReport::Type type);

}  // namespace huddle::taskd
