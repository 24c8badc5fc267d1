#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/policy/routing_table.h"
#include "core/policy/table_slots.h"

namespace huddle::core {

// Requests in flight per backend, as one policy instance saw them: OnSend adds one, Observe takes
// one away (never below zero). Counts are indexed by backend slot and survive table updates,
// because they describe requests that exist whether or not their backend is still eligible. The
// total over the current table's members is kept for bounded-load hashing.
// Not thread-safe (one per policy instance). Add/Done/Get never allocate; Resize may.
class InFlightTracker {
 public:
  // Sizes the arrays to `table.backend_slots` (keeping the counts of slots that remain) and
  // recomputes which backends are members and their total.
  void Update(const RoutingTable& table) {
    const uint32_t slots = TableSlots(table);
    counts_.resize(slots, 0);
    member_.assign(slots, 0);
    members_total_ = 0;
    for (const RoutingEntry& e : table.entries) {
      if (member_[e.backend]) continue;
      member_[e.backend] = 1;
      members_total_ += counts_[e.backend];
    }
  }

  void Add(BackendIndex b) {
    if (b >= counts_.size()) return;
    ++counts_[b];
    if (member_[b]) ++members_total_;
  }
  void Done(BackendIndex b) {
    if (b >= counts_.size() || counts_[b] == 0) return;
    --counts_[b];
    if (member_[b]) --members_total_;
  }

  uint64_t Get(BackendIndex b) const { return b < counts_.size() ? counts_[b] : 0; }
  // Sum of the counts of the current table's entries.
  uint64_t MembersTotal() const { return members_total_; }

 private:
  std::vector<uint64_t> counts_;
  std::vector<uint8_t> member_;
  uint64_t members_total_ = 0;
};

}  // namespace huddle::core
