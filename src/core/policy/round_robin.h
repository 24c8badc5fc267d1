#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"

namespace huddle::core {

// Plain round robin over the table's entries, ignoring weights.
//
// Deterministic: the first pick is the first entry (Envoy and NGINX randomise the start per
// worker; huddle keeps sequences reproducible and leaves de-synchronising workers to the body).
// A table update keeps the rotation going: the next pick is the first entry whose backend index is
// above the last one picked, so no backend is skipped or served twice because the table changed.
// Options: none. Not thread-safe; Pick never allocates.
class RoundRobinPolicy final : public Policy {
 public:
  struct Options {};

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  RoundRobinPolicy();  // default options
  explicit RoundRobinPolicy(const Options& options);

  std::string_view Name() const override { return "round_robin"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void Observe(BackendIndex /*b*/, const Outcome& /*outcome*/, TimePoint /*now*/) override {}
  void ReportCluster(StatSink& sink) const override;
  void ReportBackend(BackendIndex b, StatSink& sink) const override;

 private:
  std::vector<BackendIndex> backends_;  // table order (ascending index)
  std::vector<uint8_t> member_;         // by slot
  size_t next_ = 0;                     // position in backends_ of the next pick
  BackendIndex last_ = kNoBackend;      // last backend picked
};

}  // namespace huddle::core
