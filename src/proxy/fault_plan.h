#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace huddle::proxy {

// What a test upstream is doing wrong right now. Default: nothing.
struct FaultState {
  double slow_factor = 1.0;  // latency multiplier (>= 1 slows down)
  double error_rate = 0.0;   // share of requests answered with error_status
  int error_status = 500;
  bool refuse = false;      // crashed: listener closed, connections reset, connects refused
  bool hang = false;        // accept and read, never answer
  double reset_rate = 0.0;  // share of responses cut mid-body with a TCP reset

  bool operator==(const FaultState&) const = default;
};

enum class FaultKind { kSlow, kError, kCrash, kHang, kReset };

// One scripted fault: from `at` after start, for `duration` (forever when absent).
// Text form, as on the command line: KIND[:key=value,...], for example
//   slow:factor=5,at=30s,for=60s   error:rate=0.5,status=503   crash:at=20s,for=10s
//   hang:at=5s                     reset:rate=0.1
struct FaultSpec {
  FaultKind kind = FaultKind::kSlow;
  core::Duration at{0};
  std::optional<core::Duration> duration;
  double factor = 5.0;  // slow
  double rate = 1.0;    // error, reset
  int status = 500;     // error
};

core::Result<FaultSpec> ParseFaultSpec(const std::string& text);

// The text form of a spec, which ParseFaultSpec reads back to the same spec (durations in ms).
std::string FormatFaultSpec(const FaultSpec& spec);

// The fault state at `elapsed` since start: every active spec applied in order.
FaultState FaultStateAt(const std::vector<FaultSpec>& plan, core::Duration elapsed);

}  // namespace huddle::proxy
