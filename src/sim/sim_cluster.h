#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/backend.h"
#include "core/policy/routing_table.h"
#include "core/time.h"
#include "sim/scenario.h"

namespace huddle::sim {

// The control side of one simulated cluster: the same brain the proxy runs (health checks,
// outlier detection, slow start, panic), configured from a scenario. A thin adapter so that the
// simulator's event loop reads the same way whatever the brain's options are.
// Not thread-safe.
class SimCluster {
 public:
  SimCluster(const HealthCheckSpec& health_check, bool outlier_detection, uint64_t seed);
  ~SimCluster();
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  core::BackendIndex Add(const std::string& name, double weight, core::TimePoint now);
  void Observe(core::BackendIndex b, const core::Outcome& outcome, core::TimePoint now);
  void ObserveProbe(core::BackendIndex b, const core::Outcome& outcome, core::TimePoint now);
  void Tick(core::TimePoint now);
  std::shared_ptr<const core::RoutingTable> table() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::sim
