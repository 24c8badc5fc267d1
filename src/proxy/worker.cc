#include "proxy/worker.h"

#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "core/cluster/policy_factory.h"
#include "proxy/client_session.h"

namespace huddle::proxy {
namespace {

constexpr size_t kMaxPendingOutcomes = 1 << 16;

core::TimePoint Now() { return std::chrono::steady_clock::now(); }

std::string PolicyKey(const ClusterConfig& c) {
  std::string key = c.policy;
  for (const auto& [k, v] : c.policy_options) key += "|" + k + "=" + v;
  return key;
}

core::Duration SweepInterval(const ProxyConfig& config) {
  core::Duration smallest = std::chrono::milliseconds(200);
  for (const ListenerConfig& l : config.listeners) {
    smallest = std::min({smallest, l.header_timeout, l.idle_timeout, l.body_timeout});
  }
  for (const ClusterConfig& c : config.clusters) {
    smallest = std::min({smallest, c.connect_timeout, c.response_timeout, c.request_timeout});
    if (c.retries.per_try_timeout.count() > 0)
      smallest = std::min(smallest, c.retries.per_try_timeout);
  }
  return std::clamp<core::Duration>(smallest / 4, std::chrono::milliseconds(2),
                                    std::chrono::milliseconds(50));
}

}  // namespace

Worker::Worker(size_t id, size_t cluster_count, const ProxyConfig& config)
    : id_(id),
      config_(config),
      io_(std::make_unique<asio::io_context>(1)),
      // Seeded per process: request ids and jitter must differ between runs and instances.
      rng_((static_cast<uint64_t>(std::random_device{}()) << 32 ^ std::random_device{}()) ^
           0x9e3779b97f4a7c15ULL * (id + 1)),
      clusters_(cluster_count),
      sweep_interval_(SweepInterval(config)),
      access_log_(config.access_log.buffer_bytes) {
  local_outcomes_.reserve(4096);
  inbox_.reserve(4096);
}

Worker::~Worker() {
  Stop();
  // Destroy everything bound to the io_context while it and the session registry still exist:
  // pending coroutine frames (sessions) unregister themselves as the context shuts down.
  for (auto& l : listeners_) l->acceptor.reset();
  for (WorkerCluster& c : clusters_) c.idle.clear();
  io_.reset();
}

void Worker::SetListenerLimits(size_t index, const ListenerConfig& config) {
  if (index >= listeners_.size()) return;
  ListenerConfig& l = listeners_[index]->config;
  l.max_header_bytes = config.max_header_bytes;
  l.max_header_count = config.max_header_count;
  l.max_uri_bytes = config.max_uri_bytes;
  l.max_body_bytes = config.max_body_bytes;
  l.header_timeout = config.header_timeout;
  l.idle_timeout = config.idle_timeout;
  l.max_connections = config.max_connections;
}

core::Result<uint16_t> Worker::Bind(const ListenerConfig& config, size_t cluster,
                                    ListenerStats& stats) {
  auto l = std::make_unique<WorkerListener>();
  l->config = config;
  l->cluster = cluster;
  l->stats = &stats;
  l->acceptor = std::make_unique<Acceptor>(io_->get_executor());
  ErrorCode ec;
  const Tcp::endpoint endpoint(asio::ip::make_address(config.address.host, ec),
                               config.address.port);
  if (ec) return core::Fail("listener '" + config.name + "': bad address");
  Acceptor& a = *l->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
    a.set_option(ReusePort(true), ec);
  }
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(config.backlog, ec);
  if (ec) {
    return core::Fail("listener '" + config.name + "': cannot listen on " +
                      config.address.ToString() + ": " + ec.message());
  }
  const uint16_t port = a.local_endpoint().port();
  listeners_.push_back(std::move(l));
  return port;
}

void Worker::Start() {
  for (auto& l : listeners_) asio::co_spawn(io_->get_executor(), AcceptLoop(*l), asio::detached);
  asio::co_spawn(io_->get_executor(), Sweep(), asio::detached);
  thread_ = std::thread([this] { io_->run(); });
}

void Worker::Post(std::function<void()> fn) { asio::post(*io_, std::move(fn)); }

void Worker::BeginDrain() {
  Post([this] {
    draining_ = true;
    for (auto& l : listeners_) {
      ErrorCode ec;
      l->acceptor->close(ec);
    }
    for (ClientSession* s : sessions_) s->CloseIfIdle();
    for (WorkerCluster& c : clusters_) {
      for (auto& pool : c.idle) pool.clear();
    }
  });
}

void Worker::Stop() {
  if (!thread_.joinable()) return;
  io_->stop();
  thread_.join();
}

void Worker::SetClusterView(std::shared_ptr<const ClusterView> view) {
  WorkerCluster& c = clusters_[view->id];
  const std::string key = PolicyKey(view->config);
  if (!c.policy || key != c.policy_key) {
    auto made = core::MakePolicy(view->config.policy, view->config.policy_options);
    if (made) {
      c.policy = std::move(*made);
      c.policy_key = key;
      if (c.table) c.policy->Update(*c.table);
    }
  }
  // Pooled connections to backends that left or moved are closed.
  if (c.view) {
    for (size_t b = 0; b < c.idle.size(); ++b) {
      const BackendView* before = c.view->Find(static_cast<core::BackendIndex>(b));
      const BackendView* after = view->Find(static_cast<core::BackendIndex>(b));
      if (before == nullptr || after == nullptr || before->endpoint != after->endpoint)
        c.idle[b].clear();
    }
  }
  c.idle.resize(std::max(c.idle.size(), view->backends.size()));
  c.view = std::move(view);
}

void Worker::SetTable(size_t cluster, std::shared_ptr<const core::RoutingTable> table) {
  WorkerCluster& c = clusters_[cluster];
  c.table = std::move(table);
  if (c.policy) c.policy->Update(*c.table);
}

void Worker::ObserveProbe(size_t cluster, core::BackendIndex b, const core::Outcome& o,
                          core::TimePoint now) {
  WorkerCluster& c = clusters_[cluster];
  if (c.policy) c.policy->ObserveProbe(b, o, now);
}

void Worker::Register(ClientSession* s) {
  s->slot = sessions_.size();
  sessions_.push_back(s);
  active_sessions_.fetch_add(1, std::memory_order_relaxed);
}

void Worker::Unregister(ClientSession* s) {
  ClientSession* last = sessions_.back();
  sessions_[s->slot] = last;
  last->slot = s->slot;
  sessions_.pop_back();
  active_sessions_.fetch_sub(1, std::memory_order_relaxed);
}

void Worker::Record(uint32_t cluster, core::BackendIndex b, const core::Outcome& o,
                    core::TimePoint now) {
  if (local_outcomes_.size() >= kMaxPendingOutcomes) {
    dropped_outcomes_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  local_outcomes_.push_back(OutcomeRecord{cluster, b, o, now});
}

void Worker::FlushOutcomes() {
  if (local_outcomes_.empty()) return;
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  if (inbox_.size() + local_outcomes_.size() > kMaxPendingOutcomes) {
    dropped_outcomes_.fetch_add(local_outcomes_.size(), std::memory_order_relaxed);
  } else {
    inbox_.insert(inbox_.end(), local_outcomes_.begin(), local_outcomes_.end());
  }
  local_outcomes_.clear();
}

void Worker::DrainOutcomes(std::vector<OutcomeRecord>& out) {
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  out.insert(out.end(), inbox_.begin(), inbox_.end());
  inbox_.clear();
}

std::unique_ptr<UpstreamConn> Worker::TakeIdle(WorkerCluster& c, core::BackendIndex b) {
  if (b >= c.idle.size()) return nullptr;
  auto& pool = c.idle[b];
  while (!pool.empty()) {
    std::unique_ptr<UpstreamConn> conn = std::move(pool.back());
    pool.pop_back();
    // A byte or an EOF on an idle connection: the backend spoke out of turn or closed it.
    // Either way the connection is never lent (the bytes would reach the next client).
    if (!IdleConnectionIsClean(conn->socket)) continue;  // closed by the destructor
    ++conn->uses;
    return conn;
  }
  return nullptr;
}

void Worker::ReturnIdle(WorkerCluster& c, std::unique_ptr<UpstreamConn> conn, core::TimePoint now) {
  const core::BackendIndex b = conn->backend;
  if (b >= c.idle.size() || c.view->Find(b) == nullptr ||
      c.idle[b].size() >= c.view->config.max_idle_per_backend) {
    return;  // closed by the destructor
  }
  conn->idle_since = now;
  c.idle[b].push_back(std::move(conn));
}

Task<void> Worker::AcceptLoop(WorkerListener& l) {
  Timer pause(io_->get_executor());
  for (;;) {
    Socket socket(io_->get_executor());
    ErrorCode ec;
    co_await l.acceptor->async_accept(socket, Catch(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !l.acceptor->is_open()) co_return;
      // Out of descriptors or similar: back off briefly instead of spinning.
      pause.expires_after(std::chrono::milliseconds(10));
      co_await pause.async_wait(Catch(ec));
      continue;
    }
    if (draining_) co_return;
    if (l.connections >= l.config.max_connections) {
      l.stats->connections_rejected.fetch_add(1, std::memory_order_relaxed);
      continue;  // socket closes here
    }
    asio::co_spawn(
        io_->get_executor(),
        ClientSession::Main(std::make_unique<ClientSession>(*this, l, std::move(socket))),
        asio::detached);
  }
}

void Worker::SweepOnce(core::TimePoint now) {
  for (size_t i = 0; i < sessions_.size(); ++i) sessions_[i]->CheckDeadline(now);
  for (WorkerCluster& c : clusters_) {
    if (!c.view) continue;
    const core::Duration idle_limit = c.view->config.upstream_idle_timeout;
    for (auto& pool : c.idle) {
      std::erase_if(pool, [&](const std::unique_ptr<UpstreamConn>& u) {
        return now - u->idle_since > idle_limit || !IdleConnectionIsClean(u->socket);
      });
    }
  }
  if (now - last_tick_ >= config_.tick) {
    last_tick_ = now;
    for (WorkerCluster& c : clusters_) {
      if (c.policy) c.policy->Tick(now);
    }
    if (id_ == 0) PublishGauges();
  }
  FlushOutcomes();
}

namespace {

class VectorSink final : public core::StatSink {
 public:
  explicit VectorSink(std::vector<std::pair<std::string, double>>& out) : out_(out) {}
  void Gauge(std::string_view name, double value) override { out_.emplace_back(name, value); }

 private:
  std::vector<std::pair<std::string, double>>& out_;
};

}  // namespace

void Worker::PublishGauges() {
  std::vector<PolicyGauges> next(clusters_.size());
  for (size_t i = 0; i < clusters_.size(); ++i) {
    const WorkerCluster& c = clusters_[i];
    if (!c.policy || !c.view) continue;
    VectorSink cluster_sink(next[i].cluster);
    c.policy->ReportCluster(cluster_sink);
    next[i].backends.resize(c.view->backends.size());
    for (size_t b = 0; b < c.view->backends.size(); ++b) {
      if (c.view->Find(static_cast<core::BackendIndex>(b)) == nullptr) continue;
      VectorSink sink(next[i].backends[b]);
      c.policy->ReportBackend(static_cast<core::BackendIndex>(b), sink);
    }
  }
  std::lock_guard<std::mutex> lock(gauges_mutex_);
  gauges_.swap(next);
}

PolicyGauges Worker::Gauges(size_t cluster) const {
  std::lock_guard<std::mutex> lock(gauges_mutex_);
  return cluster < gauges_.size() ? gauges_[cluster] : PolicyGauges{};
}

Task<void> Worker::Sweep() {
  Timer timer(io_->get_executor());
  for (;;) {
    timer.expires_after(sweep_interval_);
    ErrorCode ec;
    co_await timer.async_wait(Catch(ec));
    if (ec) co_return;
    SweepOnce(Now());
  }
}

}  // namespace huddle::proxy
