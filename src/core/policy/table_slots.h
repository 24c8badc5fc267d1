#pragma once

#include <algorithm>
#include <cstdint>

#include "core/policy/routing_table.h"

namespace huddle::core {

// Size for per-backend state arrays: table.backend_slots, raised if an entry's index does not fit
// (a malformed table must not make a policy index out of bounds).
inline uint32_t TableSlots(const RoutingTable& table) {
  uint32_t slots = table.backend_slots;
  for (const RoutingEntry& e : table.entries) {
    if (e.backend != kNoBackend) slots = std::max(slots, e.backend + 1);
  }
  return slots;
}

}  // namespace huddle::core
