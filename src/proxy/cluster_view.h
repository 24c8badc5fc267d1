#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/policy/routing_table.h"
#include "proxy/asio_types.h"
#include "proxy/backend_stats.h"
#include "proxy/config.h"
#include "proxy/shed_state.h"

namespace huddle::proxy {

// A backend as the workers see it. Immutable once published.
struct BackendView {
  core::BackendIndex index = core::kNoBackend;
  std::string name;
  Tcp::endpoint endpoint;
  std::shared_ptr<BackendStats> stats;
};

// Everything a worker needs about one cluster, published by the control thread when the
// configuration or the membership changes (start, reload, admin actions). The routing table
// travels separately (it changes far more often). Immutable once published.
struct ClusterView {
  size_t id = 0;  // position in the config's cluster list; stable for the life of the process
  ClusterConfig config;
  std::vector<BackendView> backends;  // indexed by BackendIndex; absent ones have no stats
  uint64_t generation = 0;            // grows at each publication (reload)
  // The cluster's load-shedding state (same object for the life of the process; never null).
  std::shared_ptr<ClusterShedState> shed;

  const BackendView* Find(core::BackendIndex b) const {
    return b < backends.size() && backends[b].stats ? &backends[b] : nullptr;
  }
};

// One finished request for the control thread (outlier detection, thermal model).
struct OutcomeRecord {
  uint32_t cluster = 0;
  core::BackendIndex backend = core::kNoBackend;
  core::Outcome outcome;
  core::TimePoint at{};
};

}  // namespace huddle::proxy
