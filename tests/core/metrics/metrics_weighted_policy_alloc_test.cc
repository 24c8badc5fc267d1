// Checks that the request path of MetricsWeightedPolicy does not allocate (operator new calls are
// counted by tests/support/alloc_counter.h).
#include <gtest/gtest.h>

#include <atomic>

#include "alloc_counter.h"
#include "core/metrics/metrics_weighted_policy.h"

namespace huddle::core {
namespace {

TEST(MetricsWeightedPolicyAllocTest, CounterSeesAllocations) {
  const uint64_t before = support::Allocations();
  void* p = ::operator new(16);  // a direct call cannot be elided like a new-expression
  ::operator delete(p);
  EXPECT_EQ(support::Allocations() - before, 1u);
}

TEST(MetricsWeightedPolicyAllocTest, PickOnSendObserveDoNotAllocate) {
  for (auto mode : {MetricsWeightedPolicy::Mode::kWeighted, MetricsWeightedPolicy::Mode::kArgmin}) {
    MetricsWeightedPolicy p({.mode = mode});
    RoutingTable t;
    t.backend_slots = 8;
    for (BackendIndex b = 0; b < 8; ++b) t.entries.push_back({b, 1.0 + b});
    p.Update(t);
    for (BackendIndex b = 0; b < 8; ++b) {
      BackendMetrics m;
      m.timestamp = TimePoint{} + FromSeconds(1);
      m.cpu = 0.8 - 0.1 * b;  // argmin: backend 7
      p.ObserveMetrics(b, m);
    }
    p.Tick(TimePoint{} + FromSeconds(2));
    Xoshiro256 rng(1);
    const TimePoint now = TimePoint{} + FromSeconds(3);
    uint64_t picked = 0;
    const uint64_t before = support::Allocations();
    for (int i = 0; i < 10000; ++i) {
      const std::optional<BackendIndex> b = p.Pick({.now = now, .rng = rng});
      p.OnSend(*b, now);
      p.Observe(*b, Outcome::Success(FromMillis(5)), now);
      picked += *b;
    }
    const uint64_t after = support::Allocations();
    EXPECT_EQ(after - before, 0u);
    if (mode == MetricsWeightedPolicy::Mode::kArgmin) {
      EXPECT_EQ(picked, 7u * 10000u);
    } else {
      EXPECT_GT(picked, 0u);
    }
  }
}

}  // namespace
}  // namespace huddle::core
