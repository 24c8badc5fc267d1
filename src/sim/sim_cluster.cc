#include "sim/sim_cluster.h"

namespace huddle::sim {

// Stand-in until core/cluster/cluster_brain lands: every backend is eligible with its weight.
struct SimCluster::Impl {
  std::shared_ptr<core::RoutingTable> table = std::make_shared<core::RoutingTable>();
};

SimCluster::SimCluster(const HealthCheckSpec& /*health_check*/, bool /*outlier_detection*/,
                       uint64_t /*seed*/)
    : impl_(std::make_unique<Impl>()) {}
SimCluster::~SimCluster() = default;

core::BackendIndex SimCluster::Add(const std::string& /*name*/, double weight,
                                   core::TimePoint /*now*/) {
  auto next = std::make_shared<core::RoutingTable>(*impl_->table);
  const core::BackendIndex b = next->backend_slots;
  next->backend_slots += 1;
  next->entries.push_back({b, weight});
  next->version += 1;
  impl_->table = std::move(next);
  return b;
}

void SimCluster::Observe(core::BackendIndex, const core::Outcome&, core::TimePoint) {}
void SimCluster::ObserveProbe(core::BackendIndex, const core::Outcome&, core::TimePoint) {}
void SimCluster::Tick(core::TimePoint) {}

std::shared_ptr<const core::RoutingTable> SimCluster::table() const { return impl_->table; }

}  // namespace huddle::sim
