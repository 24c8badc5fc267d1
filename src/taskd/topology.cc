#include "taskd/topology.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace huddle::taskd {

using core::Fail;

std::optional<NodeId> Topology::Find(const std::string& name) const {
  for (NodeId i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  return std::nullopt;
}

core::Result<Topology> ParseTopology(const std::string& text, const std::string& source) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return Fail(source + ": a topology is a mapping with nodes and edges");
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (key != "nodes" && key != "edges" && key != "initiator") {
        return Fail(fmt::format("{}:{}: unknown key '{}'", source, kv.first.Mark().line + 1, key));
      }
    }
    if (!root["nodes"] || !root["nodes"].IsSequence() || root["nodes"].size() == 0) {
      return Fail(source + ": nodes must be a non-empty list of names");
    }
    Topology t;
    for (const auto& n : root["nodes"]) {
      const std::string name = n.as<std::string>();
      if (t.Find(name)) {
        return Fail(fmt::format("{}:{}: duplicate node '{}'", source, n.Mark().line + 1, name));
      }
      t.names.push_back(name);
    }
    t.graph = core::Graph(t.names.size());
    if (root["edges"]) {
      for (const auto& e : root["edges"]) {
        if (!e.IsSequence() || e.size() != 2) {
          return Fail(fmt::format("{}:{}: an edge is [a, b]", source, e.Mark().line + 1));
        }
        const auto a = t.Find(e[0].as<std::string>());
        const auto b = t.Find(e[1].as<std::string>());
        if (!a || !b) {
          return Fail(fmt::format("{}:{}: edge names an unknown node", source, e.Mark().line + 1));
        }
        if (!t.graph.AddEdge(*a, *b)) {
          return Fail(fmt::format("{}:{}: a loop or a duplicate edge", source, e.Mark().line + 1));
        }
      }
    }
    if (root["initiator"]) {
      const auto i = t.Find(root["initiator"].as<std::string>());
      if (!i) return Fail(source + ": the initiator is not a node");
      t.initiator = *i;
    }
    if (!core::IsConnected(t.graph)) return Fail(source + ": the overlay graph is not connected");
    return t;
  } catch (const YAML::Exception& e) {
    return Fail(fmt::format("{}:{}: {}", source, e.mark.line + 1, e.msg));
  }
}

core::Result<Topology> LoadTopology(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail("cannot read topology " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseTopology(text.str(), path);
}

std::string TopologyToYaml(const Topology& t) {
  std::string out = "nodes: [";
  for (size_t i = 0; i < t.names.size(); ++i) out += (i ? ", " : "") + t.names[i];
  out += "]\nedges:\n";
  for (NodeId u = 0; u < t.names.size(); ++u) {
    for (NodeId v : t.graph.neighbors(u)) {
      if (u < v) out += fmt::format("  - [{}, {}]\n", t.names[u], t.names[v]);
    }
  }
  out += "initiator: " + t.names[t.initiator] + "\n";
  return out;
}

Topology NamedTopology(core::Graph graph, NodeId initiator) {
  Topology t;
  for (size_t i = 0; i < graph.nodes(); ++i) t.names.push_back(fmt::format("n{}", i));
  t.graph = std::move(graph);
  t.initiator = initiator;
  return t;
}

}  // namespace huddle::taskd
