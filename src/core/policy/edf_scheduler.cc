#include "core/policy/edf_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {

void EdfScheduler::Rebuild(const std::vector<RoutingEntry>& entries,
                           const std::vector<double>& weights, uint32_t backend_slots) {
  constexpr double kUnscheduled = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> old_deadline(backend_slots, kUnscheduled);
  std::vector<uint64_t> old_order(backend_slots, 0);
  for (const Item& item : heap_) {
    if (item.backend < backend_slots) {
      old_deadline[item.backend] = item.deadline;
      old_order[item.backend] = item.order;
    }
  }
  // Keep FIFO order among equal deadlines: survivors keep their order numbers, newcomers come
  // after every existing one, in table order.
  std::vector<Item> items;
  items.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const BackendIndex b = entries[i].backend;
    const double w = weights.empty() ? entries[i].weight : weights[i];
    const double fresh = clock_ + 1.0 / w;
    if (b < backend_slots && !std::isnan(old_deadline[b])) {
      items.push_back(Item{std::min(old_deadline[b], fresh), old_order[b], b});
    } else {
      items.push_back(Item{fresh, next_order_++, b});
    }
  }
  heap_ = std::move(items);
  std::make_heap(heap_.begin(), heap_.end(), [](const Item& a, const Item& b) {
    return Before(b, a);  // std heaps are max-heaps: invert for a min-heap
  });
}

void EdfScheduler::AdvanceTop(double weight) {
  Item& top = heap_.front();
  clock_ = top.deadline;
  top.deadline = clock_ + 1.0 / weight;
  top.order = next_order_++;
  SiftDown(0);
}

void EdfScheduler::SiftDown(size_t i) {
  const size_t n = heap_.size();
  const Item item = heap_[i];
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
    if (!Before(heap_[child], item)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = item;
}

}  // namespace huddle::core
