#include "core/control/dependency_graph.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

DependencyGraph::Index DependencyGraph::AddService(std::string_view name) {
  std::string key(name);
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  const auto i = static_cast<Index>(names_.size());
  names_.push_back(key);
  index_.emplace(std::move(key), i);
  return i;
}

std::optional<DependencyGraph::Index> DependencyGraph::Find(std::string_view name) const {
  if (auto it = index_.find(std::string(name)); it != index_.end()) return it->second;
  return std::nullopt;
}

void DependencyGraph::ObserveCall(Index from, Index to, double call_rate, double from_rate,
                                  TimePoint now) {
  if (from == to || from >= size() || to >= size()) return;
  if (!std::isfinite(call_rate) || !std::isfinite(from_rate) || !(from_rate > 0.0)) return;
  auto it = std::find_if(edges_.begin(), edges_.end(),
                         [&](const Edge& e) { return e.from == from && e.to == to; });
  if (!(call_rate > 0.0)) {
    if (it != edges_.end()) edges_.erase(it);
    return;
  }
  const double w = std::min(call_rate / from_rate, 1.0);
  if (it == edges_.end()) {
    edges_.push_back({from, to, w, now});
  } else {
    it->weight = w;
    it->seen = now;
  }
}

void DependencyGraph::Prune(TimePoint now, Duration max_age) {
  std::erase_if(edges_, [&](const Edge& e) { return now - e.seen > max_age; });
}

double DependencyGraph::Weight(Index from, Index to) const {
  for (const Edge& e : edges_) {
    if (e.from == from && e.to == to) return e.weight;
  }
  return 0.0;
}

std::vector<std::pair<DependencyGraph::Index, double>> DependencyGraph::Dependents(
    Index target, double min_weight) const {
  std::vector<double> best(size(), 0.0);
  if (target >= size()) return {};
  best[target] = 1.0;
  // Widest-path relaxation backwards along call edges: caller gets w(caller -> callee) x best.
  for (size_t round = 0; round + 1 < size(); ++round) {
    bool changed = false;
    for (const Edge& e : edges_) {
      const double via = e.weight * best[e.to];
      if (e.from != target && via > best[e.from]) {
        best[e.from] = via;
        changed = true;
      }
    }
    if (!changed) break;
  }
  std::vector<std::pair<Index, double>> out;
  for (Index i = 0; i < size(); ++i) {
    if (i != target && best[i] > 0.0 && best[i] >= min_weight) out.emplace_back(i, best[i]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

std::vector<DependencyGraph::Index> DependencyGraph::Callees(Index from) const {
  std::vector<Index> out;
  for (const Edge& e : edges_) {
    if (e.from == from) out.push_back(e.to);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace huddle::core
