#include "taskd/wave_check.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "taskd/coordinator.h"
#include "taskd/coordinator_api.h"
#include "taskd/http_server.h"
#include "taskd/overlay_node.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;

bool TreeFromReport(const Topology& t, const json& tree) {
  std::vector<std::optional<NodeId>> parent(t.names.size());
  for (NodeId n = 0; n < t.names.size(); ++n) {
    if (!tree.contains(t.names[n])) return false;
    const json& f = tree[t.names[n]];
    if (f.is_null()) continue;
    const auto id = t.Find(f.get<std::string>());
    if (!id) return false;
    parent[n] = *id;
  }
  return core::IsSpanningTree(t.graph, t.initiator, parent);
}

}  // namespace

core::Result<std::vector<WaveCheck>> RunWavesOverLoopback(const Topology& topology,
                                                          const std::vector<core::WaveId>& waves,
                                                          core::Duration timeout) {
  Coordinator coordinator(CoordinatorOptions{}, std::chrono::steady_clock::now());
  // Loopback only, a test harness: no token (the overlay nodes post their reports without one).
  CoordinatorApi api(
      coordinator, [] { return std::chrono::steady_clock::now(); },
      http::AuthPolicy{.token = "", .listen_host = "127.0.0.1"});
  HttpServer server([&api](const HttpRequest& r) { return api.Handle(r); });
  auto port = server.Start("127.0.0.1", 0);
  if (!port) return std::unexpected(port.error());
  const std::string coordinator_url = fmt::format("http://127.0.0.1:{}", *port);

  std::vector<std::unique_ptr<OverlayNode>> nodes;
  std::vector<std::string> urls;
  for (const std::string& name : topology.names) {
    nodes.push_back(std::make_unique<OverlayNode>(topology, name, coordinator_url, ""));
    auto url = nodes.back()->Start("127.0.0.1", 0);
    if (!url) return std::unexpected(url.error());
    urls.push_back(*url);
  }
  for (NodeId n = 0; n < nodes.size(); ++n) {
    std::vector<std::pair<std::string, std::string>> neighbors;
    for (NodeId m : topology.graph.neighbors(n)) neighbors.emplace_back(topology.names[m], urls[m]);
    nodes[n]->OnPoll(neighbors, 0);
  }
  for (core::WaveId w : waves) nodes[topology.initiator]->OnPoll({}, w);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<WaveCheck> out;
  while (true) {
    const json all = coordinator.WavesJson();
    out.clear();
    size_t complete = 0;
    for (core::WaveId w : waves) {
      WaveCheck c{.wave = w, .nodes = topology.names.size(), .edges = topology.graph.edges()};
      for (const json& r : all) {
        if (r["wave"] != w) continue;
        c.report = r;
        c.nodes_decided = r["nodes_decided"].get<size_t>();
        c.echo_messages = r["echo_messages"].get<size_t>();
        c.finn_messages = r["finn_messages"].get<size_t>();
        c.spanning_tree = TreeFromReport(topology, r["tree"]);
      }
      complete += c.nodes_decided == c.nodes ? 1 : 0;
      out.push_back(c);
    }
    if (complete == waves.size() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& n : nodes) n->Stop();
  server.Stop();
  return out;
}

int RunWavesCommand(int argc, char** argv) {
  CLI::App app{"Echo and Finn over loopback HTTP on generated graphs.", "huddle tasks waves"};
  int graphs = 5;
  int max_nodes = 8;
  uint64_t seed = 1;
  app.add_option("--graphs", graphs, "random connected graphs to run")->check(CLI::Range(1, 1000));
  app.add_option("--nodes", max_nodes, "largest graph (nodes)")->check(CLI::Range(2, 64));
  app.add_option("--seed", seed, "generator seed");
  CLI11_PARSE(app, argc, argv);
  core::Xoshiro256 random(seed);
  int failures = 0;
  std::cout << "| graph | nodes | edges | wave | decided | echo msgs (2·edges) | finn msgs | "
               "spanning tree |\n|---|---|---|---|---|---|---|---|\n";
  for (int g = 0; g < graphs; ++g) {
    const size_t n = 2 + random.Below(static_cast<uint64_t>(max_nodes - 1));
    const Topology t = NamedTopology(core::RandomConnectedGraph(n, random.Below(n + 1), random),
                                     static_cast<NodeId>(random.Below(n)));
    const std::vector<core::WaveId> waves = {static_cast<core::WaveId>(2 * g + 1),
                                             static_cast<core::WaveId>(2 * g + 2)};
    auto result = RunWavesOverLoopback(t, waves, std::chrono::seconds(20));
    if (!result) {
      std::cerr << "huddle tasks waves: " << result.error().message << "\n";
      return 1;
    }
    for (const WaveCheck& c : *result) {
      const bool ok =
          c.nodes_decided == c.nodes && c.echo_messages == 2 * c.edges && c.spanning_tree;
      failures += ok ? 0 : 1;
      std::cout << fmt::format("| {} | {} | {} | {} | {} | {} ({}) | {} | {} |\n", g, c.nodes,
                               c.edges, c.wave, c.nodes_decided, c.echo_messages, 2 * c.edges,
                               c.finn_messages, c.spanning_tree ? "yes" : "NO");
    }
  }
  std::cout << (failures == 0 ? "all waves passed\n" : fmt::format("{} waves failed\n", failures));
  return failures == 0 ? 0 : 1;
}

}  // namespace huddle::taskd
