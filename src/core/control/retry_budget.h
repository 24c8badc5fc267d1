#pragma once

#include <cstdint>

#include "core/error.h"
#include "core/options.h"

namespace huddle::core {

// Option keys: budget_percent, min_retry_concurrency (Envoy's RetryBudget, same defaults).
struct RetryBudgetOptions {
  double budget_percent = 20.0;
  uint32_t min_retry_concurrency = 3;

  static Result<RetryBudgetOptions> Parse(const OptionMap& options);
};

// Envoy's retry budget (config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget): concurrent
// retries are capped at max(min_retry_concurrency, budget_percent % of active requests), where
// active requests include pending ones and the retries themselves. Counters only; the caller
// reports each start and end. Not thread-safe (guard it, or use one per worker).
class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetOptions& options = {}) : options_(options) {}

  // Replaces the budget (a reload, or a tighter share asked for by the engine); the counts stay.
  void set_options(const RetryBudgetOptions& options) { options_ = options; }
  const RetryBudgetOptions& options() const { return options_; }

  void RequestStarted() { ++active_requests_; }
  void RequestFinished() {
    if (active_requests_ > 0) --active_requests_;
  }
  // True (and counts a retry as active) if the budget allows one more retry now.
  bool TryStartRetry();
  void RetryFinished() {
    if (active_retries_ > 0) --active_retries_;
  }

  uint64_t MaxActiveRetries() const;
  uint64_t active_requests() const { return active_requests_; }
  uint64_t active_retries() const { return active_retries_; }

 private:
  RetryBudgetOptions options_;
  uint64_t active_requests_ = 0;
  uint64_t active_retries_ = 0;
};

}  // namespace huddle::core
