#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/hash_ring.h"
#include "core/policy/in_flight_tracker.h"
#include "core/policy/maglev_table.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Consistent hashing for stickiness: the same PickContext::hash_key goes to the same backend while
// the table and loads allow it, and a table change moves few keys.
//  - algorithm maglev (default): Maglev lookup table of `table_size` slots (a prime, default
//    65537; keep it >= 100 x backends for an even spread). O(1) per pick.
//  - algorithm ring: a ring with `ring_points` points per backend of average weight (default 160,
//    Ketama's figure). O(log points) per pick.
// Keys are remixed (splitmix64 finaliser) before lookup, so small or sequential keys spread. A
// pick without a hash key uses a random key (one Random::NextU64()).
// Bounded load (`balance_factor` c, 0 = off, the default as in HAProxy and Envoy; else >= 1):
// with T requests in flight over the table and weights summing to W, backend b may hold at most
// ceil(c * (T + 1) * w_b / W) requests, the new one included (Mirrokni, Thorup and Zadimoghaddam,
// "Consistent Hashing with Bounded Loads"; HAProxy hash-balance-factor = 100 c). A chosen backend
// at its bound is passed over for the next one along the ring or the Maglev table (the key's
// deterministic fallback order); the bounds always leave one backend free.
// Tables are rebuilt in Update, never in Pick. In-flight counts survive table updates.
// Not thread-safe; Pick/OnSend/Observe never allocate.
class ConsistentHashPolicy final : public Policy {
 public:
  enum class Algorithm { kMaglev, kRing };
  struct Options {
    Algorithm algorithm = Algorithm::kMaglev;
    uint64_t table_size = 65537;  // maglev only; prime
    uint64_t ring_points = 160;   // ring only
    double balance_factor = 0.0;  // 0 = off, else >= 1
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  ConsistentHashPolicy();  // default options
  explicit ConsistentHashPolicy(const Options& options);

  std::string_view Name() const override { return "consistent_hash"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void OnSend(BackendIndex b, TimePoint now) override;
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) override;
  // Cluster gauges: backends, table_size (Maglev slots or ring points), in_flight.
  void ReportCluster(StatSink& sink) const override;
  // Backend gauges: in_flight, weight, table_share (fraction of slots or points owned).
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

  // The backend that owns `hash_key` when loads are ignored (for tests and tools).
  std::optional<BackendIndex> Owner(uint64_t hash_key) const;

  static bool IsPrime(uint64_t n);

 private:
  bool UnderBound(BackendIndex b, double capacity_per_weight) const;

  const Options options_;
  size_t backends_ = 0;
  double total_weight_ = 0.0;
  std::vector<double> weight_by_slot_;
  MaglevTable maglev_;
  HashRing ring_;
  InFlightTracker in_flight_;
};

}  // namespace huddle::core
