#include "taskd/usage_probe.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace huddle::taskd {

core::WorkerUsage UsageProbe::Read() {
  core::WorkerUsage usage;
  std::ifstream stat("/proc/stat");
  std::string line;
  if (std::getline(stat, line) && line.rfind("cpu ", 0) == 0) {
    std::istringstream in(line.substr(4));
    uint64_t v = 0;
    uint64_t total = 0;
    uint64_t idle = 0;
    for (int i = 0; in >> v; ++i) {
      total += v;
      if (i == 3 || i == 4) idle += v;  // idle and iowait
    }
    if (last_total_ != 0 && total > last_total_) {
      const double dt = static_cast<double>(total - last_total_);
      usage.cpu = std::clamp(1.0 - static_cast<double>(idle - last_idle_) / dt, 0.0, 1.0);
    }
    last_total_ = total;
    last_idle_ = idle;
  }
  std::ifstream meminfo("/proc/meminfo");
  double total_kb = 0;
  double available_kb = 0;
  std::string key;
  double value = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemTotal:") total_kb = value;
    if (key == "MemAvailable:") available_kb = value;
  }
  if (total_kb > 0) usage.memory = std::clamp(1.0 - available_kb / total_kb, 0.0, 1.0);
  return usage;
}

}  // namespace huddle::taskd
