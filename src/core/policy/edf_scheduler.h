#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/policy/routing_table.h"

namespace huddle::core {

// Earliest-deadline-first scheduler over weighted backends, as Envoy's EdfScheduler: each entry
// holds a deadline; the entry with the smallest deadline is picked (ties: the one scheduled first),
// the scheduler's clock moves to that deadline, and the entry is rescheduled at
// clock + 1 / weight. Over time each entry is picked in proportion to its weight.
//
// Deterministic: a fresh scheduler starts every entry at deadline 1 / weight, ties broken by table
// order (Envoy randomises the start per worker; huddle keeps pick sequences reproducible).
// Not thread-safe. Top/Advance never allocate; Rebuild may.
class EdfScheduler {
 public:
  // Schedules `entries` (weights > 0). Entries already scheduled keep their deadline, capped at
  // clock + 1 / new weight so a weight increase takes effect at once; new entries start at
  // clock + 1 / weight. `weights` overrides entry weights when not empty (same size as entries).
  void Rebuild(const std::vector<RoutingEntry>& entries, const std::vector<double>& weights,
               uint32_t backend_slots);

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }

  // The backend with the earliest deadline. REQUIRES: !empty().
  BackendIndex Top() const { return heap_.front().backend; }

  // Moves the clock to the top entry's deadline and reschedules it at clock + 1 / weight.
  // REQUIRES: !empty(), weight > 0.
  void AdvanceTop(double weight);

 private:
  struct Item {
    double deadline;
    uint64_t order;  // FIFO among equal deadlines
    BackendIndex backend;
  };
  static bool Before(const Item& a, const Item& b) {
    return a.deadline < b.deadline || (a.deadline == b.deadline && a.order < b.order);
  }
  void SiftDown(size_t i);

  std::vector<Item> heap_;  // binary min-heap by (deadline, order)
  double clock_ = 0.0;
  uint64_t next_order_ = 0;
};

}  // namespace huddle::core
