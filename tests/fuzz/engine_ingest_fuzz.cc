// Fuzzes the engine's ingest body (POST /api/v1/telemetry, docs/engine.md): any body gives points
// and per-point errors or one error, and every point it keeps is one ValidatePoint accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/telemetry_point.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  huddle::engine::IngestLimits limits;
  limits.max_points = 16;
  limits.max_upstream_calls = 8;
  const auto parsed = huddle::engine::ParseIngestBody(body, limits);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty(), "an error without a message");
    return 0;
  }
  FUZZ_CHECK(parsed->points.size() + parsed->errors.size() <= limits.max_points,
             "more points than the limit");
  for (const auto& point : parsed->points) {
    FUZZ_CHECK(huddle::engine::ValidatePoint(point, limits).has_value(), "kept an invalid point");
  }
  for (const auto& error : parsed->errors) {
    FUZZ_CHECK(!error.message.empty(), "a point error without a message");
  }
  return 0;
}
