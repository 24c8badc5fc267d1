#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/random.h"

namespace huddle::core {

using NodeId = uint32_t;

// An undirected simple graph on nodes 0..n-1 (the overlay of task workers). Adjacency lists keep
// insertion order, so everything built from a seed is reproducible. Not thread-safe.
class Graph {
 public:
  explicit Graph(size_t nodes = 0) : adjacency_(nodes) {}
  // Adds u-v once; returns false for a loop, a duplicate or an id out of range.
  bool AddEdge(NodeId u, NodeId v);
  bool HasEdge(NodeId u, NodeId v) const;
  size_t nodes() const { return adjacency_.size(); }
  size_t edges() const { return edges_; }
  std::span<const NodeId> neighbors(NodeId u) const { return adjacency_[u]; }

 private:
  std::vector<std::vector<NodeId>> adjacency_;
  size_t edges_ = 0;
};

// A directed simple graph on nodes 0..n-1 with in- and out-lists.
class Digraph {
 public:
  explicit Digraph(size_t nodes = 0) : out_(nodes), in_(nodes) {}
  bool AddArc(NodeId from, NodeId to);
  bool HasArc(NodeId from, NodeId to) const;
  size_t nodes() const { return out_.size(); }
  size_t arcs() const { return arcs_; }
  std::span<const NodeId> out(NodeId u) const { return out_[u]; }
  std::span<const NodeId> in(NodeId u) const { return in_[u]; }

 private:
  std::vector<std::vector<NodeId>> out_;
  std::vector<std::vector<NodeId>> in_;
  size_t arcs_ = 0;
};

// Generators (REQUIRES: n >= 1). Random ones draw only from `random`.
Graph PathGraph(size_t n);
Graph CycleGraph(size_t n);  // n >= 3 for a real cycle; smaller n gives a path
Graph CompleteGraph(size_t n);
Graph StarGraph(size_t n);  // node 0 in the middle
// Uniform random labelled tree (random Pruefer sequence).
Graph RandomTree(size_t n, Random& random);
// A random tree plus `extra_edges` distinct random edges (fewer if the graph fills up).
Graph RandomConnectedGraph(size_t n, size_t extra_edges, Random& random);
// Both arcs for each edge of `g`.
Digraph Symmetric(const Graph& g);
Digraph DirectedCycle(size_t n);
// A random Hamiltonian cycle (so strongly connected) plus `extra_arcs` distinct random arcs.
Digraph RandomStronglyConnectedDigraph(size_t n, size_t extra_arcs, Random& random);

bool IsConnected(const Graph& g);
bool IsStronglyConnected(const Digraph& g);
// True when `parent` (nullopt at the root only) forms a spanning tree of `g` rooted at `root`
// using only edges of `g`.
bool IsSpanningTree(const Graph& g, NodeId root, std::span<const std::optional<NodeId>> parent);

}  // namespace huddle::core
