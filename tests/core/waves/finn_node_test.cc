#include "core/waves/finn_node.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/waves/message_pool.h"
#include "core/waves/wave_test_util.h"

namespace huddle::core {
namespace {

std::vector<FinnNode> MakeNodes(const Digraph& d) {
  std::vector<FinnNode> nodes;
  for (NodeId u = 0; u < d.nodes(); ++u) {
    nodes.emplace_back(u, std::vector<NodeId>(d.in(u).begin(), d.in(u).end()),
                       std::vector<NodeId>(d.out(u).begin(), d.out(u).end()));
  }
  return nodes;
}

struct NamedDigraph {
  std::string name;
  Digraph graph;
};

std::vector<NamedDigraph> DirectedZoo() {
  std::vector<NamedDigraph> zoo;
  zoo.push_back({"single", Digraph(1)});
  zoo.push_back({"dicycle2", DirectedCycle(2)});
  zoo.push_back({"dicycle9", DirectedCycle(9)});
  for (const auto& ng : testing_waves::UndirectedZoo()) {
    if (ng.graph.nodes() > 1) zoo.push_back({"sym-" + ng.name, Symmetric(ng.graph)});
  }
  Xoshiro256 rng(77);
  for (size_t n : {3, 6, 12, 25}) {
    zoo.push_back({"sparse" + std::to_string(n), RandomStronglyConnectedDigraph(n, n / 2, rng)});
    zoo.push_back({"digraph" + std::to_string(n), RandomStronglyConnectedDigraph(n, 2 * n, rng)});
  }
  return zoo;
}

TEST(FinnNodeTest, EveryNodeDecidesOnceWithThePayloadOnEveryDigraph) {
  int runs = 0;
  for (const NamedDigraph& nd : DirectedZoo()) {
    const Digraph& d = nd.graph;
    ASSERT_TRUE(IsStronglyConnected(d)) << nd.name;
    const size_t n = d.nodes();
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      const std::string where = nd.name + " seed " + std::to_string(seed);
      Xoshiro256 rng(seed);
      std::vector<FinnNode> nodes = MakeNodes(d);
      MessagePool<FinnMessage> pool;
      const NodeId initiator = static_cast<NodeId>(rng.Below(n));
      pool.Push(*nodes[initiator].Start(9, "plan-42"));
      bool someone_decided = nodes[initiator].Decided(9);
      while (!pool.empty()) {
        const FinnMessage m = pool.TakeRandom(rng);
        pool.Push(nodes[m.to].OnMessage(m));
        const bool first_decision = !someone_decided && nodes[m.to].Decided(9);
        if (first_decision) {
          // A decision means every node already holds the payload.
          for (const FinnNode& node : nodes) {
            ASSERT_NE(node.Payload(9), nullptr) << where;
          }
          someone_decided = true;
        }
      }
      for (const FinnNode& node : nodes) {
        EXPECT_EQ(node.decisions(9), 1) << where << " node " << node.id();
        ASSERT_NE(node.Payload(9), nullptr);
        EXPECT_EQ(*node.Payload(9), "plan-42") << where;
      }
      // Every node sends to all its out-neighbours at least once, and at most once per growth
      // of its sets (each grows at most n times): |E| <= messages <= 2 n |E|.
      EXPECT_GE(pool.taken(), d.arcs()) << where;
      EXPECT_LE(pool.taken(), 2 * n * d.arcs()) << where;
      ++runs;
    }
  }
  EXPECT_GT(runs, 500);
}

TEST(FinnNodeTest, DirectedCycleCostsExactlyTwoRounds) {
  // Directed cycle 0 -> 1 -> ... -> n-1 -> 0 started by node 0, oldest message first. Round one:
  // node k receives Inc = {0..k-1}, NInc = {1..k-1} (node 0 has not heard its in-neighbour yet),
  // adds itself to both and forwards: n messages, ending at node 0 with Inc = all, NInc = all but
  // 0. Node 0 closes and sends; every node's NInc grows once more, so each sends once again and
  // decides: n more messages. Total 2n (for n = 3, worked by hand: 6).
  for (size_t n = 2; n <= 10; ++n) {
    const Digraph d = DirectedCycle(n);
    std::vector<FinnNode> nodes = MakeNodes(d);
    MessagePool<FinnMessage> pool;
    pool.Push(*nodes[0].Start(1, "x"));
    while (!pool.empty()) {
      const FinnMessage m = pool.TakeOldest();
      pool.Push(nodes[m.to].OnMessage(m));
    }
    EXPECT_EQ(pool.taken(), 2 * n) << n;
    for (const FinnNode& node : nodes) EXPECT_TRUE(node.Decided(1));
  }
}

TEST(FinnNodeTest, SeveralInitiatorsAndConcurrentWaves) {
  Xoshiro256 build(8);
  const Digraph d = RandomStronglyConnectedDigraph(12, 10, build);
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Xoshiro256 rng(seed);
    std::vector<FinnNode> nodes = MakeNodes(d);
    MessagePool<FinnMessage> pool;
    pool.Push(*nodes[0].Start(1, "a"));
    pool.Push(*nodes[5].Start(1, "a"));  // a second initiator of the same wave
    pool.Push(*nodes[3].Start(2, "b"));  // another wave at the same time
    while (!pool.empty()) {
      const FinnMessage m = pool.TakeRandom(rng);
      pool.Push(nodes[m.to].OnMessage(m));
    }
    for (const FinnNode& n : nodes) {
      EXPECT_EQ(n.decisions(1), 1);
      EXPECT_EQ(n.decisions(2), 1);
      EXPECT_EQ(*n.Payload(2), "b");
    }
  }
}

TEST(FinnNodeTest, NoDecisionWhileSomeNodeIsUnreached) {
  // 0 <-> 1, and 2 -> 0 only: node 2 is never reached, so node 0 never hears from all its
  // in-neighbours and nobody decides (Finn needs strong connectivity).
  Digraph d(3);
  d.AddArc(0, 1);
  d.AddArc(1, 0);
  d.AddArc(2, 0);
  std::vector<FinnNode> nodes = MakeNodes(d);
  MessagePool<FinnMessage> pool;
  pool.Push(*nodes[0].Start(1, "x"));
  while (!pool.empty()) {
    const FinnMessage m = pool.TakeOldest();
    pool.Push(nodes[m.to].OnMessage(m));
  }
  for (const FinnNode& n : nodes) EXPECT_FALSE(n.Decided(1));
  EXPECT_EQ(nodes[2].Payload(1), nullptr);
}

TEST(FinnNodeTest, StartTwiceFails) {
  FinnNode n(0, {1}, {1});
  ASSERT_TRUE(n.Start(1, "x").has_value());
  EXPECT_FALSE(n.Start(1, "y").has_value());
}

}  // namespace
}  // namespace huddle::core
