#include "core/tasks/hardware_profile.h"

#include <cctype>

namespace huddle::core {
namespace {

constexpr std::array<HardwareProfile, kHardwareTypeCount> kProfiles = {{
    {HardwareType::kCpu, 1.0, 0.7, 0.8},
    {HardwareType::kCuda, 3.0, 0.5, 0.4},
    {HardwareType::kRocm, 2.8, 0.5, 0.4},
    {HardwareType::kMps, 2.5, 0.6, 0.6},
    {HardwareType::kOpenVino, 1.8, 0.8, 0.7},
    {HardwareType::kQnn, 1.4, 0.9, 0.9},
    {HardwareType::kWebNn, 1.0, 0.7, 0.8},
    {HardwareType::kWebGpu, 1.2, 0.6, 0.7},
}};

constexpr std::array<std::string_view, kHardwareTypeCount> kNames = {
    "cpu", "cuda", "rocm", "mps", "openvino", "qnn", "webnn", "webgpu"};

}  // namespace

const HardwareProfile& DefaultHardwareProfile(HardwareType type) {
  return kProfiles[static_cast<size_t>(type)];
}

std::string_view HardwareName(HardwareType type) { return kNames[static_cast<size_t>(type)]; }

std::optional<HardwareType> ParseHardware(std::string_view name) {
  for (size_t i = 0; i < kHardwareTypeCount; ++i) {
    const std::string_view candidate = kNames[i];
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (size_t c = 0; c < name.size() && same; ++c) {
      same = std::tolower(static_cast<unsigned char>(name[c])) == candidate[c];
    }
    if (same) return kAllHardwareTypes[i];
  }
  return std::nullopt;
}

}  // namespace huddle::core
