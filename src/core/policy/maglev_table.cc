#include "core/policy/maglev_table.h"

#include <algorithm>

#include "core/policy/hash_mix.h"

namespace huddle::core {
namespace {

constexpr uint64_t kOffsetSeed = 0x6d61676c65763031ULL;  // "maglev01"
constexpr uint64_t kSkipSeed = 0x6d61676c65763032ULL;    // "maglev02"

struct Builder {
  BackendIndex backend;
  uint64_t offset;
  uint64_t skip;
  uint64_t next = 0;
  double weight;
  double target = 0.0;
};

}  // namespace

void MaglevTable::Build(const std::vector<RoutingEntry>& entries, uint64_t table_size,
                        uint32_t slots) {
  table_.assign(entries.empty() ? 0 : table_size, kNoBackend);
  owned_.assign(slots, 0);
  if (entries.empty()) return;

  double max_weight = 0.0;
  for (const RoutingEntry& e : entries) max_weight = std::max(max_weight, e.weight);
  std::vector<Builder> builders;
  builders.reserve(entries.size());
  for (const RoutingEntry& e : entries) {
    const uint64_t offset = HashMix64(e.backend ^ kOffsetSeed) % table_size;
    const uint64_t skip = HashMix64(e.backend ^ kSkipSeed) % (table_size - 1) + 1;
    builders.push_back(Builder{e.backend, offset, skip, 0, e.weight / max_weight, 0.0});
  }

  // Envoy's weighted fill: in round `iteration`, a backend of normalised weight w takes a slot
  // when iteration * w has reached its target, and its target then grows by 1 (the heaviest
  // backend takes one slot every round).
  uint64_t filled = 0;
  for (uint64_t iteration = 1; filled < table_size; ++iteration) {
    for (Builder& b : builders) {
      if (filled == table_size) break;
      if (static_cast<double>(iteration) * b.weight < b.target) continue;
      b.target += 1.0;
      uint64_t slot = (b.offset + b.skip * b.next) % table_size;
      while (table_[slot] != kNoBackend) {
        ++b.next;
        slot = (b.offset + b.skip * b.next) % table_size;
      }
      table_[slot] = b.backend;
      ++b.next;
      ++filled;
      if (b.backend < owned_.size()) ++owned_[b.backend];
    }
  }
}

}  // namespace huddle::core
