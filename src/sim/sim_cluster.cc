#include "sim/sim_cluster.h"

#include "core/cluster/cluster_brain.h"

namespace huddle::sim {

struct SimCluster::Impl {
  explicit Impl(core::ClusterBrainOptions options) : brain(std::move(options)) {}
  core::ClusterBrain brain;
};

namespace {

core::ClusterBrainOptions BrainOptions(const HealthCheckSpec& hc, bool outlier_detection,
                                       uint64_t seed) {
  core::ClusterBrainOptions o;
  o.health_check.interval = core::FromSeconds(hc.interval_s);
  o.health_check.timeout = core::FromMillis(hc.timeout_ms);
  o.health_check.rise = static_cast<int>(hc.rise);
  o.health_check.fall = static_cast<int>(hc.fall);
  o.outlier_detection = outlier_detection;
  o.seed = seed;
  return o;
}

}  // namespace

SimCluster::SimCluster(const HealthCheckSpec& health_check, bool outlier_detection, uint64_t seed)
    : impl_(std::make_unique<Impl>(BrainOptions(health_check, outlier_detection, seed))) {}
SimCluster::~SimCluster() = default;

core::BackendIndex SimCluster::Add(const std::string& name, double weight, core::TimePoint now) {
  auto index = impl_->brain.AddBackend(core::BackendSpec{name, weight}, now);
  // The simulator validated names and weights already; a failure here is a simulator bug.
  return index ? *index : core::kNoBackend;
}

void SimCluster::Observe(core::BackendIndex b, const core::Outcome& outcome, core::TimePoint now) {
  impl_->brain.Observe(b, outcome, now);
}

void SimCluster::ObserveProbe(core::BackendIndex b, const core::Outcome& outcome,
                              core::TimePoint now) {
  impl_->brain.ObserveProbe(b, outcome, now);
}

void SimCluster::Tick(core::TimePoint now) { impl_->brain.Tick(now); }

std::shared_ptr<const core::RoutingTable> SimCluster::table() const { return impl_->brain.table(); }

}  // namespace huddle::sim
