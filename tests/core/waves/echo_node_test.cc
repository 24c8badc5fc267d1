#include "core/waves/echo_node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "core/waves/message_pool.h"
#include "core/waves/rebalance_plan.h"
#include "core/waves/wave_test_util.h"

namespace huddle::core {
namespace {

using testing_waves::NamedGraph;
using testing_waves::UndirectedZoo;

std::vector<EchoNode> MakeNodes(const Graph& g) {
  std::vector<EchoNode> nodes;
  for (NodeId u = 0; u < g.nodes(); ++u) {
    nodes.emplace_back(u, std::vector<NodeId>(g.neighbors(u).begin(), g.neighbors(u).end()));
    nodes.back().SetLoad(3 * u % 7, 1 + u % 4);
  }
  return nodes;
}

// Runs one wave to the end in a random order; returns the number of messages.
size_t RunEcho(std::vector<EchoNode>& nodes, NodeId initiator, WaveId wave, Random& rng,
               bool* decided_last) {
  MessagePool<EchoMessage> pool;
  pool.Push(*nodes[initiator].Start(wave));
  *decided_last = nodes[initiator].Decided(wave) && pool.empty();
  while (!pool.empty()) {
    EXPECT_FALSE(nodes[initiator].Decided(wave)) << "decided with messages in flight";
    const EchoMessage m = pool.TakeRandom(rng);
    EXPECT_EQ(m.wave, wave);
    pool.Push(nodes[m.to].OnMessage(m));
    if (nodes[initiator].Decided(wave)) *decided_last = pool.empty();
  }
  return pool.taken();
}

TEST(EchoNodeTest, EveryGraphEveryInterleaving) {
  int runs = 0;
  for (const NamedGraph& ng : UndirectedZoo()) {
    const Graph& g = ng.graph;
    ASSERT_TRUE(IsConnected(g)) << ng.name;
    for (uint64_t seed = 1; seed <= 25; ++seed) {
      Xoshiro256 rng(seed);
      std::vector<EchoNode> nodes = MakeNodes(g);
      const NodeId initiator = static_cast<NodeId>(rng.Below(g.nodes()));
      bool decided_last = false;
      const size_t messages = RunEcho(nodes, initiator, 1, rng, &decided_last);
      const std::string where = ng.name + " seed " + std::to_string(seed);
      EXPECT_EQ(messages, 2 * g.edges()) << where;  // exactly 2|E|
      EXPECT_TRUE(decided_last) << where;           // the decision is the last event
      std::vector<std::optional<NodeId>> father(g.nodes());
      for (NodeId u = 0; u < g.nodes(); ++u) {
        father[u] = nodes[u].Father(1);
        if (u != initiator) EXPECT_TRUE(nodes[u].Finished(1)) << where;
      }
      EXPECT_TRUE(IsSpanningTree(g, initiator, father)) << where;
      const std::vector<NodeLoad>* gathered = nodes[initiator].Gathered(1);
      ASSERT_NE(gathered, nullptr) << where;
      std::vector<NodeLoad> sorted = *gathered;
      std::sort(sorted.begin(), sorted.end(),
                [](const NodeLoad& a, const NodeLoad& b) { return a.node < b.node; });
      ASSERT_EQ(sorted.size(), g.nodes()) << where;  // every node reached, reported once
      for (NodeId u = 0; u < g.nodes(); ++u) {
        EXPECT_EQ(sorted[u], (NodeLoad{u, 3 * u % 7, 1 + u % 4})) << where;
      }
      ++runs;
    }
  }
  EXPECT_EQ(runs, 20 * 25);
}

TEST(EchoNodeTest, ConcurrentWavesDoNotInterfere) {
  Xoshiro256 build(5);
  const Graph g = RandomConnectedGraph(15, 12, build);
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Xoshiro256 rng(seed);
    std::vector<EchoNode> nodes = MakeNodes(g);
    MessagePool<EchoMessage> pool;
    pool.Push(*nodes[0].Start(100));
    pool.Push(*nodes[7].Start(200));
    pool.Push(*nodes[7].Start(300));  // the same initiator may run two waves
    while (!pool.empty()) {
      const EchoMessage m = pool.TakeRandom(rng);
      pool.Push(nodes[m.to].OnMessage(m));
    }
    EXPECT_EQ(pool.taken(), 3 * 2 * g.edges());
    for (auto [node, wave] : {std::pair<NodeId, WaveId>{0, 100}, {7, 200}, {7, 300}}) {
      ASSERT_TRUE(nodes[node].Decided(wave));
      EXPECT_EQ(nodes[node].Gathered(wave)->size(), g.nodes());
    }
    EXPECT_FALSE(nodes[0].Decided(200));
  }
}

TEST(EchoNodeTest, StartTwiceFailsAndForgetDropsState) {
  EchoNode n(0, {1});
  ASSERT_TRUE(n.Start(1).has_value());
  EXPECT_FALSE(n.Start(1).has_value());
  EXPECT_EQ(n.waves_held(), 1u);
  n.Forget(1);
  EXPECT_EQ(n.waves_held(), 0u);
}

TEST(EchoNodeTest, LeafAnswersItsFatherAtOnceWithItsReport) {
  EchoNode leaf(4, {2});
  leaf.SetLoad(9, 2);
  const auto out = leaf.OnMessage({7, 2, 4, {}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 2u);
  EXPECT_EQ(out[0].reports, (std::vector<NodeLoad>{{4, 9, 2}}));
  EXPECT_TRUE(leaf.OnMessage({7, 2, 4, {}}).empty());  // a stray token after the end is ignored
}

TEST(EchoNodeTest, GatherThenPlanConservesLoad) {
  Xoshiro256 rng(99);
  const Graph g = RandomConnectedGraph(30, 20, rng);
  std::vector<EchoNode> nodes;
  int64_t total = 0;
  for (NodeId u = 0; u < g.nodes(); ++u) {
    nodes.emplace_back(u, std::vector<NodeId>(g.neighbors(u).begin(), g.neighbors(u).end()));
    const int64_t load = static_cast<int64_t>(rng.Below(20));
    nodes.back().SetLoad(load, 2 + static_cast<int64_t>(rng.Below(7)));
    total += load;
  }
  bool decided_last = false;
  RunEcho(nodes, 3, 1, rng, &decided_last);
  const std::vector<NodeLoad>& gathered = *nodes[3].Gathered(1);
  const auto plan = PlanRebalance(gathered);
  const auto after = ApplyPlan(gathered, plan);
  int64_t sum = 0;
  for (const NodeLoad& l : after) sum += l.load;
  EXPECT_EQ(sum, total);
  EXPECT_FALSE(plan.empty());
}

}  // namespace
}  // namespace huddle::core
