#include "engine/telemetry_point.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

namespace huddle::engine {
namespace {

using nlohmann::json;

// Collects the problems of one point as "path: message" pieces.
class FieldErrors {
 public:
  explicit FieldErrors(std::string prefix) : prefix_(std::move(prefix)) {}
  void Add(std::string_view field, std::string_view message) {
    if (!text_.empty()) text_ += "; ";
    if (field.empty() && !prefix_.empty() && prefix_.back() == '.') {
      text_ += std::string_view(prefix_).substr(0, prefix_.size() - 1);
    } else {
      text_ += prefix_;
    }
    text_ += field;
    text_ += ": ";
    text_ += message;
  }
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  std::string prefix_;
  std::string text_;
};

bool ValidServiceId(std::string_view id, size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.250+02:00": Unix seconds, or nullopt.
std::optional<double> ParseRfc3339(std::string_view s) {
  int y, mo, d, h, mi;
  double sec;
  int consumed = 0;
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec,
                  &consumed) != 6) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61) {
    return std::nullopt;
  }
  std::string_view zone = s.substr(static_cast<size_t>(consumed));
  double offset_s = 0;
  if (zone == "Z" || zone == "z") {
    offset_s = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(zone.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2) {
      return std::nullopt;
    }
    offset_s = (zone[0] == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
  } else {
    return std::nullopt;
  }
  const double days =
      static_cast<double>(DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)));
  return days * 86400.0 + h * 3600.0 + mi * 60.0 + sec - offset_s;
}

// Reads an optional number field. Absent or null leaves `out` unchanged.
void ReadNumber(const json& object, const char* key, std::string_view path, double& out,
                FieldErrors& errors) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return;
  if (!it->is_number()) {
    errors.Add(path, "must be a number");
    return;
  }
  out = it->get<double>();
}

void CheckPoint(const TelemetryPoint& p, const IngestLimits& limits, FieldErrors& errors) {
  if (!ValidServiceId(p.service_id, limits.max_service_id_bytes)) {
    errors.Add("service_id", "must be 1 to " + std::to_string(limits.max_service_id_bytes) +
                                 " printable characters without spaces");
  }
  auto non_negative = [&](std::string_view field, double v) {
    if (!std::isfinite(v) || v < 0) errors.Add(field, "must be a finite number >= 0");
  };
  auto fraction = [&](std::string_view field, double v, bool optional) {
    if (optional && std::isnan(v)) return;
    if (!std::isfinite(v) || v < 0 || v > 1) errors.Add(field, "must be between 0 and 1");
  };
  if (!std::isfinite(p.timestamp_s) || p.timestamp_s < 0) {
    errors.Add("timestamp", "must be Unix seconds >= 0 or an RFC 3339 time");
  }
  non_negative("request_rate", p.request_rate);
  fraction("error_rate", p.error_rate, false);
  non_negative("latency.p50", p.latency_p50);
  non_negative("latency.p95", p.latency_p95);
  non_negative("latency.p99", p.latency_p99);
  non_negative("latency.mean", p.latency_mean);
  if (p.latency_p50 > p.latency_p95 || p.latency_p95 > p.latency_p99) {
    errors.Add("latency", "percentiles must be ordered p50 <= p95 <= p99");
  }
  fraction("cpu_usage", p.cpu_usage, true);
  fraction("mem_usage", p.mem_usage, true);
  if (!std::isnan(p.active_conns)) non_negative("active_conns", p.active_conns);
  non_negative("queue_depth", p.queue_depth);
  if (!std::isnan(p.replicas) && (!std::isfinite(p.replicas) || p.replicas < 0)) {
    errors.Add("replicas", "must be a finite number >= 0");
  }
  non_negative("shed_rate", p.shed_rate);
  if (std::isfinite(p.shed_rate) && std::isfinite(p.request_rate) && p.request_rate >= 0 &&
      p.shed_rate > p.request_rate * (1 + 1e-9) + 1e-9) {
    errors.Add("shed_rate", "must not exceed request_rate");
  }
  if (p.upstream_calls.size() > limits.max_upstream_calls) {
    errors.Add("upstream_calls",
               "at most " + std::to_string(limits.max_upstream_calls) + " entries");
  }
  for (size_t i = 0; i < p.upstream_calls.size(); ++i) {
    const UpstreamCall& call = p.upstream_calls[i];
    const std::string at = "upstream_calls[" + std::to_string(i) + "]";
    if (!ValidServiceId(call.target_service_id, limits.max_service_id_bytes)) {
      errors.Add(at + ".target_service_id", "must be a valid service id");
    }
    if (!std::isfinite(call.call_rate) || call.call_rate < 0) {
      errors.Add(at + ".call_rate", "must be a finite number >= 0");
    }
    if (!std::isfinite(call.error_rate) || call.error_rate < 0 || call.error_rate > 1) {
      errors.Add(at + ".error_rate", "must be between 0 and 1");
    }
    if (!std::isfinite(call.latency_mean) || call.latency_mean < 0) {
      errors.Add(at + ".latency_mean", "must be a finite number >= 0");
    }
  }
}

// Percentages in (1, 100] are accepted for usages (Prometheus exporters report both).
void NormaliseUsage(double& v) {
  if (std::isfinite(v) && v > 1.0 && v <= 100.0) v /= 100.0;
}

std::optional<TelemetryPoint> ParsePoint(const json& j, const IngestLimits& limits,
                                         FieldErrors& errors) {
  if (!j.is_object()) {
    errors.Add("", "must be a JSON object");
    return std::nullopt;
  }
  TelemetryPoint p;
  if (auto it = j.find("service_id"); it == j.end()) {
    errors.Add("service_id", "is required");
  } else if (!it->is_string()) {
    errors.Add("service_id", "must be a string");
  } else {
    p.service_id = it->get<std::string>();
  }
  if (auto it = j.find("timestamp"); it != j.end() && !it->is_null()) {
    if (it->is_number()) {
      p.timestamp_s = it->get<double>();
      if (p.timestamp_s > 1e11) p.timestamp_s /= 1000.0;  // milliseconds
    } else if (it->is_string()) {
      auto t = ParseRfc3339(it->get_ref<const std::string&>());
      if (t) {
        p.timestamp_s = *t;
      } else {
        errors.Add("timestamp", "is not an RFC 3339 time (2024-05-01T12:00:00Z)");
      }
    } else {
      errors.Add("timestamp", "must be a number or an RFC 3339 string");
    }
  }
  ReadNumber(j, "request_rate", "request_rate", p.request_rate, errors);
  ReadNumber(j, "error_rate", "error_rate", p.error_rate, errors);
  if (auto it = j.find("latency"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      errors.Add("latency", "must be an object {p50, p95, p99, mean}");
    } else {
      ReadNumber(*it, "p50", "latency.p50", p.latency_p50, errors);
      ReadNumber(*it, "p95", "latency.p95", p.latency_p95, errors);
      ReadNumber(*it, "p99", "latency.p99", p.latency_p99, errors);
      ReadNumber(*it, "mean", "latency.mean", p.latency_mean, errors);
    }
  }
  ReadNumber(j, "cpu_usage", "cpu_usage", p.cpu_usage, errors);
  ReadNumber(j, "mem_usage", "mem_usage", p.mem_usage, errors);
  NormaliseUsage(p.cpu_usage);
  NormaliseUsage(p.mem_usage);
  ReadNumber(j, "active_conns", "active_conns", p.active_conns, errors);
  ReadNumber(j, "queue_depth", "queue_depth", p.queue_depth, errors);
  ReadNumber(j, "replicas", "replicas", p.replicas, errors);
  ReadNumber(j, "shed_rate", "shed_rate", p.shed_rate, errors);
  if (auto it = j.find("upstream_calls"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      errors.Add("upstream_calls", "must be an array");
    } else if (it->size() <= limits.max_upstream_calls) {
      for (size_t i = 0; i < it->size(); ++i) {
        const json& c = (*it)[i];
        const std::string at = "upstream_calls[" + std::to_string(i) + "]";
        if (!c.is_object()) {
          errors.Add(at, "must be an object");
          continue;
        }
        UpstreamCall call;
        if (auto t = c.find("target_service_id"); t != c.end() && t->is_string()) {
          call.target_service_id = t->get<std::string>();
        }
        ReadNumber(c, "call_rate", at + ".call_rate", call.call_rate, errors);
        ReadNumber(c, "error_rate", at + ".error_rate", call.error_rate, errors);
        ReadNumber(c, "latency_mean", at + ".latency_mean", call.latency_mean, errors);
        p.upstream_calls.push_back(std::move(call));
      }
    } else {
      p.upstream_calls.resize(it->size());  // CheckPoint reports the count
    }
  }
  if (!errors.empty()) return std::nullopt;  // type errors: value checks would repeat them
  CheckPoint(p, limits, errors);
  if (!errors.empty()) return std::nullopt;
  return p;
}

}  // namespace

core::Result<void> ValidatePoint(const TelemetryPoint& point, const IngestLimits& limits) {
  FieldErrors errors("");
  CheckPoint(point, limits, errors);
  if (!errors.empty()) return core::Fail(errors.text());
  return {};
}

core::Result<ParsedIngest> ParseIngestBody(std::string_view body, const IngestLimits& limits) {
  if (body.size() > limits.max_body_bytes) {
    return core::Fail("body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return core::Fail("body is not valid JSON");
  ParsedIngest out;
  auto one = [&](const json& j, size_t index, std::string prefix) {
    FieldErrors errors(std::move(prefix));
    auto p = ParsePoint(j, limits, errors);
    if (p) {
      out.points.push_back(std::move(*p));
    } else {
      out.errors.push_back({index, errors.text()});
    }
  };
  if (doc.is_object()) {
    one(doc, 0, "");
  } else if (doc.is_array()) {
    if (doc.empty()) return core::Fail("body is an empty array");
    if (doc.size() > limits.max_points) {
      return core::Fail("at most " + std::to_string(limits.max_points) +
                        " points per request, got " + std::to_string(doc.size()));
    }
    out.points.reserve(doc.size());
    for (size_t i = 0; i < doc.size(); ++i) one(doc[i], i, "points[" + std::to_string(i) + "].");
  } else {
    return core::Fail("body must be a JSON object or an array of objects");
  }
  return out;
}

}  // namespace huddle::engine
