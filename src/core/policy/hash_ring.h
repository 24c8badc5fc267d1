#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/policy/routing_table.h"

namespace huddle::core {

// Consistent-hash ring (Karger et al.; Ketama; Envoy's ring_hash): each backend places points on a
// 64-bit ring in proportion to its weight, and a key belongs to the first point at or after its
// hash (wrapping). Points are derived from the backend index alone, so removing a backend moves
// only the keys it owned. Sizing as Ketama rather than Envoy: a backend of average weight gets
// `points_per_backend` points (at least one for any backend), whatever the number of backends, so
// a backend leaving does not resize the others' arcs (Envoy's fixed total ring size does); the
// whole ring is scaled down only when it would exceed kMaxSize points.
// Not thread-safe. Find/At never allocate; Build does.
class HashRing {
 public:
  static constexpr uint64_t kMaxSize = 8 * 1024 * 1024;  // Envoy's maximum_ring_size

  // REQUIRES: entries' weights > 0.
  void Build(const std::vector<RoutingEntry>& entries, uint64_t points_per_backend, uint32_t slots);

  bool empty() const { return hashes_.empty(); }
  uint64_t size() const { return hashes_.size(); }
  // Index of the point that owns `hash`. REQUIRES: !empty().
  uint64_t Find(uint64_t hash) const;
  BackendIndex At(uint64_t point) const { return backends_[point]; }
  // Number of ring points of backend `b`.
  uint64_t PointsOf(BackendIndex b) const { return b < owned_.size() ? owned_[b] : 0; }

 private:
  std::vector<uint64_t> hashes_;        // sorted
  std::vector<BackendIndex> backends_;  // owner of hashes_[i]
  std::vector<uint64_t> owned_;         // by backend slot
};

}  // namespace huddle::core
