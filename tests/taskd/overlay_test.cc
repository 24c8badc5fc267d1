// Overlay mode over loopback HTTP: Echo and Finn between OverlayNodes (each its own server on
// port 0), and a coordinator whose workers are rebalanced by the waves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/random.h"
#include "taskd/coordinator_service.h"
#include "taskd/overlay_node.h"
#include "taskd/wave_check.h"
#include "taskd/worker_agent.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;

void ExpectWavesPass(const Topology& t, const std::vector<core::WaveId>& waves) {
  auto result = RunWavesOverLoopback(t, waves, std::chrono::seconds(20));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->size(), waves.size());
  for (const WaveCheck& c : *result) {
    EXPECT_EQ(c.nodes_decided, t.names.size()) << "wave " << c.wave << " " << c.report.dump();
    EXPECT_EQ(c.echo_messages, 2 * t.graph.edges()) << "wave " << c.wave;
    EXPECT_TRUE(c.spanning_tree) << c.report.dump();
    // Finn sends at most 2 N |E| messages (each set grows at most N times).
    EXPECT_LE(c.finn_messages, 2 * t.names.size() * 2 * t.graph.edges());
    EXPECT_GE(c.finn_messages, 2 * t.graph.edges());
  }
}

TEST(OverlayWavesTest, TwoConcurrentWavesOnAPathACycleAndAStar) {
  ExpectWavesPass(NamedTopology(core::PathGraph(5), 2), {11, 12});
  ExpectWavesPass(NamedTopology(core::CycleGraph(6), 0), {21, 22});
  ExpectWavesPass(NamedTopology(core::StarGraph(5), 3), {31, 32});
}

TEST(OverlayWavesTest, RandomConnectedGraphs) {
  core::Xoshiro256 random(42);
  for (int g = 0; g < 6; ++g) {
    const size_t n = 3 + random.Below(6);
    const Topology t =
        NamedTopology(core::RandomConnectedGraph(n, random.Below(n), random), random.Below(n));
    ExpectWavesPass(t, {static_cast<core::WaveId>(100 + g)});
  }
}

TEST(OverlayWavesTest, RejectsMessagesFromNonNeighbours) {
  OverlayNode node(NamedTopology(core::PathGraph(3)), "n0", "http://127.0.0.1:1", "");
  const json m = {
      {"algo", "echo"}, {"wave", 1}, {"from", 2}, {"to", 0}, {"reports", json::array()}};
  EXPECT_FALSE(node.OnMessage(m).has_value());
  EXPECT_FALSE(node.OnMessage(json{{"algo", "echo"}}).has_value());
}

TEST(TopologyTest, ParsesAndRejectsWithLines) {
  auto t = ParseTopology("nodes: [a, b, c]\nedges: [[a, b], [b, c]]\ninitiator: b\n", "t.yaml");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->initiator, 1u);
  EXPECT_EQ(t->graph.edges(), 2u);
  auto disconnected = ParseTopology("nodes: [a, b, c]\nedges: [[a, b]]\n", "t.yaml");
  ASSERT_FALSE(disconnected.has_value());
  EXPECT_NE(disconnected.error().message.find("not connected"), std::string::npos);
  auto unknown = ParseTopology("nodes: [a]\nedge: []\n", "t.yaml");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "t.yaml:2: unknown key 'edge'");
  auto round = ParseTopology(TopologyToYaml(*t), "again");
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(round->graph.edges(), 2u);
}

// Overlay mode end to end: four tasks land on node a; b and c join; the coordinator asks a for a
// wave; Echo gathers 4/4, 0/4, 0/4 to a, the plan moves one task to b and one to c, Finn spreads
// it, a requests the two migrations, and the protocol carries them out.
TEST(OverlayServiceTest, WavesRebalanceTasksAcrossTheOverlay) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("huddle-taskd-overlay-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "topology.yaml") << "nodes: [a, b, c]\nedges: [[a, b], [b, c], [a, c]]\n"
                                            "initiator: a\n";
  }
  auto config = ParseCoordinatorConfig(
      "listen: 127.0.0.1:0\ntoken: none\nheartbeat_interval: 100ms\nheartbeat_timeout: 3s\n"
      "tick_interval: 50ms\ncheck_interval: 1s\nhistory: ''\n"
      "overlay: {topology: " +
          (dir / "topology.yaml").string() + ", wave_interval: 500ms}\n",
      "test");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  CoordinatorService service(*config);
  ASSERT_TRUE(service.Start().has_value());
  auto topology = LoadTopology((dir / "topology.yaml").string());
  ASSERT_TRUE(topology.has_value());

  std::vector<std::unique_ptr<OverlayNode>> overlays;
  std::vector<std::unique_ptr<WorkerAgent>> agents;
  auto start_worker = [&](const std::string& node) {
    overlays.push_back(std::make_unique<OverlayNode>(*topology, node, service.url(), ""));
    auto url = overlays.back()->Start("127.0.0.1", 0);
    ASSERT_TRUE(url.has_value());
    WorkerAgentOptions o;
    o.coordinator_url = service.url();
    o.profile.name = node;
    o.profile.node = node;
    o.profile.wave_url = *url;
    o.profile.cores = 4;
    o.profile.memory_gb = 8;
    o.executor.slots = 4;
    o.executor.spin = false;
    agents.push_back(std::make_unique<WorkerAgent>(o));
    overlays.back()->Attach(*agents.back());
    ASSERT_TRUE(agents.back()->Start().has_value());
  };
  auto wait_for = [](auto condition, std::chrono::seconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end && !condition()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
  };
  Coordinator& c = service.coordinator();
  start_worker("a");
  ASSERT_TRUE(wait_for([&] { return c.WorkerByNode("a").has_value(); }, std::chrono::seconds(5)));
  TaskSpec spec;
  spec.kind = TaskKind::kSynthetic;
  spec.duration = std::chrono::seconds(30);
  spec.group = "synthetic";
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(c.Submit(spec, std::chrono::steady_clock::now()));
  ASSERT_TRUE(wait_for([&] { return c.TaskCounts()["running"] == 4; }, std::chrono::seconds(5)));
  start_worker("b");
  start_worker("c");
  // Wait for a wave that moved tasks, and for its moves to finish.
  ASSERT_TRUE(wait_for(
      [&] {
        size_t on_b = 0;
        size_t on_c = 0;
        for (const json& t : c.TasksJson("running")) {
          on_b += t["worker"] == *c.WorkerByNode("b") ? 1 : 0;
          on_c += t["worker"] == *c.WorkerByNode("c") ? 1 : 0;
        }
        return on_b == 1 && on_c == 1;
      },
      std::chrono::seconds(15)))
      << c.TasksJson("").dump(1) << c.WavesJson().dump(1);
  const json waves = c.WavesJson();
  bool found = false;
  for (const json& w : waves) {
    if (w["moves_requested"] != 2) continue;
    found = true;
    EXPECT_EQ(w["nodes_decided"], 3);
    EXPECT_EQ(w["echo_messages"], 6);  // 2|E| on the triangle
    EXPECT_EQ(w["initiator"], "a");
    EXPECT_EQ(w["plan"].size(), 2u) << w.dump();
  }
  EXPECT_TRUE(found) << waves.dump(1);
  EXPECT_EQ(c.TaskCounts()["running"], 4u);
  size_t moved = 0;
  for (const json& m : c.MigrationsJson()) moved += m["result"] == "moved" ? 1 : 0;
  EXPECT_EQ(moved, 2u);
  for (auto& a : agents) a->Stop();
  for (auto& o : overlays) o->Stop();
  service.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace huddle::taskd
