#pragma once

#include <string>
#include <vector>

namespace huddle::common {

// Collects configuration errors, each prefixed with "file:line:column: ". Lines and columns are
// 1-based (yaml-cpp marks are 0-based; Add converts). Not thread-safe; one per load.
class ConfigDiagnostics {
 public:
  explicit ConfigDiagnostics(std::string file) : file_(std::move(file)) {}

  // `line` and `column` as yaml-cpp reports them (0-based); negative when unknown.
  void Add(int line, int column, const std::string& message);
  void AddGlobal(const std::string& message) { errors_.push_back(file_ + ": " + message); }

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& file() const { return file_; }
  // Every error on its own line.
  std::string Joined() const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace huddle::common
