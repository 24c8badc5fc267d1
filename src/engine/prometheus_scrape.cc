#include "engine/prometheus_scrape.h"

#include <cmath>
#include <cstdlib>

namespace huddle::engine {
namespace {

bool ParseValue(std::string_view s, double& out) {
  if (s == "NaN") {
    out = std::nan("");
    return true;
  }
  if (s == "+Inf" || s == "Inf") {
    out = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    out = -INFINITY;
    return true;
  }
  const std::string text(s);
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0';
}

std::optional<PromSample> ParseLine(std::string_view line) {
  PromSample s;
  size_t i = 0;
  while (i < line.size() &&
         (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == ':')) {
    ++i;
  }
  if (i == 0) return std::nullopt;
  s.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      const size_t key_start = i;
      while (i < line.size() && line[i] != '=' && line[i] != '}') ++i;
      if (i >= line.size() || line[i] != '=') return std::nullopt;
      std::string key(line.substr(key_start, i - key_start));
      ++i;
      if (i >= line.size() || line[i] != '"') return std::nullopt;
      ++i;
      std::string value;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value += line[i] == 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
        ++i;
      }
      if (i >= line.size()) return std::nullopt;
      ++i;  // closing quote
      s.labels.emplace(std::move(key), std::move(value));
    }
  }
  while (i < line.size() && line[i] == ' ') ++i;
  size_t end = i;
  while (end < line.size() && line[end] != ' ') ++end;
  if (!ParseValue(line.substr(i, end - i), s.value)) return std::nullopt;
  return s;
}

}  // namespace

std::vector<PromSample> ParsePrometheusText(std::string_view text, size_t* bad_lines) {
  std::vector<PromSample> out;
  size_t bad = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (auto s = ParseLine(line)) {
      out.push_back(std::move(*s));
    } else {
      ++bad;
    }
  }
  if (bad_lines) *bad_lines = bad;
  return out;
}

std::vector<std::string> ScrapeTarget::FieldNames() {
  return {"request_rate", "error_rate",   "latency_p50", "latency_p95",
          "latency_p99",  "latency_mean", "cpu_usage",   "mem_usage",
          "active_conns", "queue_depth",  "replicas"};
}

std::optional<TelemetryPoint> TargetScraper::Build(const std::vector<PromSample>& samples,
                                                   core::TimePoint now, double wall_s) {
  std::map<std::string, double> values;
  bool missing_rate = false;
  std::map<std::string, double> counters;
  for (const auto& [field, m] : target_.fields) {
    double sum = 0.0;
    bool found = false;
    for (const PromSample& s : samples) {
      if (s.name != m.metric || !std::isfinite(s.value)) continue;
      bool match = true;
      for (const auto& [k, v] : m.labels) {
        auto it = s.labels.find(k);
        match = match && it != s.labels.end() && it->second == v;
      }
      if (match) {
        sum += s.value;
        found = true;
      }
    }
    if (!found) continue;
    if (m.counter) {
      counters[field] = sum;
      auto prev = previous_.find(field);
      if (prev == previous_.end() || !previous_at_ || sum < prev->second) {
        missing_rate = true;  // first scrape or a counter reset
        continue;
      }
      const double dt = core::ToSeconds(now - *previous_at_);
      if (dt <= 0) {
        missing_rate = true;
        continue;
      }
      values[field] = (sum - prev->second) / dt * m.scale;
    } else {
      values[field] = sum * m.scale;
    }
  }
  previous_ = std::move(counters);
  previous_at_ = now;
  if (missing_rate || values.empty()) return std::nullopt;
  TelemetryPoint p;
  p.service_id = target_.service;
  p.timestamp_s = wall_s;
  auto get = [&](const char* f, double& out) {
    if (auto it = values.find(f); it != values.end()) out = it->second;
  };
  get("request_rate", p.request_rate);
  get("error_rate", p.error_rate);
  if (target_.error_rate_is_count)
    p.error_rate = p.request_rate > 0 ? p.error_rate / p.request_rate : 0.0;
  get("latency_p50", p.latency_p50);
  get("latency_p95", p.latency_p95);
  get("latency_p99", p.latency_p99);
  get("latency_mean", p.latency_mean);
  get("cpu_usage", p.cpu_usage);
  get("mem_usage", p.mem_usage);
  get("active_conns", p.active_conns);
  get("queue_depth", p.queue_depth);
  get("replicas", p.replicas);
  return p;
}

}  // namespace huddle::engine
