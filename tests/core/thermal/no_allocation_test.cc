// Checks that the request path (Pick, OnSend, Observe, probes, metrics) never allocates, by
// counting operator new calls (tests/support/alloc_counter.h) around the measured regions.
#include <gtest/gtest.h>

#include <atomic>

#include "alloc_counter.h"
#include "core/random.h"
#include "core/thermal/thermal_policy.h"
#include "core/thermal/thermal_test_util.h"

namespace huddle::core {
namespace {

using testing::At;

// Heap allocations since construction (tests/support/alloc_counter.h counts every operator new).
class CountAllocations {
 public:
  long count() const { return static_cast<long>(support::Allocations() - start_); }

 private:
  uint64_t start_ = support::Allocations();
};

TEST(ThermalNoAllocationTest, RequestPathDoesNotAllocate) {
  for (const char* mode : {"round_robin", "least_request"}) {
    Result<std::unique_ptr<Policy>> made = ThermalPolicy::Create({{"pick", mode}});
    ASSERT_TRUE(made.has_value());
    Policy& p = **made;
    RoutingTable t;
    t.backend_slots = 6;
    for (BackendIndex b = 0; b < 6; ++b) t.entries.push_back({b, 1.0});
    p.Update(t);
    Xoshiro256 rng(1);
    BackendMetrics m;
    m.cpu = 0.5;
    long allocations = 0;
    {
      CountAllocations counter;
      for (int i = 0; i < 1000; ++i) {
        const TimePoint now = At(1 + i * 0.001);
        const BackendIndex b = *p.Pick(PickContext{now, rng, std::nullopt});
        p.OnSend(b, now);
        p.Observe(b,
                  i % 10 == 0 ? Outcome::Failure(FromMillis(1), FailureKind::kReset)
                              : Outcome::Success(FromMillis(20)),
                  now);
        p.ObserveProbe(b, Outcome::Success(FromMillis(5)), now);
        p.ObserveMetrics(b, m);
      }
      allocations = counter.count();
    }
    EXPECT_EQ(allocations, 0) << mode;
  }
}

TEST(ThermalNoAllocationTest, RotationWithoutListenerDoesNotAllocate) {
  ThermalModel m(testing::NoWaits());
  testing::AddServers(m, 6);
  long allocations = 0;
  {
    CountAllocations counter;
    for (int t = 1; t <= 30; ++t) {
      testing::Serve(m, At(t), [t](BackendIndex b) { return b == 5 && t < 10 ? 100.0 : 20.0; });
      m.Rotate(At(t));
    }
    allocations = counter.count();
  }
  // Serve copies the ring into a vector once per call (30 calls); Rotate itself adds nothing
  // (sorting uses std::sort: std::stable_sort would allocate a buffer).
  EXPECT_EQ(allocations, 30);
  EXPECT_GE(m.Rotations(5), 1u);
}

}  // namespace
}  // namespace huddle::core
