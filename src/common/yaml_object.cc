#include "common/yaml_object.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace huddle::common {

YamlObject::YamlObject(const YAML::Node& node, ConfigDiagnostics& diag, std::string where)
    : node_(node), diag_(diag), where_(std::move(where)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    ErrorAt(node_, where_ + " must be a mapping of keys to values");
    valid_ = false;
  }
}

void YamlObject::ErrorAt(const YAML::Node& node, const std::string& message) {
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : node_.Mark();
  diag_.Add(mark.line, mark.column, message);
}

bool YamlObject::Has(const std::string& key) const {
  return valid_ && node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node YamlObject::Child(const std::string& key) {
  read_.insert(key);
  if (!valid_ || !node_.IsMap()) return YAML::Node();
  // The const operator[]: the non-const one inserts a missing key into the map, which invalidates
  // the iterators of a caller walking the same map (a null key made that a use-after-free). A
  // missing key gives an undefined node, as before (the const lookup's own would throw).
  const YAML::Node child = std::as_const(node_)[key];
  return child.IsDefined() ? child : YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::string> YamlObject::Scalar(const std::string& key) {
  YAML::Node child = Child(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  if (!child.IsScalar()) {
    ErrorAt(child, where_ + ": '" + key + "' must be a single value");
    return std::nullopt;
  }
  return child.Scalar();
}

std::string YamlObject::String(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw) return fallback;
  if (!allowed.empty()) {
    bool found = false;
    std::string list;
    for (const std::string& a : allowed) {
      found = found || a == *raw;
      list += (list.empty() ? "" : ", ") + a;
    }
    if (!found) {
      ErrorAt(Child(key), where_ + ": '" + key + "' = '" + *raw + "' is not one of " + list);
      return fallback;
    }
  }
  return *raw;
}

std::string YamlObject::RequiredString(const std::string& key) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw || raw->empty()) {
    if (!Child(key).IsDefined() || Child(key).IsNull() || (raw && raw->empty())) {
      Error(where_ + ": missing '" + key + "'");
    }
    return "";
  }
  return *raw;
}

int64_t YamlObject::Int(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw) return fallback;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size()) {
    ErrorAt(Child(key), where_ + ": '" + key + "' = '" + *raw + "' is not an integer");
    return fallback;
  }
  if (v < min || v > max) {
    ErrorAt(Child(key), where_ + ": '" + key + "' = " + *raw + " is out of range [" +
                            std::to_string(min) + ", " + std::to_string(max) + "]");
    return fallback;
  }
  return v;
}

double YamlObject::Double(const std::string& key, double fallback, double min, double max) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw) return fallback;
  double v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || !std::isfinite(v)) {
    ErrorAt(Child(key), where_ + ": '" + key + "' = '" + *raw + "' is not a number");
    return fallback;
  }
  if (v < min || v > max) {
    ErrorAt(Child(key), where_ + ": '" + key + "' = " + *raw + " is out of range [" +
                            std::to_string(min) + ", " + std::to_string(max) + "]");
    return fallback;
  }
  return v;
}

bool YamlObject::Bool(const std::string& key, bool fallback) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw) return fallback;
  if (*raw == "true" || *raw == "yes" || *raw == "on") return true;
  if (*raw == "false" || *raw == "no" || *raw == "off") return false;
  ErrorAt(Child(key), where_ + ": '" + key + "' = '" + *raw + "' is not true or false");
  return fallback;
}

core::Duration YamlObject::Time(const std::string& key, core::Duration fallback, core::Duration min,
                                core::Duration max) {
  std::optional<std::string> raw = Scalar(key);
  if (!raw) return fallback;
  core::Result<core::Duration> d = core::ParseDuration(*raw);
  if (!d) {
    ErrorAt(Child(key), where_ + ": '" + key + "': " + d.error().message);
    return fallback;
  }
  if (*d < min || *d > max) {
    ErrorAt(Child(key), where_ + ": '" + key + "' = " + *raw + " is out of range [" +
                            std::to_string(core::ToMillis(min)) + "ms, " +
                            std::to_string(core::ToMillis(max)) + "ms]");
    return fallback;
  }
  return *d;
}

core::OptionMap YamlObject::Options(const std::string& key) {
  core::OptionMap out;
  YAML::Node child = Child(key);
  if (!child.IsDefined() || child.IsNull()) return out;
  if (!child.IsMap()) {
    ErrorAt(child, where_ + ": '" + key + "' must be a mapping of option names to values");
    return out;
  }
  for (const auto& kv : child) {
    if (!kv.second.IsScalar()) {
      ErrorAt(kv.second, where_ + ": option '" + kv.first.as<std::string>() + "' of '" + key +
                             "' must be a single value");
      continue;
    }
    out[kv.first.as<std::string>()] = kv.second.Scalar();
  }
  return out;
}

void YamlObject::Finish() {
  if (!valid_ || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      ErrorAt(kv.first, where_ + ": a key must be a plain name");
      continue;
    }
    const std::string key = kv.first.Scalar();
    if (!read_.contains(key)) {
      ErrorAt(kv.first, where_ + ": unknown key '" + key + "'");
    }
  }
}

void ReportDuplicateKeys(const YAML::Node& node, ConfigDiagnostics& diag) {
  if (node.IsSequence()) {
    for (const YAML::Node& child : node) ReportDuplicateKeys(child, diag);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (const auto& kv : node) {
    if (kv.first.IsScalar()) {
      const std::string& key = kv.first.Scalar();
      const YAML::Mark mark = kv.first.Mark();
      auto [it, fresh] = seen.emplace(key, mark);
      if (!fresh) {
        diag.Add(mark.line, mark.column,
                 "duplicate key '" + key + "' (first at line " +
                     std::to_string(it->second.line + 1) + "); a key may appear once");
      }
    }
    ReportDuplicateKeys(kv.second, diag);
  }
}

namespace {

std::optional<YAML::Node> Load(const std::string& text, ConfigDiagnostics& diag) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diag.Add(e.mark.line, e.mark.column, e.msg);
    return std::nullopt;
  }
  // yaml-cpp keeps both entries of a repeated key and lookups see the first: the second would
  // be ignored without a word.
  ReportDuplicateKeys(root, diag);
  return root;
}

}  // namespace

std::optional<YAML::Node> LoadYamlFile(const std::string& path, ConfigDiagnostics& diag) {
  std::ifstream in(path);
  if (!in) {
    diag.AddGlobal("cannot open the file");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return Load(ss.str(), diag);
}

std::optional<YAML::Node> LoadYamlString(const std::string& text, ConfigDiagnostics& diag) {
  return Load(text, diag);
}

}  // namespace huddle::common
