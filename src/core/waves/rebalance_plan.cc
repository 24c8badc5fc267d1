#include "core/waves/rebalance_plan.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace huddle::core {
namespace {

__extension__ using Int128 = __int128;

// Orders nodes by (load + delta) / capacity, exactly (cross-multiplication on integers); a node
// with capacity <= 0 counts as infinitely heavy. Ties by node id.
struct ByShiftedRatio {
  const std::vector<NodeLoad>* nodes;
  int64_t delta;
  bool operator()(size_t a, size_t b) const {
    const NodeLoad& x = (*nodes)[a];
    const NodeLoad& y = (*nodes)[b];
    const bool x_inf = x.capacity <= 0;
    const bool y_inf = y.capacity <= 0;
    if (x_inf != y_inf) return y_inf;
    if (!x_inf) {
      const Int128 lhs = static_cast<Int128>(x.load + delta) * y.capacity;
      const Int128 rhs = static_cast<Int128>(y.load + delta) * x.capacity;
      if (lhs != rhs) return lhs < rhs;
    }
    return x.node < y.node;
  }
};

// True when moving one task from s to d leaves s at least as loaded as d.
bool Improves(const NodeLoad& s, const NodeLoad& d) {
  if (s.load <= 0 || d.capacity <= 0) return false;
  if (s.capacity <= 0) return true;
  return static_cast<Int128>(s.load - 1) * d.capacity >=
         static_cast<Int128>(d.load + 1) * s.capacity;
}

}  // namespace

std::vector<Transfer> PlanRebalance(std::span<const NodeLoad> loads, size_t max_moves) {
  std::vector<NodeLoad> nodes;
  for (const NodeLoad& l : loads) {
    if (l.capacity > 0 || l.load > 0) {
      nodes.push_back({l.node, std::max<int64_t>(l.load, 0), l.capacity});
    }
  }
  // Givers by their load after giving one, receivers by their load after receiving one.
  std::set<size_t, ByShiftedRatio> givers(ByShiftedRatio{&nodes, -1});
  std::set<size_t, ByShiftedRatio> receivers(ByShiftedRatio{&nodes, +1});
  auto insert = [&](size_t i) {
    if (nodes[i].load > 0) givers.insert(i);
    if (nodes[i].capacity > 0) receivers.insert(i);
  };
  auto erase = [&](size_t i) {
    givers.erase(i);
    receivers.erase(i);
  };
  for (size_t i = 0; i < nodes.size(); ++i) insert(i);

  std::vector<Transfer> plan;
  for (size_t moves = 0; moves < max_moves && !givers.empty() && !receivers.empty(); ++moves) {
    // The heaviest giver and the lightest receiver; if they are the same node, the runner-up on
    // either side (any improving pair implies one of these two does).
    size_t s = *givers.rbegin();
    size_t d = *receivers.begin();
    std::optional<std::pair<size_t, size_t>> pick;
    if (s != d) {
      if (Improves(nodes[s], nodes[d])) pick = {s, d};
    } else {
      if (givers.size() > 1) {
        const size_t g2 = *std::next(givers.rbegin());
        if (Improves(nodes[g2], nodes[d])) pick = {g2, d};
      }
      if (!pick && receivers.size() > 1) {
        const size_t r2 = *std::next(receivers.begin());
        if (Improves(nodes[s], nodes[r2])) pick = {s, r2};
      }
    }
    if (!pick) break;
    std::tie(s, d) = *pick;
    erase(s);
    erase(d);
    --nodes[s].load;
    ++nodes[d].load;
    insert(s);
    insert(d);
    const auto same = [&](const Transfer& t) {
      return t.from == nodes[s].node && t.to == nodes[d].node;
    };
    if (auto it = std::find_if(plan.begin(), plan.end(), same); it != plan.end()) {
      ++it->tasks;
    } else {
      plan.push_back({nodes[s].node, nodes[d].node, 1});
    }
  }
  return plan;
}

std::vector<NodeLoad> ApplyPlan(std::span<const NodeLoad> loads, std::span<const Transfer> plan) {
  std::vector<NodeLoad> out(loads.begin(), loads.end());
  for (const Transfer& t : plan) {
    NodeLoad* from = nullptr;
    NodeLoad* to = nullptr;
    for (NodeLoad& l : out) {
      if (l.node == t.from) from = &l;
      if (l.node == t.to) to = &l;
    }
    if (from == nullptr || to == nullptr) continue;
    from->load -= t.tasks;
    to->load += t.tasks;
  }
  return out;
}

}  // namespace huddle::core
