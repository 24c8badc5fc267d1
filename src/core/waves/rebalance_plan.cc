#include "core/waves/rebalance_plan.h"

#include <set>

namespace huddle::core {
namespace {

__extension__ using Int128 = __int128;

struct ByRatio {
  const std::vector<NodeLoad>* nodes;
  // load_a / cap_a < load_b / cap_b by cross-multiplication (exact on integers; capacity <= 0
  // means infinitely heavy when the node has load); ties by node id.
  bool operator()(size_t a, size_t b) const {
    const NodeLoad& x = (*nodes)[a];
    const NodeLoad& y = (*nodes)[b];
    const Int128 lhs = static_cast<Int128>(x.load) * std::max<int64_t>(y.capacity, 0);
    const Int128 rhs = static_cast<Int128>(y.load) * std::max<int64_t>(x.capacity, 0);
    if (lhs != rhs) return lhs < rhs;
    return x.node < y.node;
  }
};

}  // namespace

std::vector<Transfer> PlanRebalance(std::span<const NodeLoad> loads, size_t max_moves) {
  std::vector<NodeLoad> nodes;
  for (const NodeLoad& l : loads) {
    if (l.capacity > 0 || l.load > 0)
      nodes.push_back({l.node, std::max<int64_t>(l.load, 0), l.capacity});
  }
  std::set<size_t, ByRatio> order(ByRatio{&nodes});
  std::set<size_t, ByRatio> targets(ByRatio{&nodes});
  for (size_t i = 0; i < nodes.size(); ++i) {
    order.insert(i);
    if (nodes[i].capacity > 0) targets.insert(i);
  }
  std::vector<Transfer> plan;
  for (size_t moves = 0; moves < max_moves && !targets.empty(); ++moves) {
    const size_t s = *order.rbegin();
    const size_t d = *targets.begin();
    if (s == d || nodes[s].load <= 0) break;
    const NodeLoad& src = nodes[s];
    const NodeLoad& dst = nodes[d];
    const Int128 after_src = static_cast<Int128>(src.load - 1) * dst.capacity;
    const Int128 after_dst = static_cast<Int128>(dst.load + 1) * std::max<int64_t>(src.capacity, 0);
    if (src.capacity > 0 && after_src < after_dst) break;
    order.erase(s);
    order.erase(d);
    targets.erase(d);
    const bool src_is_target = targets.erase(s) > 0;
    --nodes[s].load;
    ++nodes[d].load;
    order.insert(s);
    order.insert(d);
    targets.insert(d);
    if (src_is_target) targets.insert(s);
    bool merged = false;
    for (Transfer& t : plan) {
      if (t.from == nodes[s].node && t.to == nodes[d].node) {
        ++t.tasks;
        merged = true;
        break;
      }
    }
    if (!merged) plan.push_back({nodes[s].node, nodes[d].node, 1});
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
