#include "core/policy/hash_ring.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/policy/hash_mix.h"

namespace huddle::core {
namespace {

constexpr uint64_t kRingSeed = 0x72696e6768617368ULL;  // "ringhash"

}  // namespace

void HashRing::Build(const std::vector<RoutingEntry>& entries, uint64_t points_per_backend,
                     uint32_t slots) {
  hashes_.clear();
  backends_.clear();
  owned_.assign(slots, 0);
  if (entries.empty()) return;

  double total = 0.0;
  for (const RoutingEntry& e : entries) total += e.weight;
  const double mean = total / static_cast<double>(entries.size());
  double per_weight = static_cast<double>(points_per_backend) / mean;
  const double wanted = per_weight * total;
  if (wanted > static_cast<double>(kMaxSize)) per_weight *= static_cast<double>(kMaxSize) / wanted;

  std::vector<std::pair<uint64_t, BackendIndex>> points;
  points.reserve(static_cast<size_t>(std::min(wanted, static_cast<double>(kMaxSize))) +
                 entries.size());
  for (const RoutingEntry& e : entries) {
    const uint64_t count = std::max<uint64_t>(1, std::llround(per_weight * e.weight));
    const uint64_t base = HashMix64(e.backend ^ kRingSeed);
    for (uint64_t replica = 0; replica < count; ++replica) {
      points.emplace_back(HashMix64(base + replica * 0x9e3779b97f4a7c15ULL), e.backend);
    }
    if (e.backend < owned_.size()) owned_[e.backend] = count;
  }
  std::sort(points.begin(), points.end());
  hashes_.reserve(points.size());
  backends_.reserve(points.size());
  for (const auto& [hash, backend] : points) {
    hashes_.push_back(hash);
    backends_.push_back(backend);
  }
}

uint64_t HashRing::Find(uint64_t hash) const {
  const auto it = std::lower_bound(hashes_.begin(), hashes_.end(), hash);
  return it == hashes_.end() ? 0 : static_cast<uint64_t>(it - hashes_.begin());
}

}  // namespace huddle::core
