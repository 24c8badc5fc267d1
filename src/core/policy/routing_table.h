#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"

namespace huddle::core {

// One backend that may receive traffic, with its effective weight (configured weight after slow
// start and any other scaling; > 0).
struct RoutingEntry {
  BackendIndex backend = kNoBackend;
  double weight = 1.0;
};

// The immutable routing view a policy picks from. The control side builds a new one when the
// eligible set or a weight changes (health, ejection, rotation, drain) and hands it to every
// policy instance through Policy::Update.
struct RoutingTable {
  uint64_t version = 0;
  // One more than the largest BackendIndex in the cluster: size of per-backend state arrays.
  uint32_t backend_slots = 0;
  // Eligible backends in a stable order (ascending backend index).
  std::vector<RoutingEntry> entries;
  // True when too few backends are healthy and the table lists all of them regardless (panic).
  bool panic = false;

  bool AllWeightsEqual() const {
    for (const RoutingEntry& e : entries) {
      if (e.weight != entries.front().weight) return false;
    }
    return true;
  }
};

}  // namespace huddle::core
