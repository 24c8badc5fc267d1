#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "core/waves/graph.h"

namespace huddle::taskd {

using core::NodeId;

// An overlay of task workers: named nodes, undirected edges, and the node that initiates waves.
// The YAML file:
//   nodes: [a, b, c]
//   edges: [[a, b], [b, c]]
//   initiator: a          # optional; the first node by default
// The graph must be connected (Echo needs it; Finn runs on its symmetric digraph, which is then
// strongly connected).
struct Topology {
  std::vector<std::string> names;  // NodeId -> name
  core::Graph graph;
  NodeId initiator = 0;

  std::optional<NodeId> Find(const std::string& name) const;
};

core::Result<Topology> ParseTopology(const std::string& yaml_text, const std::string& source);
core::Result<Topology> LoadTopology(const std::string& path);
std::string TopologyToYaml(const Topology& t);
// Names n0..n{n-1} on a generated graph.
Topology NamedTopology(core::Graph graph, NodeId initiator = 0);

}  // namespace huddle::taskd
