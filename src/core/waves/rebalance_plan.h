#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "core/waves/wave_types.h"

namespace huddle::core {

// Move `tasks` queued tasks from one node to another.
struct Transfer {
  NodeId from = 0;
  NodeId to = 0;
  int64_t tasks = 0;
  bool operator==(const Transfer&) const = default;
};

// The Echo initiator's rebalancing plan, from the most to the least loaded node (the lab's heap
// rule, done on counts so that no task is ever duplicated). Two ordered heaps: givers by their
// load per core after giving one task, (load - 1) / cap, and receivers by theirs after receiving
// one, (load + 1) / cap. While the heaviest giver would stay at least as loaded as the lightest
// receiver, (load_s - 1) / cap_s >= (load_d + 1) / cap_d, one task moves. Each move lowers
// sum(load^2 / cap), so the loop ends; at the end no single move between any two nodes helps
// (with unequal capacities, comparing only the most and least loaded would stop too early).
// Total load is conserved, no load goes negative, and a node never gives more tasks than it has.
// Nodes with capacity <= 0 only give (their load counts as infinitely heavy). Moves are merged
// per (from, to) pair, in first-move order; at most `max_moves` single-task moves are planned.
// O(moves * log n); allocates.
std::vector<Transfer> PlanRebalance(std::span<const NodeLoad> loads,
                                    size_t max_moves = std::numeric_limits<size_t>::max());

// The loads after applying `plan` (for tests and the body's bookkeeping). Transfers naming an
// unknown node are ignored.
std::vector<NodeLoad> ApplyPlan(std::span<const NodeLoad> loads, std::span<const Transfer> plan);

}  // namespace huddle::core
