#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace huddle::core {

// Named options of a policy or model, as strings (from YAML, a command line or the C++ API).
using OptionMap = std::map<std::string, std::string>;

// Accepted interval of a numeric option; bounds are inclusive unless marked exclusive.
struct OptionRange {
  double min = -1e300;
  double max = 1e300;
  bool min_exclusive = false;
  bool max_exclusive = false;
};

// Reads typed values out of an OptionMap with range checks, remembers every problem, and reports
// keys nobody asked for. Typical use:
//   OptionReader r(map, "thermal");
//   opts.heat = r.Double("heat", 0.55, {.min = 0, .max = 1});
//   if (auto s = r.Finish(); !s) return std::unexpected(s.error());
class OptionReader {
 public:
  OptionReader(const OptionMap& options, std::string owner)
      : options_(options), owner_(std::move(owner)) {}

  double Double(const std::string& key, double fallback, OptionRange range = {});
  int64_t Int(const std::string& key, int64_t fallback, OptionRange range = {});
  bool Bool(const std::string& key, bool fallback);
  std::string String(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed = {});
  // Accepts "250ms", "1.5s", "2m", "100us" or a bare number of seconds.
  Duration Time(const std::string& key, Duration fallback, OptionRange range_seconds = {});
  bool Has(const std::string& key) const { return options_.contains(key); }

  // Adds an error that is not about a single key (for example "cool must be below heat").
  void Problem(const std::string& message) { errors_.push_back(owner_ + ": " + message); }

  // OK when every key was read and valid; otherwise one Error listing every problem.
  Result<void> Finish();

 private:
  const std::string* Raw(const std::string& key);
  void CheckRange(const std::string& key, double v, const OptionRange& r);

  const OptionMap& options_;
  std::string owner_;
  std::set<std::string> used_;
  std::vector<std::string> errors_;
};

// Parses "250ms", "1.5s", "2m", "100us", "3h" or a bare number (seconds).
Result<Duration> ParseDuration(const std::string& text);

}  // namespace huddle::core
