#include "core/policy/c3.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/policy/table_slots.h"

namespace huddle::core {
namespace {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

double Ewma(double old, double sample, double weight, bool first) {
  return first ? sample : old + weight * (sample - old);
}

}  // namespace

Result<C3Policy::Options> C3Policy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "c3");
  Options parsed;
  parsed.ewma_weight =
      reader.Double("ewma_weight", 0.1, {.min = 0, .max = 1, .min_exclusive = true});
  parsed.clients = static_cast<int>(reader.Int("clients", 1, {.min = 1, .max = 100000}));
  parsed.window = reader.Time("window", parsed.window, {.min = 0, .min_exclusive = true});
  parsed.beta = reader.Double("beta", 0.2,
                              {.min = 0, .max = 1, .min_exclusive = true, .max_exclusive = true});
  parsed.gamma = reader.Double("gamma", 100.0, {.min = 0, .min_exclusive = true});
  parsed.max_step = reader.Double("max_step", 10.0, {.min = 0, .min_exclusive = true});
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> C3Policy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<C3Policy>(*parsed);
}

C3Policy::C3Policy(const Options& options) : options_(options) {}

void C3Policy::Update(const RoutingTable& table) {
  backends_.clear();
  for (const RoutingEntry& e : table.entries) backends_.push_back(e.backend);
  State fresh;
  fresh.limit = kUnlimited;
  state_.resize(TableSlots(table), fresh);
  in_flight_.Update(table);
}

double C3Policy::Score(BackendIndex b) const {
  if (b >= state_.size() || !state_[b].measured) return 0.0;
  const State& s = state_[b];
  const double q_hat = 1.0 + static_cast<double>(in_flight_.Get(b)) * options_.clients + s.queue;
  return s.response_ms - s.service_ms + q_hat * q_hat * q_hat * s.service_ms;
}

void C3Policy::Roll(State& s, TimePoint now) {
  if (!s.window_started) {
    s.window_start = now;
    s.window_started = true;
    return;
  }
  if (now - s.window_start < options_.window) return;
  const bool limited = s.sent >= s.limit || !s.cut_once;
  const bool behind = s.received < s.sent && s.sent >= 2;
  const bool may_cut = !s.cut_once || now - s.last_cut >= 2 * options_.window;
  if (behind && limited && may_cut) {
    s.rate_before_cut = std::min(s.limit, s.sent);
    s.limit = std::max(1.0, options_.beta * s.rate_before_cut);
    s.last_cut = now;
    s.cut_once = true;
  } else if (s.cut_once) {
    const double dt = ToSeconds(now - s.last_cut);
    const double k = std::cbrt(s.rate_before_cut * (1.0 - options_.beta) / options_.gamma);
    const double cubic = s.rate_before_cut + options_.gamma * std::pow(dt - k, 3.0);
    s.limit = std::max(s.limit, std::min(cubic, s.limit + options_.max_step));
  }
  // Windows that passed with nothing in them are skipped, not replayed.
  const auto windows = (now - s.window_start) / options_.window;
  s.window_start += windows * options_.window;
  s.sent = 0;
  s.received = 0;
}

std::optional<BackendIndex> C3Policy::Pick(const PickContext& ctx) {
  if (backends_.empty()) return std::nullopt;
  BackendIndex best = kNoBackend;
  double best_score = 0.0;
  BackendIndex best_open = kNoBackend;
  double best_open_score = 0.0;
  const size_t n = backends_.size();
  const size_t offset = ctx.rng.Below(n);  // random start: ties do not always go to the first
  for (size_t i = 0; i < n; ++i) {
    const BackendIndex b = backends_[(offset + i) % n];
    State& s = state_[b];
    Roll(s, ctx.now);
    const double score = Score(b);
    if (best == kNoBackend || score < best_score) {
      best = b;
      best_score = score;
    }
    if (s.sent < s.limit && (best_open == kNoBackend || score < best_open_score)) {
      best_open = b;
      best_open_score = score;
    }
  }
  return best_open != kNoBackend ? best_open : best;
}

void C3Policy::OnSend(BackendIndex b, TimePoint now) {
  in_flight_.Add(b);
  if (b >= state_.size()) return;
  Roll(state_[b], now);
  state_[b].sent += 1;
}

void C3Policy::Observe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  in_flight_.Done(b);
  if (b >= state_.size()) return;
  State& s = state_[b];
  Roll(s, now);
  s.received += 1;
  const double ms = ToSeconds(outcome.latency) * 1e3;
  s.response_ms = Ewma(s.response_ms, ms, options_.ewma_weight, !s.measured);
  s.measured = true;
}

void C3Policy::ObserveServerReport(BackendIndex b, const ServerReport& report, bool probe,
                                   TimePoint /*now*/) {
  if (probe || b >= state_.size()) return;
  State& s = state_[b];
  s.queue = Ewma(s.queue, report.requests_in_flight, options_.ewma_weight, !s.fed_back);
  s.service_ms = Ewma(s.service_ms, report.service_ms, options_.ewma_weight, !s.fed_back);
  s.fed_back = true;
}

}  // namespace huddle::core
