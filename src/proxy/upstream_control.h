#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proxy/fault_plan.h"

namespace huddle::proxy {

// The fault-control API of `huddle upstream --control-port`, without I/O: what a request asks
// for, and the JSON the server answers. The vocabulary is --fault's (fault_plan.h).
//
//   GET    /faults   the plan, where it came from, the current state and the serving counters
//   POST   /faults   {"faults": ["slow:factor=6", "crash:at=2s,for=5s", ...]}: replaces the plan
//                    (the command line's script included); at/for count from this request
//   DELETE /faults   clears every fault (the script too)
//   GET    /healthz  "ok"
//
// Pure functions; the server (upstream_server.cc) applies the action on its own thread.
struct ControlAction {
  enum class Kind { kStatus, kReplace, kClear, kHealth };
  Kind kind = Kind::kStatus;
  std::vector<FaultSpec> plan;  // kReplace
};

// An answer the request gets instead of an action: 400 (bad body or spec), 404, 405.
struct ControlRejection {
  int status = 400;
  std::string message;
};

// Reads one request; the body is read only for POST /faults.
std::variant<ControlAction, ControlRejection> ParseControlRequest(std::string_view method,
                                                                  std::string_view path,
                                                                  std::string_view body);

// What GET /faults and every accepted change answer.
struct UpstreamStatus {
  std::string name;
  std::string source;  // "none", "script" (--fault), "api" (this API), "test" (SetFault)
  std::vector<FaultSpec> plan;
  double plan_elapsed_s = 0;  // since the plan started (at/for count from there)
  FaultState state;
  uint64_t served = 0;
  uint64_t in_service = 0;
  uint64_t queued = 0;
  size_t max_concurrency = 0;
};

std::string UpstreamStatusJson(const UpstreamStatus& status);
std::string ControlErrorJson(std::string_view message);

}  // namespace huddle::proxy
