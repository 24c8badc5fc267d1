#pragma once

#include <cstdint>
#include <limits>

#include "core/time.h"

namespace huddle::core {

// Index of a backend in its cluster's backend list. Stable while the backend exists; bodies size
// per-backend arrays by RoutingTable::backend_slots.
using BackendIndex = uint32_t;
inline constexpr BackendIndex kNoBackend = std::numeric_limits<BackendIndex>::max();

// Why a request failed, as far as the body could tell.
enum class FailureKind : uint8_t {
  kNone,            // the backend answered (status may still be 5xx)
  kConnectRefused,  // connection refused or reset before the request was written
  kConnectTimeout,  // no connection within the connect timeout
  kReset,           // connection lost after the request was written
  kTimeout,         // no (complete) response within the response timeout
  kLocal,           // the proxy itself gave up (cancelled, overloaded)
};

// How one request to one backend ended.
struct Outcome {
  Duration latency{};  // from dispatch to the end of the response (or to the failure)
  bool ok = true;      // false for transport failures and for 5xx statuses
  int status = 200;    // HTTP status; 0 when no response was received
  FailureKind failure = FailureKind::kNone;

  static Outcome Success(Duration latency, int status = 200) {
    return Outcome{latency, status < 500, status, FailureKind::kNone};
  }
  static Outcome Failure(Duration latency, FailureKind kind) {
    return Outcome{latency, false, 0, kind};
  }
  bool IsGatewayError() const {
    return failure != FailureKind::kNone || status == 502 || status == 503 || status == 504;
  }
  bool Is5xx() const { return failure != FailureKind::kNone || status >= 500; }
};

// A load report about one backend. Fields that were not measured are NaN.
// Units: cpu and memory utilisation in [0, 1]; load_average as the OS reports it.
struct BackendMetrics {
  TimePoint timestamp{};
  double cpu = std::numeric_limits<double>::quiet_NaN();
  double cpu_stolen = std::numeric_limits<double>::quiet_NaN();
  double memory_used_bytes = std::numeric_limits<double>::quiet_NaN();
  double memory_max_bytes = std::numeric_limits<double>::quiet_NaN();
  double load_average = std::numeric_limits<double>::quiet_NaN();
  double processors = std::numeric_limits<double>::quiet_NaN();
  double active_connections = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace huddle::core
