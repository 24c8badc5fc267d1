// Properties every policy of this folder shares: built from options by name, nothing from an
// empty table, the only backend of a single-entry table, and no heap allocation on the request
// path (Pick, OnSend, Observe). Allocations are counted by
// tests/support/alloc_counter.h.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "alloc_counter.h"
#include "core/policy/c3.h"
#include "core/policy/consistent_hash.h"
#include "core/policy/least_request.h"
#include "core/policy/peak_ewma.h"
#include "core/policy/prequal.h"
#include "core/policy/random_policy.h"
#include "core/policy/round_robin.h"
#include "core/policy/weighted_round_robin.h"
#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::At;
using testing::PickOne;
using testing::Table;

struct Factory {
  std::string label;
  std::string name;
  OptionMap options;
  std::function<Result<std::unique_ptr<Policy>>(const OptionMap&)> create;
};

// Printed in test names and by CTest's test discovery: the label, not the object's bytes.
void PrintTo(const Factory& f, std::ostream* os) { *os << f.label; }

std::vector<Factory> Factories() {
  return {
      {"RoundRobin", "round_robin", {}, RoundRobinPolicy::Create},
      {"WrrSmooth", "weighted_round_robin", {}, WeightedRoundRobinPolicy::Create},
      {"WrrEdf", "weighted_round_robin", {{"algorithm", "edf"}}, WeightedRoundRobinPolicy::Create},
      {"Random", "random", {}, RandomPolicy::Create},
      {"LeastRequest", "least_request", {}, LeastRequestPolicy::Create},
      {"LeastRequestFullScan",
       "least_request",
       {{"full_scan", "true"}},
       LeastRequestPolicy::Create},
      {"PeakEwma", "peak_ewma", {}, PeakEwmaPolicy::Create},
      {"Prequal", "prequal", {}, PrequalPolicy::Create},
      {"C3", "c3", {}, C3Policy::Create},
      {"Maglev", "consistent_hash", {{"balance_factor", "1.25"}}, ConsistentHashPolicy::Create},
      {"Ring",
       "consistent_hash",
       {{"algorithm", "ring"}, {"balance_factor", "1.25"}},
       ConsistentHashPolicy::Create},
  };
}

class PolicyContractTest : public ::testing::TestWithParam<Factory> {
 protected:
  std::unique_ptr<Policy> Make() const {
    auto made = GetParam().create(GetParam().options);
    EXPECT_TRUE(made.has_value()) << (made ? "" : made.error().message);
    return made ? std::move(*made) : nullptr;
  }
};

TEST_P(PolicyContractTest, NameAndUnknownOption) {
  auto policy = Make();
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->Name(), GetParam().name);
  OptionMap bad = GetParam().options;
  bad["no_such_option"] = "1";
  auto rejected = GetParam().create(bad);
  ASSERT_FALSE(rejected.has_value());
  EXPECT_NE(rejected.error().message.find("no_such_option"), std::string::npos);
}

TEST_P(PolicyContractTest, EmptyTableGivesNothing) {
  auto policy = Make();
  ASSERT_NE(policy, nullptr);
  Xoshiro256 rng(1);
  policy->Update(Table({}));
  EXPECT_EQ(PickOne(*policy, rng, At(0), 7), kNoBackend);
  EXPECT_EQ(PickOne(*policy, rng, At(0)), kNoBackend);
}

TEST_P(PolicyContractTest, SingleBackendAlwaysPicked) {
  auto policy = Make();
  ASSERT_NE(policy, nullptr);
  Xoshiro256 rng(1);
  policy->Update(Table({{11, 0.5}}, 20));
  for (int i = 0; i < 100; ++i) {
    const std::optional<uint64_t> key = i % 2 ? std::optional<uint64_t>(i) : std::nullopt;
    const BackendIndex b = PickOne(*policy, rng, At(i), key);
    ASSERT_EQ(b, 11u);
    policy->OnSend(b, At(i));
    if (i % 3 == 0) policy->Observe(b, Outcome::Success(FromMillis(3)), At(i));
  }
}

TEST_P(PolicyContractTest, RequestPathDoesNotAllocate) {
  auto policy = Make();
  ASSERT_NE(policy, nullptr);
  std::vector<std::pair<BackendIndex, double>> entries;
  for (BackendIndex b = 0; b < 64; ++b) entries.emplace_back(b, 1.0 + b % 3);
  policy->Update(Table(entries));
  Xoshiro256 rng(3);
  uint64_t sent = 0;
  {
    // The counter works: one allocation is seen.
    const uint64_t start = support::Allocations();
    auto probe = std::make_unique<int>(1);
    ASSERT_EQ(support::Allocations() - start, 1u);
  }
  const uint64_t before = support::Allocations();
  for (int i = 0; i < 5000; ++i) {
    const TimePoint now = At(i * 0.001);
    const std::optional<uint64_t> key = i % 2 ? std::optional<uint64_t>(i % 97) : std::nullopt;
    const PickContext ctx{now, rng, key};
    const std::optional<BackendIndex> b = policy->Pick(ctx);
    if (!b) continue;
    policy->OnSend(*b, now);
    ++sent;
    policy->Observe(*b,
                    i % 10 ? Outcome::Success(FromMillis(1 + *b % 7))
                           : Outcome::Failure(FromMillis(1), FailureKind::kReset),
                    now);
  }
  const uint64_t allocations = support::Allocations() - before;
  EXPECT_EQ(sent, 5000u);
  EXPECT_EQ(allocations, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PolicyContractTest, ::testing::ValuesIn(Factories()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace huddle::core
