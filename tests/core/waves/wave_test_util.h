#pragma once

#include <string>
#include <vector>

#include "core/random.h"
#include "core/waves/graph.h"

namespace huddle::core::testing_waves {

// A named graph for parameter sweeps.
struct NamedGraph {
  std::string name;
  Graph graph;
};

// Trees, paths, stars, cycles, complete graphs and random connected graphs of several sizes,
// all built from a fixed seed.
inline std::vector<NamedGraph> UndirectedZoo() {
  Xoshiro256 rng(20240611);
  std::vector<NamedGraph> zoo;
  zoo.push_back({"single", Graph(1)});
  zoo.push_back({"pair", PathGraph(2)});
  zoo.push_back({"path7", PathGraph(7)});
  zoo.push_back({"star9", StarGraph(9)});
  zoo.push_back({"cycle3", CycleGraph(3)});
  zoo.push_back({"cycle12", CycleGraph(12)});
  zoo.push_back({"complete6", CompleteGraph(6)});
  zoo.push_back({"complete10", CompleteGraph(10)});
  for (size_t n : {5, 8, 20, 40}) {
    zoo.push_back({"tree" + std::to_string(n), RandomTree(n, rng)});
    zoo.push_back({"random" + std::to_string(n), RandomConnectedGraph(n, n, rng)});
    zoo.push_back({"dense" + std::to_string(n), RandomConnectedGraph(n, 3 * n, rng)});
  }
  return zoo;
}

}  // namespace huddle::core::testing_waves
