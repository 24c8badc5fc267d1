#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/policy/routing_table.h"

namespace huddle::core {

// Maglev lookup table (Eisenbud et al., NSDI'16) with Envoy's weighting: every backend walks its
// own permutation of the table's slots (offset and skip derived from its index, so a backend's
// preferences do not depend on which others are present) and claims the next free slot in turn; a
// backend of weight w claims slots at w / max weight of the rate of the heaviest one. Removing one
// backend of n moves its keys plus a small fraction of the others.
// Not thread-safe. At/Lookup never allocate; Build does.
class MaglevTable {
 public:
  // REQUIRES: table_size is prime and >= 2; entries' weights > 0.
  void Build(const std::vector<RoutingEntry>& entries, uint64_t table_size, uint32_t slots);

  bool empty() const { return table_.empty(); }
  uint64_t size() const { return table_.size(); }
  BackendIndex At(uint64_t slot) const { return table_[slot]; }
  // Number of table slots owned by backend `b`.
  uint64_t SlotsOf(BackendIndex b) const { return b < owned_.size() ? owned_[b] : 0; }

 private:
  std::vector<BackendIndex> table_;
  std::vector<uint64_t> owned_;  // by backend slot
};

}  // namespace huddle::core
