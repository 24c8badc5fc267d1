#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/time.h"

namespace huddle::core {

// The call graph between services, built from the `upstream_calls` of telemetry points: an edge
// from -> to means `from` calls `to`, weighted by the share of from's requests that do,
//   w = min(call_rate / from_rate, 1)   (LoadEquilibrium's edge weight).
// A dependent of X is a service whose requests reach X through a chain of calls; its dependency
// on X is the largest product of edge weights over such chains. Services are numbered in order of
// first sight. Tick-path code: allocates as services and edges appear. Not thread-safe.
class DependencyGraph {
 public:
  using Index = uint32_t;

  Index AddService(std::string_view name);
  std::optional<Index> Find(std::string_view name) const;
  const std::string& name(Index i) const { return names_[i]; }
  size_t size() const { return names_.size(); }

  // Records that `from` (serving from_rate rps) calls `to` at call_rate rps. Self-calls and
  // non-finite or non-positive rates are ignored (a zero call rate removes the edge).
  void ObserveCall(Index from, Index to, double call_rate, double from_rate, TimePoint now);
  // Drops edges not observed for longer than max_age.
  void Prune(TimePoint now, Duration max_age);

  double Weight(Index from, Index to) const;  // 0 without an edge
  // Every service whose requests depend on `target` with a weight >= min_weight, with that
  // weight, strongest first. `target` itself is not listed. O(V + E) per hop count (Bellman-Ford
  // style relaxation over at most V - 1 rounds; weights <= 1 so cycles never help).
  std::vector<std::pair<Index, double>> Dependents(Index target, double min_weight) const;
  // Services `from` calls directly.
  std::vector<Index> Callees(Index from) const;

 private:
  struct Edge {
    Index from;
    Index to;
    double weight;
    TimePoint seen;
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, Index> index_;
  std::vector<Edge> edges_;
};

}  // namespace huddle::core
