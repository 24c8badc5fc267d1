#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace huddle::engine {

// One call edge reported by a service: it calls `target_service_id` at `call_rate` rps.
struct UpstreamCall {
  std::string target_service_id;
  double call_rate = 0.0;     // rps
  double error_rate = 0.0;    // [0, 1]
  double latency_mean = 0.0;  // ms
};

// One telemetry point, LoadEquilibrium's ingest schema plus two optional huddle fields
// (`replicas`, `shed_rate`). `request_rate` counts every request that reached the service's
// entry, including those huddle shed. Latencies are milliseconds, rates per second, usages in
// [0, 1].
// Absent optional numbers are NaN.
struct TelemetryPoint {
  std::string service_id;
  double timestamp_s = 0.0;  // Unix seconds (0 when absent); RFC 3339 strings are converted
  double request_rate = 0.0;
  double error_rate = 0.0;
  double latency_p50 = 0.0;
  double latency_p95 = 0.0;
  double latency_p99 = 0.0;
  double latency_mean = 0.0;
  double cpu_usage = kUnknown;  // busy fraction per replica, [0, 1]
  double mem_usage = kUnknown;  // [0, 1]
  double active_conns = kUnknown;
  double queue_depth = 0.0;
  // huddle extensions, both optional:
  double replicas = kUnknown;  // ready replicas serving the service
  double shed_rate = 0.0;      // of request_rate, requests rejected at the entry (503), per second
  std::vector<UpstreamCall> upstream_calls;

  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
};

// Limits of one ingest request.
struct IngestLimits {
  size_t max_points = 512;
  size_t max_body_bytes = 4 << 20;
  size_t max_service_id_bytes = 128;
  size_t max_upstream_calls = 64;
};

// A rejected point: its index in the request and every field that was wrong.
struct PointError {
  size_t index = 0;
  std::string message;  // "points[3].latency.p99: must be a finite number >= 0; ..."
};

struct ParsedIngest {
  std::vector<TelemetryPoint> points;  // the valid ones, in request order
  std::vector<PointError> errors;      // one per invalid point
};

// Parses an ingest body: one JSON object or an array of them. A body that is not JSON, is too
// large, has too many points or is neither object nor array is an Error (the whole request is
// rejected). Otherwise every point is validated on its own: valid points are kept even when
// others in the same request are rejected (no good point is lost), and each bad point yields one
// PointError naming every bad field. Validation: service_id non-empty, <= 128 bytes, printable
// ASCII without spaces; rates, latencies, conns and queue depth finite and >= 0; error_rate, usages
// in [0, 1] (cpu and mem also accept percentages in (1, 100], divided by 100); latency percentiles
// ordered p50 <= p95 <= p99; timestamp a number of Unix seconds (or milliseconds when > 1e11) or an
// RFC 3339 string; unknown fields are ignored (forward compatibility, as LoadEquilibrium).
core::Result<ParsedIngest> ParseIngestBody(std::string_view body, const IngestLimits& limits = {});

// Validates a point built in C++ (the proxy feed, the scenario plant): the same rules as JSON.
core::Result<void> ValidatePoint(const TelemetryPoint& point, const IngestLimits& limits = {});

}  // namespace huddle::engine
