#include "core/waves/graph.h"

#include <algorithm>
#include <queue>
#include <set>

namespace huddle::core {
namespace {

std::vector<bool> Reach(size_t n, NodeId start, const std::vector<std::span<const NodeId>>& next) {
  std::vector<bool> seen(n, false);
  std::vector<NodeId> stack = {start};
  seen[start] = true;
  while (!stack.empty()) {
    const NodeId u = stack.back();
    stack.pop_back();
    for (NodeId v : next[u]) {
      if (!seen[v]) {
        seen[v] = true;
        stack.push_back(v);
      }
    }
  }
  return seen;
}

bool All(const std::vector<bool>& v) {
  return std::all_of(v.begin(), v.end(), [](bool b) { return b; });
}

}  // namespace

bool Graph::AddEdge(NodeId u, NodeId v) {
  if (u == v || u >= nodes() || v >= nodes() || HasEdge(u, v)) return false;
  adjacency_[u].push_back(v);
  adjacency_[v].push_back(u);
  ++edges_;
  return true;
}

bool Graph::HasEdge(NodeId u, NodeId v) const {
  if (u >= nodes() || v >= nodes()) return false;
  const auto& a = adjacency_[u];
  return std::find(a.begin(), a.end(), v) != a.end();
}

bool Digraph::AddArc(NodeId from, NodeId to) {
  if (from == to || from >= nodes() || to >= nodes() || HasArc(from, to)) return false;
  out_[from].push_back(to);
  in_[to].push_back(from);
  ++arcs_;
  return true;
}

bool Digraph::HasArc(NodeId from, NodeId to) const {
  if (from >= nodes() || to >= nodes()) return false;
  const auto& a = out_[from];
  return std::find(a.begin(), a.end(), to) != a.end();
}

Graph PathGraph(size_t n) {
  Graph g(n);
  for (size_t i = 1; i < n; ++i) g.AddEdge(i - 1, i);
  return g;
}

Graph CycleGraph(size_t n) {
  Graph g = PathGraph(n);
  if (n >= 3) g.AddEdge(n - 1, 0);
  return g;
}

Graph CompleteGraph(size_t n) {
  Graph g(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) g.AddEdge(i, j);
  }
  return g;
}

Graph StarGraph(size_t n) {
  Graph g(n);
  for (size_t i = 1; i < n; ++i) g.AddEdge(0, i);
  return g;
}

Graph RandomTree(size_t n, Random& random) {
  Graph g(n);
  if (n < 2) return g;
  if (n == 2) {
    g.AddEdge(0, 1);
    return g;
  }
  // Decode a uniformly random Pruefer sequence of length n - 2.
  std::vector<NodeId> seq(n - 2);
  for (NodeId& s : seq) s = static_cast<NodeId>(random.Below(n));
  std::vector<size_t> degree(n, 1);
  for (NodeId s : seq) ++degree[s];
  std::set<NodeId> leaves;
  for (NodeId v = 0; v < n; ++v) {
    if (degree[v] == 1) leaves.insert(v);
  }
  for (NodeId s : seq) {
    const NodeId leaf = *leaves.begin();
    leaves.erase(leaves.begin());
    g.AddEdge(leaf, s);
    if (--degree[s] == 1) leaves.insert(s);
  }
  const NodeId a = *leaves.begin();
  const NodeId b = *std::next(leaves.begin());
  g.AddEdge(a, b);
  return g;
}

Graph RandomConnectedGraph(size_t n, size_t extra_edges, Random& random) {
  Graph g = RandomTree(n, random);
  const size_t max_edges = n * (n - 1) / 2;
  const size_t target = std::min(max_edges, g.edges() + extra_edges);
  while (g.edges() < target) {
    g.AddEdge(static_cast<NodeId>(random.Below(n)), static_cast<NodeId>(random.Below(n)));
  }
  return g;
}

Digraph Symmetric(const Graph& g) {
  Digraph d(g.nodes());
  for (NodeId u = 0; u < g.nodes(); ++u) {
    for (NodeId v : g.neighbors(u)) d.AddArc(u, v);
  }
  return d;
}

Digraph DirectedCycle(size_t n) {
  Digraph d(n);
  for (size_t i = 0; n >= 2 && i < n; ++i) d.AddArc(i, (i + 1) % n);
  return d;
}

Digraph RandomStronglyConnectedDigraph(size_t n, size_t extra_arcs, Random& random) {
  Digraph d(n);
  std::vector<NodeId> order(n);
  for (NodeId i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[random.Below(i)]);  // Fisher-Yates
  for (size_t i = 0; n >= 2 && i < n; ++i) d.AddArc(order[i], order[(i + 1) % n]);
  const size_t target = std::min(n * (n - 1), d.arcs() + extra_arcs);
  while (d.arcs() < target) {
    d.AddArc(static_cast<NodeId>(random.Below(n)), static_cast<NodeId>(random.Below(n)));
  }
  return d;
}

bool IsConnected(const Graph& g) {
  if (g.nodes() == 0) return true;
  std::vector<std::span<const NodeId>> next(g.nodes());
  for (NodeId u = 0; u < g.nodes(); ++u) next[u] = g.neighbors(u);
  return All(Reach(g.nodes(), 0, next));
}

bool IsStronglyConnected(const Digraph& g) {
  if (g.nodes() == 0) return true;
  std::vector<std::span<const NodeId>> out(g.nodes());
  std::vector<std::span<const NodeId>> in(g.nodes());
  for (NodeId u = 0; u < g.nodes(); ++u) {
    out[u] = g.out(u);
    in[u] = g.in(u);
  }
  return All(Reach(g.nodes(), 0, out)) && All(Reach(g.nodes(), 0, in));
}

bool IsSpanningTree(const Graph& g, NodeId root, std::span<const std::optional<NodeId>> parent) {
  const size_t n = g.nodes();
  if (parent.size() != n || root >= n || parent[root].has_value()) return false;
  for (NodeId v = 0; v < n; ++v) {
    if (v == root) continue;
    if (!parent[v] || !g.HasEdge(v, *parent[v])) return false;
  }
  // Every node must reach the root by parent pointers within n steps (no cycles).
  for (NodeId v = 0; v < n; ++v) {
    NodeId u = v;
    size_t steps = 0;
    while (u != root && steps <= n) {
      u = *parent[u];
      ++steps;
    }
    if (u != root) return false;
  }
  return true;
}

}  // namespace huddle::core
