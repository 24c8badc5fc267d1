// Checks that the request path (Pick, OnSend, Observe, probes, metrics) never allocates, by
// counting global operator new calls while a flag is set. This file replaces operator new for the
// whole core_thermal_test executable; counting is off outside the measured regions.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/random.h"
#include "core/thermal/thermal_policy.h"
#include "core/thermal/thermal_test_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace huddle::core {
namespace {

using testing::At;

class CountAllocations {
 public:
  CountAllocations() {
    g_allocations = 0;
    g_counting = true;
  }
  ~CountAllocations() { g_counting = false; }
  long count() const { return g_allocations.load(); }
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
