#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/in_flight_tracker.h"
#include "core/policy/policy.h"
#include "core/policy/server_report.h"

namespace huddle::core {

// C3 (Suresh, Canini, Schmid, Feldmann, "C3: Cutting Tail Latency in Cloud Data Stores via
// Adaptive Replica Selection", NSDI 2015), as a peer for the simulator's comparisons.
//
// Replica ranking. Per backend s the balancer keeps EWMAs (weight `ewma_weight` on the newest
// sample) of the response time it observes, R_s, and of the queue size q_s and service time 1/mu_s
// the backend piggybacks on each response (ServerReport with probe = false). With os_s its own
// requests outstanding at s and n = `clients` balancers sharing the backends, the estimated queue
// is q^_s = 1 + os_s * n + q_s and the score Psi_s = R_s - 1/mu_s + q^_s^3 / mu_s (cubic queue
// penalty). Lower is better; a backend with no response yet scores 0, so it is tried.
//
// Rate control. Per backend the balancer counts requests sent and responses received in windows
// of `window` (C3's delta, 20 ms). A backend that fell behind in a window in which its limit was
// reached (received < sent) has its limit cut to beta x the limit (at most once per two windows,
// C3's hysteresis); otherwise the limit grows along CUBIC's curve from the rate before the cut,
// R0 + gamma (dt - cbrt(R0 (1 - beta) / gamma))^3, by at most `max_step` per window. Pick takes
// the best-ranked backend still under its limit.
// Not from the paper: C3 parks a request in a backlog queue when every backend is over its limit;
// a balancer's pick cannot wait, so it takes the best-ranked backend regardless. The limit starts
// unbounded and is first set by a cut (the sent count of the window that fell behind).
// Not thread-safe; Pick, OnSend, Observe and ObserveServerReport never allocate.
class C3Policy final : public Policy, public ServerReportConsumer {
 public:
  struct Options {
    double ewma_weight = 0.1;
    int clients = 1;
    Duration window = std::chrono::milliseconds(20);
    double beta = 0.2;     // a cut keeps this fraction of the limit (C3: 0.2)
    double gamma = 100.0;  // CUBIC's scale, requests per window per s^3
    double max_step = 10;  // largest growth of the limit per window, in requests
  };

  static Result<Options> ParseOptions(const OptionMap& options);
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);

  explicit C3Policy(const Options& options);

  std::string_view Name() const override { return "c3"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void OnSend(BackendIndex b, TimePoint now) override;
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) override;

  size_t ProbeTargets(TimePoint, Random&, std::span<BackendIndex>) override { return 0; }
  void ObserveServerReport(BackendIndex b, const ServerReport& report, bool probe,
                           TimePoint now) override;

  // The ranking score of `b` (lower is better) and its current limit per window (for tests).
  double Score(BackendIndex b) const;
  double Limit(BackendIndex b) const { return b < state_.size() ? state_[b].limit : 0.0; }

 private:
  struct State {
    double response_ms = 0.0;
    double service_ms = 0.0;
    double queue = 0.0;
    bool measured = false;
    bool fed_back = false;
    // Rate control.
    TimePoint window_start{};
    bool window_started = false;
    double sent = 0;
    double received = 0;
    double limit;  // requests per window; +inf until the first cut
    double rate_before_cut = 0.0;
    TimePoint last_cut{};
    bool cut_once = false;
  };

  void Roll(State& s, TimePoint now);

  const Options options_;
  std::vector<BackendIndex> backends_;
  std::vector<State> state_;  // by slot
  InFlightTracker in_flight_;
};

}  // namespace huddle::core
