#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "engine/telemetry_point.h"

namespace huddle::engine {

// One sample of the Prometheus text exposition format (version 0.0.4).
struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0.0;
};

// Parses exposition text; comments and blank lines are skipped, malformed lines counted in
// `bad_lines` and skipped (one bad line never loses the others). Handles quoted label values
// with \" \\ \n escapes, NaN, +Inf, -Inf and an optional timestamp.
std::vector<PromSample> ParsePrometheusText(std::string_view text, size_t* bad_lines = nullptr);

// How one TelemetryPoint field is read from a target's samples: the sum of every sample named
// `metric` whose labels include `labels`, times `scale`; a counter is turned into a per-second
// rate between two scrapes.
struct FieldMapping {
  std::string metric;
  std::map<std::string, std::string> labels;
  bool counter = false;
  double scale = 1.0;
};

// A configured scrape target: service id, URL and a mapping from field names (request_rate,
// error_rate, latency_p50, latency_p95, latency_p99, latency_mean, cpu_usage, mem_usage,
// active_conns, queue_depth, replicas) to metrics. error_rate may come from an error counter: it
// is divided by request_rate when `error_rate_is_count` is set.
struct ScrapeTarget {
  std::string service;
  std::string url;
  std::map<std::string, FieldMapping> fields;
  bool error_rate_is_count = false;

  static std::vector<std::string> FieldNames();
};

// Turns successive scrapes of one target into points. Not thread-safe.
class TargetScraper {
 public:
  explicit TargetScraper(ScrapeTarget target) : target_(std::move(target)) {}

  // The point for this scrape; nullopt while a counter has no previous value yet (first scrape)
  // or when no mapped metric was present.
  std::optional<TelemetryPoint> Build(const std::vector<PromSample>& samples, core::TimePoint now,
                                      double wall_s);
  const ScrapeTarget& target() const { return target_; }

 private:
  ScrapeTarget target_;
  std::map<std::string, double> previous_;  // counter values of the last scrape, by field
  std::optional<core::TimePoint> previous_at_;
};

}  // namespace huddle::engine
