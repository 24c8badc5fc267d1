#include "core/waves/graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace huddle::core {
namespace {

TEST(GraphTest, EdgesAreSimpleAndUndirected) {
  Graph g(3);
  EXPECT_TRUE(g.AddEdge(0, 1));
  EXPECT_FALSE(g.AddEdge(1, 0));  // duplicate
  EXPECT_FALSE(g.AddEdge(2, 2));  // loop
  EXPECT_FALSE(g.AddEdge(0, 3));  // out of range
  EXPECT_TRUE(g.HasEdge(1, 0));
  EXPECT_EQ(g.edges(), 1u);
  EXPECT_FALSE(IsConnected(g));
  g.AddEdge(1, 2);
  EXPECT_TRUE(IsConnected(g));
}

TEST(GraphTest, FixedShapesHaveTheirEdgeCounts) {
  EXPECT_EQ(PathGraph(5).edges(), 4u);
  EXPECT_EQ(CycleGraph(5).edges(), 5u);
  EXPECT_EQ(CompleteGraph(6).edges(), 15u);
  EXPECT_EQ(StarGraph(6).edges(), 5u);
  EXPECT_EQ(DirectedCycle(4).arcs(), 4u);
  EXPECT_TRUE(IsStronglyConnected(DirectedCycle(4)));
  EXPECT_EQ(Symmetric(CycleGraph(5)).arcs(), 10u);
}

TEST(GraphTest, RandomTreesAreSpanningTreesAndReproducible) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Xoshiro256 rng(seed);
    const size_t n = 1 + seed % 30;
    const Graph g = RandomTree(n, rng);
    ASSERT_EQ(g.edges(), n - 1);
    ASSERT_TRUE(IsConnected(g)) << seed;
  }
  Xoshiro256 a(7);
  Xoshiro256 b(7);
  const Graph ga = RandomConnectedGraph(15, 10, a);
  const Graph gb = RandomConnectedGraph(15, 10, b);
  for (NodeId u = 0; u < 15; ++u) {
    EXPECT_EQ(std::vector<NodeId>(ga.neighbors(u).begin(), ga.neighbors(u).end()),
              std::vector<NodeId>(gb.neighbors(u).begin(), gb.neighbors(u).end()));
  }
}

TEST(GraphTest, RandomTreesCoverManyShapes) {
  // Cayley: 4^2 = 16 labelled trees on 4 nodes; 2000 draws should meet all of them (each has
  // probability 1/16, so missing one has probability about 16 (15/16)^2000 ~ 1e-55).
  std::set<std::vector<std::pair<NodeId, NodeId>>> shapes;
  Xoshiro256 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const Graph g = RandomTree(4, rng);
    std::vector<std::pair<NodeId, NodeId>> edges;
    for (NodeId u = 0; u < 4; ++u) {
      for (NodeId v : g.neighbors(u)) {
        if (u < v) edges.push_back({u, v});
      }
    }
    std::sort(edges.begin(), edges.end());
    shapes.insert(edges);
  }
  EXPECT_EQ(shapes.size(), 16u);
}

TEST(GraphTest, RandomGraphsAndDigraphsAreConnected) {
  Xoshiro256 rng(11);
  for (int i = 0; i < 200; ++i) {
    const size_t n = 2 + rng.Below(30);
    const Graph g = RandomConnectedGraph(n, rng.Below(2 * n), rng);
    ASSERT_TRUE(IsConnected(g));
    const Digraph d = RandomStronglyConnectedDigraph(n, rng.Below(2 * n), rng);
    ASSERT_TRUE(IsStronglyConnected(d));
  }
  EXPECT_EQ(RandomConnectedGraph(5, 100, rng).edges(), 10u);  // saturates at complete
}

TEST(GraphTest, StrongConnectivityNeedsBothDirections) {
  Digraph d(3);
  d.AddArc(0, 1);
  d.AddArc(1, 2);
  EXPECT_FALSE(IsStronglyConnected(d));
  d.AddArc(2, 0);
  EXPECT_TRUE(IsStronglyConnected(d));
  EXPECT_EQ(d.in(0).size(), 1u);
  EXPECT_EQ(d.in(0)[0], 2u);
}

TEST(GraphTest, IsSpanningTreeRejectsCyclesAndNonEdges) {
  const Graph g = CycleGraph(4);  // 0-1-2-3-0
  using P = std::optional<NodeId>;
  const std::vector<P> good = {std::nullopt, 0, 1, 0};
  EXPECT_TRUE(IsSpanningTree(g, 0, good));
  const std::vector<P> non_edge = {std::nullopt, 0, 0, 0};  // 2-0 is not an edge
  EXPECT_FALSE(IsSpanningTree(g, 0, non_edge));
  const std::vector<P> loop = {std::nullopt, 2, 1, 0};  // 1 and 2 point at each other
  EXPECT_FALSE(IsSpanningTree(g, 0, loop));
  const std::vector<P> missing = {std::nullopt, 0, std::nullopt, 0};
  EXPECT_FALSE(IsSpanningTree(g, 0, missing));
}

}  // namespace
}  // namespace huddle::core
