#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"
#include "core/policy/server_report.h"

namespace huddle::core {

// Prequal (Wydrowski, Kleinberg, Rumble, Archer, "Load is not what you should balance", NSDI 2024),
// as a peer for the simulator's comparisons.
//
// The balancer keeps a small pool of recent probe replies, each a backend's requests in flight
// (RIF) and its recent latency as the backend itself measures them, so they include traffic that
// never passed through this balancer. After every pick it asks for `probe_rate` probes to distinct
// random backends (the body sends them; see ServerReportConsumer). Pick applies the hot-cold
// lexicographic rule: a probe is hot when its RIF exceeds the `q_rif` quantile of the RIFs in the
// pool; if any probe is cold, the cold one with the lowest latency wins, otherwise the one with
// the lowest RIF. A probe used for a pick counts one more request in flight and is dropped after
// `max_reuse` uses; probes older than `max_age` are dropped; a full pool replaces its oldest
// entry. With an empty pool the pick is uniform at random.
// Not from the paper: backends that leave the table are dropped from the pool.
// Not thread-safe; Pick, OnSend, Observe, ProbeTargets and ObserveServerReport never allocate.
class PrequalPolicy final : public Policy, public ServerReportConsumer {
 public:
  static constexpr size_t kMaxPool = 64;

  struct Options {
    int probe_rate = 3;                                 // probes requested per pick
    int pool_size = 16;                                 // probe replies kept (<= kMaxPool)
    double q_rif = 0.84;                                // hot above this quantile of pool RIFs
    int max_reuse = 2;                                  // picks one probe may serve
    Duration max_age = std::chrono::milliseconds(500);  // probes older than this are dropped
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  explicit PrequalPolicy(const Options& options);

  std::string_view Name() const override { return "prequal"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void Observe(BackendIndex, const Outcome&, TimePoint) override {}

  size_t ProbeTargets(TimePoint now, Random& rng, std::span<BackendIndex> out) override;
  void ObserveServerReport(BackendIndex b, const ServerReport& report, bool probe,
                           TimePoint now) override;

  // Probes in the pool (for tests).
  size_t PoolSize() const { return pool_count_; }

 private:
  struct Probe {
    BackendIndex backend = kNoBackend;
    double rif = 0.0;
    double latency_ms = 0.0;
    TimePoint received{};
    int uses = 0;
  };

  void Remove(size_t i);
  void DropExpired(TimePoint now);

  const Options options_;
  std::vector<BackendIndex> backends_;  // table order
  std::vector<uint8_t> member_;         // by slot
  std::array<Probe, kMaxPool> pool_{};
  size_t pool_count_ = 0;
  std::array<double, kMaxPool> rif_scratch_{};
};

}  // namespace huddle::core
