#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/policy/policy.h"
#include "core/policy/routing_table.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core::testing {

// A table of {backend, weight} entries; backend_slots defaults to one past the largest index.
inline RoutingTable Table(std::vector<std::pair<BackendIndex, double>> entries,
                          uint32_t slots = 0) {
  RoutingTable table;
  for (const auto& [b, w] : entries) {
    table.entries.push_back(RoutingEntry{b, w});
    slots = std::max(slots, b + 1);
  }
  table.backend_slots = slots;
  return table;
}

// Backends 0..n-1, weight 1.
inline RoutingTable EqualTable(uint32_t n) {
  std::vector<std::pair<BackendIndex, double>> entries;
  for (uint32_t b = 0; b < n; ++b) entries.emplace_back(b, 1.0);
  return Table(entries);
}

inline TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

// Picks with a fresh context; kNoBackend when the policy returned nullopt.
inline BackendIndex PickOne(Policy& policy, Random& rng, TimePoint now = At(0),
                            std::optional<uint64_t> key = std::nullopt) {
  const PickContext ctx{now, rng, key};
  return policy.Pick(ctx).value_or(kNoBackend);
}

// Picks `count` times (no OnSend/Observe).
inline std::vector<BackendIndex> PickMany(Policy& policy, Random& rng, int count) {
  std::vector<BackendIndex> out;
  for (int i = 0; i < count; ++i) out.push_back(PickOne(policy, rng));
  return out;
}

class RecordingSink final : public StatSink {
 public:
  void Gauge(std::string_view name, double value) override { values[std::string(name)] = value; }
  std::map<std::string, double> values;
};

inline std::map<std::string, double> BackendGauges(const Policy& policy, BackendIndex b) {
  RecordingSink sink;
  policy.ReportBackend(b, sink);
  return sink.values;
}

inline std::map<std::string, double> ClusterGauges(const Policy& policy) {
  RecordingSink sink;
  policy.ReportCluster(sink);
  return sink.values;
}

}  // namespace huddle::core::testing
