#include "core/control/retry_budget.h"

#include <algorithm>

namespace huddle::core {

Result<RetryBudgetOptions> RetryBudgetOptions::Parse(const OptionMap& options) {
  RetryBudgetOptions o;
  OptionReader r(options, "retry_budget");
  o.budget_percent = r.Double("budget_percent", o.budget_percent, {.min = 0, .max = 100});
  o.min_retry_concurrency = static_cast<uint32_t>(
      r.Int("min_retry_concurrency", o.min_retry_concurrency, {.min = 0, .max = 1e9}));
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

uint64_t RetryBudget::MaxActiveRetries() const {
  const auto share = static_cast<uint64_t>(options_.budget_percent / 100.0 *
                                           static_cast<double>(active_requests_));
  return std::max<uint64_t>(options_.min_retry_concurrency, share);
}

bool RetryBudget::TryStartRetry() {
  if (active_retries_ >= MaxActiveRetries()) return false;
  ++active_retries_;
  return true;
}

}  // namespace huddle::core
