#include "core/policy/prequal.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "alloc_counter.h"
#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::At;
using testing::EqualTable;
using testing::PickOne;

PrequalPolicy::Options Defaults() { return PrequalPolicy::Options{}; }

void Report(PrequalPolicy& p, BackendIndex b, double rif, double latency_ms, double t = 0) {
  p.ObserveServerReport(b, ServerReport{.requests_in_flight = rif, .latency_ms = latency_ms}, true,
                        At(t));
}

TEST(PrequalPolicyTest, EmptyPoolPicksUniformlyAtRandom) {
  PrequalPolicy p(Defaults());
  p.Update(EqualTable(4));
  ScriptedRandom rng({0, 0});  // Below(4) of 0 is 0
  EXPECT_EQ(PickOne(p, rng), 0u);
  Xoshiro256 real(5);
  std::set<BackendIndex> seen;
  for (int i = 0; i < 200; ++i) seen.insert(PickOne(p, real));
  EXPECT_EQ(seen.size(), 4u);
}

TEST(PrequalPolicyTest, ColdProbeWithTheLowestLatencyWins) {
  PrequalPolicy p(Defaults());
  p.Update(EqualTable(3));
  // q_rif 0.84 over 3 probes: the lower empirical quantile at index floor(0.84 * 2) = 1 of the
  // sorted RIFs {1, 2, 10} is 2, so backends 0 and 1 are cold and 2 (RIF 10) is hot, though it
  // reports the lowest latency.
  Report(p, 0, 1, 50);
  Report(p, 1, 2, 10);
  Report(p, 2, 10, 1);
  Xoshiro256 rng(1);
  EXPECT_EQ(PickOne(p, rng), 1u);
}

TEST(PrequalPolicyTest, WhenOnlyTheLeastLoadedIsColdItWins) {
  PrequalPolicy::Options o = Defaults();
  o.q_rif = 0.0;  // threshold = the smallest RIF: everything above it is hot
  PrequalPolicy p(o);
  p.Update(EqualTable(3));
  Report(p, 0, 3, 1);
  Report(p, 1, 1, 90);
  Report(p, 2, 2, 5);
  Xoshiro256 rng(1);
  EXPECT_EQ(PickOne(p, rng), 1u);
}

TEST(PrequalPolicyTest, AProbeServesMaxReusePicksAndCountsItsOwnRequests) {
  PrequalPolicy p(Defaults());  // max_reuse 2
  p.Update(EqualTable(3));
  Report(p, 0, 1, 50);
  Report(p, 1, 2, 10);
  Report(p, 2, 10, 1);
  Xoshiro256 rng(1);
  EXPECT_EQ(PickOne(p, rng), 1u);  // RIF of the probe becomes 3: sorted {1, 3, 10}, threshold 3
  EXPECT_EQ(PickOne(p, rng), 1u);  // still cold and fastest; second use removes it
  EXPECT_EQ(p.PoolSize(), 2u);
  // Left {0: RIF 1, 2: RIF 10}: index floor(0.84 * 1) = 0, threshold 1, only 0 is cold.
  EXPECT_EQ(PickOne(p, rng), 0u);
}

TEST(PrequalPolicyTest, OldProbesAreDroppedAndTheFullPoolReplacesItsOldest) {
  PrequalPolicy::Options o = Defaults();
  o.pool_size = 2;
  PrequalPolicy p(o);
  p.Update(EqualTable(3));
  Report(p, 0, 0, 1, 0.0);
  Report(p, 1, 0, 2, 0.1);
  Report(p, 2, 0, 3, 0.2);  // replaces the probe of backend 0
  EXPECT_EQ(p.PoolSize(), 2u);
  ScriptedRandom rng({0});
  EXPECT_EQ(PickOne(p, rng, At(0.3)), 1u);  // 0 is gone; 1 is the fastest cold probe
  // 600 ms after the last report every probe is older than max_age (500 ms).
  EXPECT_EQ(PickOne(p, rng, At(0.8)), 0u);  // empty pool: random, Below(3) of 0
  EXPECT_EQ(p.PoolSize(), 0u);
}

TEST(PrequalPolicyTest, ProbesGoToDistinctMembersAndReportsAboutOthersAreIgnored) {
  PrequalPolicy p(Defaults());  // probe_rate 3
  p.Update(testing::Table({{2, 1}, {5, 1}, {7, 1}, {9, 1}}));
  Xoshiro256 rng(9);
  std::array<BackendIndex, 8> out{};
  for (int i = 0; i < 50; ++i) {
    const size_t n = p.ProbeTargets(At(0), rng, out);
    ASSERT_EQ(n, 3u);
    const std::set<BackendIndex> distinct(out.begin(), out.begin() + n);
    EXPECT_EQ(distinct.size(), 3u);
    for (BackendIndex b : distinct) EXPECT_TRUE(b == 2 || b == 5 || b == 7 || b == 9) << b;
  }
  Report(p, 3, 0, 1);                                                // not in the table
  Report(p, 100, 0, 1);                                              // beyond every slot
  p.ObserveServerReport(5, ServerReport{}, /*probe=*/false, At(0));  // feedback, not a probe
  EXPECT_EQ(p.PoolSize(), 0u);
  Report(p, 5, 0, 1);
  EXPECT_EQ(p.PoolSize(), 1u);
  p.Update(testing::Table({{2, 1}, {7, 1}}));  // 5 leaves: its probe goes
  EXPECT_EQ(p.PoolSize(), 0u);
}

TEST(PrequalPolicyTest, ProbingDoesNotAllocate) {
  PrequalPolicy p(Defaults());
  p.Update(EqualTable(32));
  Xoshiro256 rng(2);
  std::array<BackendIndex, 16> out{};
  const uint64_t before = support::Allocations();
  for (int i = 0; i < 2000; ++i) {
    const TimePoint now = At(i * 0.001);
    const size_t n = p.ProbeTargets(now, rng, out);
    for (size_t k = 0; k < n; ++k) Report(p, out[k], static_cast<double>(i % 7), i % 11, i * 0.001);
    const BackendIndex b = PickOne(p, rng, now);
    ASSERT_NE(b, kNoBackend);
  }
  EXPECT_EQ(support::Allocations() - before, 0u);
}

TEST(PrequalPolicyTest, OptionsAreChecked) {
  EXPECT_FALSE(PrequalPolicy::Create({{"q_rif", "1.5"}}).has_value());
  EXPECT_FALSE(PrequalPolicy::Create({{"pool_size", "65"}}).has_value());
  EXPECT_FALSE(PrequalPolicy::Create({{"max_age", "0s"}}).has_value());
  EXPECT_TRUE(PrequalPolicy::Create({{"probe_rate", "2"}, {"max_reuse", "1"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
