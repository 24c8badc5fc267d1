// The embeddable Cluster: one ClusterBrain and one Policy behind a mutex, with a clock.
#include "huddle/cluster.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "core/cluster/cluster_brain.h"
#include "core/cluster/policy_factory.h"
#include "embed/cluster_report.h"

namespace huddle {
namespace {

using Clock = std::chrono::steady_clock;

core::FailureKind ToFailureKind(Failure f) {
  switch (f) {
    case Failure::kConnectRefused:
      return core::FailureKind::kConnectRefused;
    case Failure::kConnectTimeout:
      return core::FailureKind::kConnectTimeout;
    case Failure::kReset:
      return core::FailureKind::kReset;
    case Failure::kTimeout:
      return core::FailureKind::kTimeout;
    case Failure::kOther:
      break;
  }
  return core::FailureKind::kLocal;
}

std::expected<core::ClusterBrainOptions, std::string> BrainOptionsFrom(const ClusterOptions& o) {
  core::ClusterBrainOptions brain;
  auto health = core::HealthCheckOptions::Parse(o.health_check_options);
  if (!health) return std::unexpected(health.error().message);
  brain.health_check = *health;
  brain.outlier_detection = o.outlier_detection;
  auto outlier = core::OutlierDetectionOptions::Parse(o.outlier_options);
  if (!outlier) return std::unexpected(outlier.error().message);
  brain.outlier = *outlier;
  auto slow = core::SlowStartOptions::Parse(o.slow_start_options);
  if (!slow) return std::unexpected(slow.error().message);
  brain.slow_start = *slow;
  if (!(o.panic_threshold_percent >= 0.0 && o.panic_threshold_percent <= 100.0)) {
    return std::unexpected("panic_threshold_percent must be in [0, 100]");
  }
  brain.panic_threshold_percent = o.panic_threshold_percent;
  brain.seed = o.seed;
  return brain;
}

}  // namespace

struct Cluster::State {
  ClusterOptions options;
  std::function<Clock::time_point()> clock;

  mutable std::mutex mu;
  std::deque<ServerSpec> specs;  // index == BackendIndex; never shrinks, so addresses are stable
  std::vector<ServerCounters> counters;
  std::unique_ptr<core::ClusterBrain> brain;
  std::unique_ptr<core::Policy> policy;
  std::unique_ptr<core::Xoshiro256> rng;
  uint64_t table_version = 0;
  std::function<void(const ClusterEvent&)> on_event;

  std::thread ticker;
  std::condition_variable ticker_cv;
  bool stopping = false;

  core::TimePoint Now() const { return std::chrono::time_point_cast<core::Duration>(clock()); }
  // REQUIRES: mu held. Hands a new brain table to the policy.
  void SyncTable() {
    auto table = brain->table();
    if (table->version != table_version) {
      policy->Update(*table);
      table_version = table->version;
    }
  }
  void Emit(const core::DecisionEvent& e) {
    if (!on_event) return;
    ClusterEvent out;
    out.at =
        Clock::time_point(std::chrono::duration_cast<Clock::duration>(e.at.time_since_epoch()));
    if (e.backend < specs.size()) out.server_id = specs[e.backend].id;
    out.kind = e.kind;
    out.reason = e.reason;
    on_event(out);
  }
  std::optional<core::BackendIndex> Find(const std::string& id) const { return brain->Find(id); }
  void Record(const PickedServer& server, const core::Outcome& outcome);
};

std::expected<std::unique_ptr<Cluster>, std::string> Cluster::Create(
    const std::vector<ServerSpec>& servers, ClusterOptions options) {
  auto state = std::make_unique<State>();
  auto brain_options = BrainOptionsFrom(options);
  if (!brain_options) return std::unexpected(brain_options.error());
  if (options.seed == 0) {
    std::random_device rd;
    options.seed = (static_cast<uint64_t>(rd()) << 32) | rd();
    brain_options->seed = options.seed;
  }
  if (options.tick_interval <= std::chrono::milliseconds::zero()) {
    return std::unexpected("tick_interval must be positive");
  }
  if (options.policy.empty()) {
    core::PolicySpec spec = core::DefaultPolicy();
    for (const auto& [key, value] : options.policy_options) spec.options[key] = value;
    options.policy = spec.name;
    options.policy_options = spec.options;
  }
  auto policy = core::MakePolicy(options.policy, options.policy_options);
  if (!policy) return std::unexpected(policy.error().message);
  state->clock = options.clock ? options.clock : [] { return Clock::now(); };
  state->brain = std::make_unique<core::ClusterBrain>(*brain_options);
  state->policy = std::move(*policy);
  state->rng = std::make_unique<core::Xoshiro256>(options.seed ^ 0x5deece66dULL);
  state->options = std::move(options);

  State* s = state.get();
  s->brain->SetEventListener([s](const core::DecisionEvent& e) { s->Emit(e); });
  s->policy->SetEventListener([s](const core::DecisionEvent& e) { s->Emit(e); });

  std::unique_ptr<Cluster> cluster(new Cluster(std::move(state)));
  for (const ServerSpec& spec : servers) {
    if (auto added = cluster->AddServer(spec); !added) return std::unexpected(added.error());
  }
  if (s->options.background_tick) {
    s->ticker = std::thread([s] {
      std::unique_lock lock(s->mu);
      while (!s->stopping) {
        s->ticker_cv.wait_for(lock, s->options.tick_interval);
        if (s->stopping) break;
        const core::TimePoint now = s->Now();
        s->brain->Tick(now);
        s->SyncTable();
        s->policy->Tick(now);
      }
    });
  }
  return cluster;
}

std::vector<std::string> Cluster::PolicyNames() { return core::PolicyNames(); }

Cluster::Cluster(std::unique_ptr<State> state) : state_(std::move(state)) {}

Cluster::~Cluster() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->ticker_cv.notify_all();
  if (state_->ticker.joinable()) state_->ticker.join();
}

PickedServer Cluster::Pick(std::optional<uint64_t> hash_key) {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  const core::TimePoint now = s.Now();
  std::optional<core::BackendIndex> b =
      s.policy->Pick(core::PickContext{.now = now, .rng = *s.rng, .hash_key = hash_key});
  if (!b || *b >= s.specs.size()) return PickedServer();
  s.policy->OnSend(*b, now);
  ++s.counters[*b].in_flight;
  return PickedServer(*b, &s.specs[*b]);
}

void Cluster::State::Record(const PickedServer& server, const core::Outcome& outcome) {
  const core::TimePoint now = Now();
  ServerCounters& c = counters[server.index_];
  if (c.in_flight > 0) --c.in_flight;
  c.Add(outcome);
  brain->Observe(server.index_, outcome, now);
  policy->Observe(server.index_, outcome, now);
  SyncTable();
}

void Cluster::RecordLatency(const PickedServer& server, std::chrono::nanoseconds latency,
                            int status) {
  if (!server) return;
  std::lock_guard lock(state_->mu);
  state_->Record(server, core::Outcome::Success(latency, status));
}

void Cluster::RecordFailure(const PickedServer& server, std::chrono::nanoseconds latency,
                            Failure failure) {
  if (!server) return;
  std::lock_guard lock(state_->mu);
  state_->Record(server, core::Outcome::Failure(latency, ToFailureKind(failure)));
}

std::optional<Cluster::Request> Cluster::Begin(std::optional<uint64_t> hash_key) {
  PickedServer server = Pick(hash_key);
  if (!server) return std::nullopt;
  return Request(this, server, state_->clock());
}

bool Cluster::ReportHealthCheck(const std::string& id, bool ok, std::chrono::nanoseconds latency) {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  auto b = s.Find(id);
  if (!b) return false;
  const core::TimePoint now = s.Now();
  const core::Outcome outcome = ok ? core::Outcome::Success(latency)
                                   : core::Outcome::Failure(latency, core::FailureKind::kTimeout);
  s.brain->ObserveProbe(*b, outcome, now);
  s.policy->ObserveProbe(*b, outcome, now);
  s.SyncTable();
  return true;
}

bool Cluster::ReportMetrics(const std::string& id, double cpu, double memory, double connections) {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  auto b = s.Find(id);
  if (!b) return false;
  core::BackendMetrics m;
  m.timestamp = s.Now();
  m.cpu = cpu;
  // The facade takes memory as a utilisation; express it as used out of a unit maximum.
  m.memory_used_bytes = memory;
  m.memory_max_bytes = 1.0;
  m.active_connections = connections;
  s.policy->ObserveMetrics(*b, m);
  return true;
}

std::expected<void, std::string> Cluster::AddServer(const ServerSpec& server) {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  if (server.id.empty()) return std::unexpected("server id must not be empty");
  auto b = s.brain->AddBackend(core::BackendSpec{server.id, server.weight}, s.Now());
  if (!b) return std::unexpected(b.error().message);
  s.specs.push_back(server);
  s.counters.emplace_back();
  s.SyncTable();
  return {};
}

namespace {

template <typename Fn>
std::expected<void, std::string> WithServer(std::mutex& mu, core::ClusterBrain& brain,
                                            const std::string& id, Fn fn) {
  std::lock_guard lock(mu);
  auto b = brain.Find(id);
  if (!b) return std::unexpected("no server '" + id + "'");
  core::Result<void> r = fn(*b);
  if (!r) return std::unexpected(r.error().message);
  return {};
}

}  // namespace

std::expected<void, std::string> Cluster::RemoveServer(const std::string& id) {
  State& s = *state_;
  auto r = WithServer(s.mu, *s.brain, id, [&](core::BackendIndex b) {
    auto removed = s.brain->RemoveBackend(b);
    s.brain->Tick(s.Now());
    s.SyncTable();
    return removed;
  });
  return r;
}

std::expected<void, std::string> Cluster::Drain(const std::string& id) {
  State& s = *state_;
  return WithServer(s.mu, *s.brain, id, [&](core::BackendIndex b) {
    auto r = s.brain->SetDraining(b, true);
    s.brain->Tick(s.Now());
    s.SyncTable();
    return r;
  });
}

std::expected<void, std::string> Cluster::Enable(const std::string& id) {
  State& s = *state_;
  return WithServer(s.mu, *s.brain, id, [&](core::BackendIndex b) {
    auto r = s.brain->SetDraining(b, false);
    s.brain->Tick(s.Now());
    s.SyncTable();
    return r;
  });
}

std::expected<void, std::string> Cluster::SetWeight(const std::string& id, double weight) {
  State& s = *state_;
  return WithServer(s.mu, *s.brain, id, [&](core::BackendIndex b) {
    auto r = s.brain->SetWeight(b, weight);
    s.brain->Tick(s.Now());
    s.SyncTable();
    return r;
  });
}

void Cluster::Tick() {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  const core::TimePoint now = s.Now();
  s.brain->Tick(now);
  s.SyncTable();
  s.policy->Tick(now);
}

std::string Cluster::HealthReport() const {
  const State& s = *state_;
  std::lock_guard lock(s.mu);
  return RenderHealthJson(ReportInput{s.options.policy, s.specs, s.counters, *s.brain, *s.policy});
}

std::string Cluster::PrometheusMetrics() const {
  const State& s = *state_;
  std::lock_guard lock(s.mu);
  return RenderPrometheus(ReportInput{s.options.policy, s.specs, s.counters, *s.brain, *s.policy});
}

void Cluster::OnEvent(std::function<void(const ClusterEvent&)> callback) {
  std::lock_guard lock(state_->mu);
  state_->on_event = std::move(callback);
}

Cluster::Request::Request(Request&& other) noexcept
    : cluster_(std::exchange(other.cluster_, nullptr)),
      server_(other.server_),
      start_(other.start_),
      status_(other.status_),
      failure_(other.failure_) {}

Cluster::Request::~Request() {
  if (cluster_ == nullptr) return;
  const auto latency =
      std::chrono::duration_cast<std::chrono::nanoseconds>(cluster_->state_->clock() - start_);
  if (failure_) {
    cluster_->RecordFailure(server_, latency, *failure_);
  } else {
    cluster_->RecordLatency(server_, latency, status_);
  }
}

}  // namespace huddle
