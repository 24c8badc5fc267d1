#include "common/config_diagnostics.h"

namespace huddle::common {

void ConfigDiagnostics::Add(int line, int column, const std::string& message) {
  if (line < 0) {
    AddGlobal(message);
    return;
  }
  errors_.push_back(file_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) +
                    ": " + message);
}

std::string ConfigDiagnostics::Joined() const {
  std::string out;
  for (const std::string& e : errors_) {
    out += e;
    out += '\n';
  }
  return out;
}

}  // namespace huddle::common
