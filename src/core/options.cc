#include "core/options.h"

#include <charconv>
#include <cmath>

namespace huddle::core {
namespace {

bool ParseNumber(const std::string& text, double& out) {
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

}  // namespace

Result<Duration> ParseDuration(const std::string& text) {
  struct Unit {
    const char* suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {
      {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"m", 60.0}, {"h", 3600.0}};
  std::string number = text;
  double scale = 1.0;
  for (const Unit& u : kUnits) {
    const std::string suffix = u.suffix;
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      // "ms" also ends with "s": take the longest suffix that leaves a number.
      const std::string head = text.substr(0, text.size() - suffix.size());
      double probe = 0;
      if (ParseNumber(head, probe)) {
        number = head;
        scale = u.seconds;
        break;
      }
    }
  }
  double value = 0;
  if (!ParseNumber(number, value) || value < 0) {
    return Fail("'" + text + "' is not a duration (examples: 250ms, 1.5s, 2m)");
  }
  return FromSeconds(value * scale);
}

const std::string* OptionReader::Raw(const std::string& key) {
  used_.insert(key);
  auto it = options_.find(key);
  return it == options_.end() ? nullptr : &it->second;
}

void OptionReader::CheckRange(const std::string& key, double v, const OptionRange& r) {
  const bool low = r.min_exclusive ? v <= r.min : v < r.min;
  const bool high = r.max_exclusive ? v >= r.max : v > r.max;
  if (low || high) {
    errors_.push_back(owner_ + ": " + key + " = " + std::to_string(v) + " is out of range " +
                      (r.min_exclusive ? "(" : "[") + std::to_string(r.min) + ", " +
                      std::to_string(r.max) + (r.max_exclusive ? ")" : "]"));
  }
}

double OptionReader::Double(const std::string& key, double fallback, OptionRange range) {
  const std::string* raw = Raw(key);
  if (raw == nullptr) return fallback;
  double v = 0;
  if (!ParseNumber(*raw, v)) {
    errors_.push_back(owner_ + ": " + key + " = '" + *raw + "' is not a number");
    return fallback;
  }
  CheckRange(key, v, range);
  return v;
}

int64_t OptionReader::Int(const std::string& key, int64_t fallback, OptionRange range) {
  const std::string* raw = Raw(key);
  if (raw == nullptr) return fallback;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size()) {
    errors_.push_back(owner_ + ": " + key + " = '" + *raw + "' is not an integer");
    return fallback;
  }
  CheckRange(key, static_cast<double>(v), range);
  return v;
}

bool OptionReader::Bool(const std::string& key, bool fallback) {
  const std::string* raw = Raw(key);
  if (raw == nullptr) return fallback;
  if (*raw == "true" || *raw == "1" || *raw == "yes" || *raw == "on") return true;
  if (*raw == "false" || *raw == "0" || *raw == "no" || *raw == "off") return false;
  errors_.push_back(owner_ + ": " + key + " = '" + *raw + "' is not a boolean");
  return fallback;
}

std::string OptionReader::String(const std::string& key, const std::string& fallback,
                                 const std::vector<std::string>& allowed) {
  const std::string* raw = Raw(key);
  if (raw == nullptr) return fallback;
  if (allowed.empty()) return *raw;
  for (const std::string& a : allowed) {
    if (a == *raw) return *raw;
  }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  errors_.push_back(owner_ + ": " + key + " = '" + *raw + "' is not one of: " + list);
  return fallback;
}

Duration OptionReader::Time(const std::string& key, Duration fallback, OptionRange range_seconds) {
  const std::string* raw = Raw(key);
  if (raw == nullptr) return fallback;
  Result<Duration> d = ParseDuration(*raw);
  if (!d) {
    errors_.push_back(owner_ + ": " + key + ": " + d.error().message);
    return fallback;
  }
  CheckRange(key, ToSeconds(*d), range_seconds);
  return *d;
}

Result<void> OptionReader::Finish() {
  for (const auto& [key, value] : options_) {
    if (!used_.contains(key)) errors_.push_back(owner_ + ": unknown option '" + key + "'");
  }
  if (errors_.empty()) return {};
  std::string message;
  for (const std::string& e : errors_) message += (message.empty() ? "" : "; ") + e;
  return Fail(message);
}

}  // namespace huddle::core
