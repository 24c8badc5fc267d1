#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace huddle::core {

// The accelerator families a task worker may offer (the adaptive task balancer's list).
enum class HardwareType : uint8_t { kCpu, kCuda, kRocm, kMps, kOpenVino, kQnn, kWebNn, kWebGpu };

inline constexpr size_t kHardwareTypeCount = 8;
inline constexpr std::array<HardwareType, kHardwareTypeCount> kAllHardwareTypes = {
    HardwareType::kCpu,      HardwareType::kCuda, HardwareType::kRocm,  HardwareType::kMps,
    HardwareType::kOpenVino, HardwareType::kQnn,  HardwareType::kWebNn, HardwareType::kWebGpu};

// How a hardware family performs relative to a CPU (performance_weight, 1 = CPU) and how
// efficient it is with energy and heat (0..1, higher is better). Values from the seed's table.
struct HardwareProfile {
  HardwareType type = HardwareType::kCpu;
  double performance_weight = 1.0;
  double energy_efficiency = 0.7;
  double thermal_efficiency = 0.8;
};

// The seed's default profile of `type`:
//   CPU 1.0/0.7/0.8, CUDA 3.0/0.5/0.4, ROCm 2.8/0.5/0.4, MPS 2.5/0.6/0.6, OpenVINO 1.8/0.8/0.7,
//   QNN 1.4/0.9/0.9, WebNN 1.0/0.7/0.8, WebGPU 1.2/0.6/0.7.
const HardwareProfile& DefaultHardwareProfile(HardwareType type);

// Lower-case names: "cpu", "cuda", "rocm", "mps", "openvino", "qnn", "webnn", "webgpu".
std::string_view HardwareName(HardwareType type);
// Case-insensitive inverse of HardwareName; nullopt for an unknown name.
std::optional<HardwareType> ParseHardware(std::string_view name);

// A set of hardware types as a bit mask (bit i = HardwareType i); cheap to copy and compare.
class HardwareSet {
 public:
  constexpr HardwareSet() = default;
  constexpr HardwareSet(std::initializer_list<HardwareType> types) {
    for (HardwareType t : types) Add(t);
  }
  constexpr void Add(HardwareType t) { bits_ |= Bit(t); }
  constexpr bool Has(HardwareType t) const { return (bits_ & Bit(t)) != 0; }
  constexpr bool Empty() const { return bits_ == 0; }
  // True when this set shares at least one type with `other`.
  constexpr bool Intersects(HardwareSet other) const { return (bits_ & other.bits_) != 0; }
  constexpr bool operator==(const HardwareSet&) const = default;

 private:
  static constexpr uint16_t Bit(HardwareType t) {
    return static_cast<uint16_t>(1u << static_cast<unsigned>(t));
  }
  uint16_t bits_ = 0;
};

}  // namespace huddle::core
