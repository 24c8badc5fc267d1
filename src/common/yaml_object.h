#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/config_diagnostics.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::common {

// Typed, range-checked reading of one YAML mapping. Every problem (wrong type, out of range,
// unknown key) goes to the diagnostics with the line of the offending node; reads then return the
// fallback so that one load reports every error at once. Finish() reports keys nobody read.
//   YamlObject o(node, diag, "cluster 'app'");
//   int rise = o.Int("rise", 2, 1, 100);
//   o.Finish();
class YamlObject {
 public:
  // A null node is an empty mapping; a non-mapping node is an error.
  YamlObject(const YAML::Node& node, ConfigDiagnostics& diag, std::string where);

  bool Has(const std::string& key) const;
  // The raw child (marked as read); a null node when absent.
  YAML::Node Child(const std::string& key);

  std::string String(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed = {});
  // Reports "missing key" when absent.
  std::string RequiredString(const std::string& key);
  int64_t Int(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  double Double(const std::string& key, double fallback, double min, double max);
  bool Bool(const std::string& key, bool fallback);
  // "250ms", "1.5s", "2m" or a bare number of seconds, within [min, max].
  core::Duration Time(const std::string& key, core::Duration fallback, core::Duration min,
                      core::Duration max);
  // A nested mapping of scalars, as strings (options of a policy or detector).
  core::OptionMap Options(const std::string& key);

  // Reports every key that was never read.
  void Finish();

  // Where a node is, for messages of the caller.
  void ErrorAt(const YAML::Node& node, const std::string& message);
  void Error(const std::string& message) { ErrorAt(node_, message); }
  const std::string& where() const { return where_; }
  ConfigDiagnostics& diagnostics() { return diag_; }

 private:
  std::optional<std::string> Scalar(const std::string& key);

  YAML::Node node_;
  ConfigDiagnostics& diag_;
  std::string where_;
  std::set<std::string> read_;
  bool valid_ = true;
};

// Reports every key that appears twice in one mapping, at any depth, with the line of the repeat
// (YAML forbids it; yaml-cpp accepts it and lookups see only the first).
void ReportDuplicateKeys(const YAML::Node& node, ConfigDiagnostics& diag);

// Loads a YAML file or string; a syntax error is reported with its line and yields nullopt.
// Duplicate keys are reported too (the node is still returned, so other problems show as well).
std::optional<YAML::Node> LoadYamlFile(const std::string& path, ConfigDiagnostics& diag);
std::optional<YAML::Node> LoadYamlString(const std::string& text, ConfigDiagnostics& diag);

}  // namespace huddle::common
