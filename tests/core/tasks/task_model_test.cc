#include "core/tasks/task_model.h"

#include <gtest/gtest.h>

#include "core/tasks/hardware_profile.h"

namespace huddle::core {
namespace {

TEST(HardwareProfileTest, SeedTableValues) {
  const HardwareProfile& cuda = DefaultHardwareProfile(HardwareType::kCuda);
  EXPECT_DOUBLE_EQ(cuda.performance_weight, 3.0);
  EXPECT_DOUBLE_EQ(cuda.energy_efficiency, 0.5);
  EXPECT_DOUBLE_EQ(cuda.thermal_efficiency, 0.4);
  const HardwareProfile& qnn = DefaultHardwareProfile(HardwareType::kQnn);
  EXPECT_DOUBLE_EQ(qnn.performance_weight, 1.4);
  EXPECT_DOUBLE_EQ(qnn.energy_efficiency, 0.9);
  EXPECT_DOUBLE_EQ(qnn.thermal_efficiency, 0.9);
  EXPECT_DOUBLE_EQ(DefaultHardwareProfile(HardwareType::kRocm).performance_weight, 2.8);
  EXPECT_DOUBLE_EQ(DefaultHardwareProfile(HardwareType::kMps).energy_efficiency, 0.6);
  EXPECT_DOUBLE_EQ(DefaultHardwareProfile(HardwareType::kOpenVino).thermal_efficiency, 0.7);
  EXPECT_DOUBLE_EQ(DefaultHardwareProfile(HardwareType::kWebGpu).performance_weight, 1.2);
  for (HardwareType t : kAllHardwareTypes) EXPECT_EQ(DefaultHardwareProfile(t).type, t);
}

TEST(HardwareProfileTest, NamesRoundTripCaseInsensitively) {
  for (HardwareType t : kAllHardwareTypes) EXPECT_EQ(ParseHardware(HardwareName(t)), t);
  EXPECT_EQ(ParseHardware("OpenVINO"), HardwareType::kOpenVino);
  EXPECT_EQ(ParseHardware("WebGPU"), HardwareType::kWebGpu);
  EXPECT_FALSE(ParseHardware("tpu").has_value());
  EXPECT_FALSE(ParseHardware("").has_value());
}

TEST(HardwareSetTest, MembershipAndIntersection) {
  HardwareSet s{HardwareType::kCpu, HardwareType::kCuda};
  EXPECT_TRUE(s.Has(HardwareType::kCuda));
  EXPECT_FALSE(s.Has(HardwareType::kRocm));
  EXPECT_TRUE(s.Intersects(HardwareSet{HardwareType::kCuda}));
  EXPECT_FALSE(s.Intersects(HardwareSet{HardwareType::kQnn, HardwareType::kMps}));
  EXPECT_TRUE(HardwareSet{}.Empty());
}

TEST(TaskModelTest, UtilisationAveragesGpuMemoryOnlyWhenReported) {
  EXPECT_DOUBLE_EQ(Utilisation({.cpu = 0.8, .memory = 0.4}), 0.6);
  EXPECT_DOUBLE_EQ(Utilisation({.cpu = 0.9, .memory = 0.3, .gpu_memory = 0.6}), 0.6);
}

TEST(TaskModelTest, CanHostChecksActiveHardwareMemoryAndCuda) {
  WorkerInfo w{.id = 1,
               .hardware = {HardwareType::kCpu, HardwareType::kCuda},
               .primary = HardwareType::kCuda,
               .memory_gb = 16,
               .memory_available_gb = 8,
               .cuda_compute = 8.6};
  EXPECT_TRUE(CanHost(w, {}));
  EXPECT_TRUE(CanHost(w, {.hardware = {HardwareType::kCuda}, .memory_gb = 8}));
  EXPECT_FALSE(CanHost(w, {.memory_gb = 8.5}));
  EXPECT_FALSE(CanHost(w, {.hardware = {HardwareType::kRocm}}));
  EXPECT_TRUE(CanHost(w, {.min_cuda_compute = 8.0}));
  EXPECT_FALSE(CanHost(w, {.min_cuda_compute = 9.0}));
  w.active = false;
  EXPECT_FALSE(CanHost(w, {}));
  WorkerInfo cpu{.id = 2, .memory_available_gb = 4, .cuda_compute = 9.0};
  EXPECT_FALSE(CanHost(cpu, {.min_cuda_compute = 7.0}));  // capability without CUDA hardware
}

}  // namespace
}  // namespace huddle::core
