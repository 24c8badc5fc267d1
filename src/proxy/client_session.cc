#include "proxy/client_session.h"

#include <boost/beast/http/error.hpp>
#include <chrono>
#include <cstdio>
#include <limits>

#include "proxy/access_log.h"
#include "proxy/worker.h"

namespace huddle::proxy {
namespace {

namespace beast = boost::beast;
using core::BackendIndex;
using core::FailureKind;
using core::Outcome;

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxResponseHeaderBytes = 64 * 1024;
constexpr uint64_t kNoBodyLimit = std::numeric_limits<uint64_t>::max();
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

core::TimePoint Now() { return std::chrono::steady_clock::now(); }

void CloseSocket(Socket& s) {
  ErrorCode ec;
  s.close(ec);
}

}  // namespace

ClientSession::ClientSession(Worker& worker, WorkerListener& listener, Socket socket)
    : worker_(worker),
      listener_(listener),
      client_(std::move(socket)),
      backoff_timer_(worker.executor()) {
  ErrorCode ec;
  const Tcp::endpoint remote = client_.remote_endpoint(ec);
  client_ip_ = ec ? "unknown" : remote.address().to_string();
  client_hash_ = std::hash<std::string>{}(client_ip_);
  client_.set_option(Tcp::no_delay(true), ec);
  worker_.Register(this);
  ++listener_.connections;
  listener_.stats->connections_total.fetch_add(1, std::memory_order_relaxed);
  listener_.stats->connections_active.fetch_add(1, std::memory_order_relaxed);
}

ClientSession::~ClientSession() {
  worker_.Unregister(this);
  --listener_.connections;
  listener_.stats->connections_active.fetch_sub(1, std::memory_order_relaxed);
}

Task<void> ClientSession::Main(std::unique_ptr<ClientSession> session) {
  co_await session->Run();
  session->Disarm();
  ErrorCode ec;
  session->client_.shutdown(Tcp::socket::shutdown_both, ec);
  session->client_.close(ec);
}

void ClientSession::Arm(Phase phase, core::Duration d, Socket* socket) {
  phase_ = phase;
  deadline_ = Now() + d;
  deadline_socket_ = socket;
}

void ClientSession::CheckDeadline(core::TimePoint now) {
  if (now < deadline_) return;
  expired_ = phase_;
  deadline_ = core::TimePoint::max();
  if (deadline_socket_ != nullptr) {
    ErrorCode ec;
    deadline_socket_->cancel(ec);
  }
}

void ClientSession::CloseIfIdle() {
  close_after_ = true;
  if (phase_ == Phase::kClientIdle && deadline_ != core::TimePoint::max()) {
    expired_ = Phase::kClientIdle;
    ErrorCode ec;
    client_.cancel(ec);
  }
}

Task<void> ClientSession::Run() {
  in_.reserve(4096);
  for (;;) {
    const bool have_request = co_await ReadRequestHead();
    if (!have_request) break;
    const bool keep = co_await Forward();
    if (!keep || close_after_ || worker_.draining()) break;
  }
}

Task<bool> ClientSession::Reply(int status, std::string_view body, bool close,
                                std::string_view extra_headers) {
  Disarm();
  out_.clear();
  AppendLocalResponse(out_, status, body, close, extra_headers);
  Arm(Phase::kClientWrite, listener_.config.idle_timeout, &client_);
  ErrorCode ec;
  co_await asio::async_write(client_, asio::buffer(out_), Catch(ec));
  Disarm();
  if (close) close_after_ = true;
  co_return !ec && !close;
}

Task<bool> ClientSession::ReadRequestHead() {
  const ListenerConfig& lc = listener_.config;
  request_.emplace();
  auto& parser = *request_;
  parser.eager(false);
  parser.header_limit(static_cast<std::uint32_t>(lc.max_header_bytes));
  // Bodies are streamed; max_body_bytes is checked by Forward. Not boost::none: Beast 1.74
  // compares the length with the optional, and every length is greater than none.
  parser.body_limit(kNoBodyLimit);
  bool any = in_.size() > 0;
  expired_ = Phase::kNone;
  if (any) {
    Arm(Phase::kClientHeader, lc.header_timeout, &client_);
  } else {
    Arm(Phase::kClientIdle, lc.idle_timeout, &client_);
  }
  for (;;) {
    if (in_.size() > 0) {
      ErrorCode ec;
      const auto data = in_.data();
      const size_t n = parser.put(data, ec);
      if (ec == http::error::need_more) ec = {};
      if (ec) {
        listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
        const bool too_large = ec == http::error::header_limit;
        co_await Reply(too_large ? 431 : 400, too_large ? "headers too large\n" : "bad request\n",
                       true);
        co_return false;
      }
      if (parser.is_header_done()) {
        const std::string_view raw(static_cast<const char*>(data.data()), n);
        const HeadVerdict verdict = CheckRequestHead(
            parser.get().base(), raw, HeadLimits{lc.max_header_count, lc.max_uri_bytes});
        in_.consume(n);
        Disarm();
        if (verdict.status != 0) {
          listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
          std::string body = verdict.reason;
          body += '\n';
          co_await Reply(verdict.status, body, true);
          co_return false;
        }
        co_return true;
      }
      if (in_.size() >= lc.max_header_bytes) {
        listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
        co_await Reply(431, "headers too large\n", true);
        co_return false;
      }
    }
    ErrorCode ec;
    const size_t n = co_await client_.async_read_some(in_.prepare(kReadChunk), Catch(ec));
    if (expired_ == Phase::kClientHeader) {
      listener_.stats->timeouts_408.fetch_add(1, std::memory_order_relaxed);
      co_await Reply(408, "request header timeout\n", true);
      co_return false;
    }
    if (ec || expired_ != Phase::kNone) co_return false;
    in_.commit(n);
    if (!any) {
      any = true;
      Arm(Phase::kClientHeader, lc.header_timeout, &client_);
    }
  }
}

Task<std::unique_ptr<UpstreamConn>> ClientSession::Connect(WorkerCluster& c, BackendIndex b,
                                                           bool& fresh, FailureKind& failure,
                                                           core::Duration timeout) {
  if (!fresh) {
    if (std::unique_ptr<UpstreamConn> idle = worker_.TakeIdle(c, b)) co_return idle;
  }
  fresh = true;
  const BackendView* view = c.view->Find(b);
  if (view == nullptr) {
    failure = FailureKind::kLocal;
    co_return nullptr;
  }
  auto up = std::make_unique<UpstreamConn>(worker_.executor());
  up->backend = b;
  expired_ = Phase::kNone;
  Arm(Phase::kConnect, timeout, &up->socket);
  ErrorCode ec;
  co_await up->socket.async_connect(view->endpoint, Catch(ec));
  Disarm();
  if (ec || expired_ == Phase::kConnect) {
    failure =
        expired_ == Phase::kConnect ? FailureKind::kConnectTimeout : FailureKind::kConnectRefused;
    co_return nullptr;
  }
  up->socket.set_option(Tcp::no_delay(true), ec);
  co_return up;
}

Task<bool> ClientSession::ReadUpstreamHead(
    UpstreamConn& up, std::optional<http::response_parser<http::empty_body>>& rp) {
  auto fresh_parser = [&rp] {
    rp.emplace();
    rp->eager(false);
    rp->header_limit(kMaxResponseHeaderBytes);
    rp->body_limit(kNoBodyLimit);  // responses are streamed with no limit
  };
  fresh_parser();
  for (;;) {
    if (up.buffer.size() > 0) {
      ErrorCode ec;
      const size_t n = rp->put(up.buffer.data(), ec);
      if (ec == http::error::need_more) ec = {};
      if (ec) co_return false;
      if (rp->is_header_done()) {
        up.buffer.consume(n);
        const unsigned status = rp->get().result_int();
        if (status >= 100 && status < 200 && status != 101) {
          fresh_parser();  // interim response (the proxy answered 100-continue itself)
          continue;
        }
        Disarm();
        co_return true;
      }
    }
    ErrorCode ec;
    const size_t n = co_await up.socket.async_read_some(up.buffer.prepare(kReadChunk), Catch(ec));
    if (ec || expired_ != Phase::kNone) co_return false;
    up.buffer.commit(n);
  }
}

Task<bool> ClientSession::Pump(Socket& from, beast::flat_buffer& from_buffer, Socket& to,
                               BodyFraming& framing, Phase read_phase, uint64_t limit,
                               bool& limit_hit, std::string* decoded) {
  const ListenerConfig& lc = listener_.config;
  const core::Duration idle = lc.idle_timeout;
  // A client body is also held to a minimum average rate after a grace period: the next byte
  // is due by start + body_timeout + bytes / min_body_rate (a trickle cannot hold a connection).
  const bool rate_floor = read_phase == Phase::kClientBody && lc.min_body_rate > 0;
  const core::TimePoint body_start = Now();
  const uint64_t bytes_at_start = framing.bytes();
  auto read_window = [&]() -> core::Duration {
    if (!rate_floor) return idle;
    const double seconds_earned = static_cast<double>(framing.bytes() - bytes_at_start) /
                                  static_cast<double>(lc.min_body_rate);
    const core::TimePoint due =
        body_start + lc.body_timeout +
        std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(seconds_earned));
    return std::min(idle, std::max(core::Duration(0), due - Now()));
  };
  for (;;) {
    if (from_buffer.size() > 0) {
      const auto data = from_buffer.data();
      const char* p = static_cast<const char*>(data.data());
      if (decoded != nullptr) decoded->clear();
      const size_t n = decoded != nullptr ? framing.TakeDecoded(p, data.size(), *decoded)
                                          : framing.Take(p, data.size());
      if (framing.failed()) co_return false;
      if (limit > 0 && framing.payload_bytes() > limit) {
        limit_hit = true;
        co_return false;
      }
      if (n > 0) {
        Arm(Phase::kClientWrite, idle, &to);
        ErrorCode ec;
        // The buffer is a local first: GCC 12 miscompiles a conditional inside co_await.
        asio::const_buffer out(data.data(), n);
        if (decoded != nullptr) out = asio::buffer(*decoded);
        co_await asio::async_write(to, out, Catch(ec));
        Disarm();
        if (ec || expired_ != Phase::kNone) co_return false;
        from_buffer.consume(n);
      }
      if (framing.done()) co_return true;
    }
    Arm(read_phase, read_window(), &from);
    ErrorCode ec;
    const size_t n = co_await from.async_read_some(from_buffer.prepare(kReadChunk), Catch(ec));
    Disarm();
    if (expired_ != Phase::kNone) co_return false;
    if (ec == asio::error::eof && framing.kind() == BodyFraming::Kind::kUntilClose) co_return true;
    if (ec) co_return false;
    from_buffer.commit(n);
  }
}

Task<void> ClientSession::Tunnel(UpstreamConn& up) {
  Disarm();
  auto splice = [](Socket& from, beast::flat_buffer& buffer, Socket& to) -> Task<void> {
    ErrorCode ec;
    if (buffer.size() > 0) {
      co_await asio::async_write(to, buffer.data(), Catch(ec));
      buffer.consume(buffer.size());
    }
    while (!ec) {
      const size_t n = co_await from.async_read_some(buffer.prepare(kReadChunk), Catch(ec));
      if (ec) break;
      buffer.commit(n);
      co_await asio::async_write(to, buffer.data(), Catch(ec));
      buffer.consume(n);
    }
    ErrorCode ignored;
    to.shutdown(Tcp::socket::shutdown_send, ignored);
  };
  bool other_done = false;
  Timer wait(worker_.executor());
  wait.expires_at(Timer::time_point::max());
  asio::co_spawn(
      worker_.executor(),
      [&]() -> Task<void> {
        co_await splice(up.socket, up.buffer, client_);
        other_done = true;
        wait.cancel();
      },
      asio::detached);
  co_await splice(client_, in_, up.socket);
  if (!other_done) {
    ErrorCode ec;
    co_await wait.async_wait(Catch(ec));
  }
  CloseSocket(up.socket);
  close_after_ = true;
}

void ClientSession::WriteAccessLog(int status, BackendIndex backend, int attempts,
                                   core::TimePoint start, uint64_t bytes_out) {
  if (!worker_.access_log_enabled()) return;
  const auto& req = request_->get();
  WorkerCluster& c = worker_.cluster(listener_.cluster);
  const BackendView* bv = backend == core::kNoBackend ? nullptr : c.view->Find(backend);
  std::string& line = raw_head_check_;
  line.clear();
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  line += "{\"ts_ms\":";
  line += std::to_string(wall);
  line += ",\"listener\":\"";
  AppendJsonEscaped(line, listener_.config.name);
  line += "\",\"client\":\"";
  line += client_ip_;
  line += "\",\"method\":\"";
  AppendJsonEscaped(line, req.method_string());
  line += "\",\"target\":\"";
  AppendJsonEscaped(line, req.target());
  line += "\",\"status\":";
  line += std::to_string(status);
  line += ",\"backend\":\"";
  if (bv != nullptr) AppendJsonEscaped(line, bv->name);
  line += "\",\"attempts\":";
  line += std::to_string(attempts);
  line += ",\"duration_ms\":";
  line += std::to_string(core::ToMillis(Now() - start));
  line += ",\"bytes_out\":";
  line += std::to_string(bytes_out);
  line += ",\"request_id\":\"";
  AppendJsonEscaped(line, request_id_);
  line += "\",\"worker\":";
  line += std::to_string(worker_.id());
  line += "}\n";
  worker_.access_log().Append(line);
}

Task<bool> ClientSession::Forward() {
  const ListenerConfig& lc = listener_.config;
  WorkerCluster& c = worker_.cluster(listener_.cluster);
  const std::shared_ptr<const ClusterView> view = c.view;
  const ClusterConfig& cc = view->config;
  auto& parser = *request_;
  const auto& req = parser.get();
  const core::TimePoint start = Now();
  // The overall deadline: every try and backoff together (timeouts.request).
  const core::TimePoint request_deadline = start + cc.request_timeout;
  auto within_deadline = [&](core::Duration d) {
    return std::max(core::Duration(0), std::min(d, request_deadline - Now()));
  };
  bool keep_client = parser.keep_alive() && !close_after_;

  BodyFraming request_body = BodyFraming::None();
  if (parser.chunked()) {
    request_body = BodyFraming::Chunked();
  } else if (auto cl = parser.content_length()) {
    if (lc.max_body_bytes > 0 && *cl > lc.max_body_bytes) {
      listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
      co_await Reply(413, "body too large\n", true);
      co_return false;
    }
    request_body = BodyFraming::Length(*cl);
  }
  // An Upgrade in an HTTP/1.0 request is ignored (RFC 9110 7.8): forwarded as a plain request.
  const bool upgrade = parser.upgrade() && req.version() >= 11;
  // Answer 100-continue ourselves: the body then flows without waiting for the backend.
  if (request_body.kind() != BodyFraming::Kind::kNone && in_.size() == 0 &&
      req.find(http::field::expect) != req.end()) {
    Arm(Phase::kClientWrite, lc.idle_timeout, &client_);
    ErrorCode ec;
    co_await asio::async_write(client_, asio::buffer(kContinue), Catch(ec));
    Disarm();
    if (ec) co_return false;
  }
  // A body that is already complete in the buffer can be replayed on a retry.
  BodyFraming probe = request_body;
  const size_t buffered_body = probe.Take(static_cast<const char*>(in_.data().data()), in_.size());
  if (probe.failed()) {
    listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
    co_await Reply(400, "bad chunked body\n", true);
    co_return false;
  }
  const bool replayable = probe.done();
  if (replayable && lc.max_body_bytes > 0 && probe.payload_bytes() > lc.max_body_bytes) {
    listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
    co_await Reply(413, "body too large\n", true);
    co_return false;
  }

  // Request id: the client's, or a fresh one.
  const auto id_field = req.find(worker_.config().request_id_header);
  request_id_.clear();
  if (id_field != req.end()) {
    request_id_.assign(id_field->value());
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t v = (static_cast<uint64_t>(worker_.id()) << 56) ^ worker_.NextRequestId() ^
                 (worker_.rng().NextU64() << 24);
    request_id_.resize(16);
    for (int i = 15; i >= 0; --i, v >>= 4) request_id_[static_cast<size_t>(i)] = kHex[v & 15];
  }
  // Load shedding (the adaptive concurrency limit and the engine's decision for this cluster):
  // 503 + Retry-After, counted. An upgrade is not held to the limit (its tunnel lasts as long
  // as the connection) and gives no latency sample.
  ClusterShedState& shed = *view->shed;
  const ClusterShedState::Verdict verdict = shed.TryAdmit(worker_.rng(), !upgrade);
  if (verdict == ClusterShedState::Verdict::kLimit ||
      verdict == ClusterShedState::Verdict::kAdmission) {
    WriteAccessLog(503, core::kNoBackend, 0, start, 0);
    bool keep = keep_client && !upgrade;
    if (keep && replayable) {
      in_.consume(buffered_body);
    } else {
      keep = keep && request_body.kind() == BodyFraming::Kind::kNone;
    }
    char header[48];
    const int n =
        std::snprintf(header, sizeof header, "retry-after: %lld\r\n",
                      static_cast<long long>(shed.retry_after_s.load(std::memory_order_relaxed)));
    co_return co_await Reply(503, "overloaded: request shed\n", !keep,
                             std::string_view(header, static_cast<size_t>(n)));
  }
  // Ends the admitted request: its latency (to the end of the response, retries included, as
  // the client sees it) feeds the cluster's adaptive limit.
  struct ShedRelease {
    ClusterShedState* shed;
    size_t worker;
    core::TimePoint start;
    bool sample;
    ~ShedRelease() {
      if (shed == nullptr) return;
      if (sample) shed->sampler.Record(worker, Now() - start);
      shed->Release();
    }
  } shed_release{verdict == ClusterShedState::Verdict::kAdmit ? &shed : nullptr, worker_.id(),
                 start, !upgrade};
  const bool idempotent = IsIdempotent(req.method());
  // Envoy's retry budget, per worker: this request is active until it ends, and counts as one
  // active retry from its first retry on.
  struct BudgetGuard {
    core::RetryBudget& budget;
    bool retrying = false;
    ~BudgetGuard() {
      if (retrying) budget.RetryFinished();
      budget.RequestFinished();
    }
  } budget_guard{c.retry_budget};
  c.retry_budget.RequestStarted();

  const int max_attempts = 1 + cc.retries.attempts;
  std::array<BackendIndex, 11> tried{};
  int attempts = 0;
  int final_status = 503;
  const char* final_body = "no healthy upstream\n";
  BackendIndex last_backend = core::kNoBackend;
  bool sent_request_body = false;  // the body left the buffer: no more retries

  auto may_retry = [&](bool never_sent, bool condition) {
    if (attempts >= max_attempts || !replayable || Now() >= request_deadline) return false;
    if (!never_sent && (!idempotent || !condition)) return false;
    // A request that never reached a backend costs the backends nothing: outside the budget.
    if (never_sent) return true;
    // The engine's retry budget ratio, when its shedding is on, tightens the cluster's own: its
    // demand model assumes retries beyond that ratio are never sent.
    core::RetryBudgetOptions budget{cc.retries.budget_percent,
                                    static_cast<uint32_t>(cc.retries.min_retry_concurrency)};
    const double ratio = shed.retry_budget_ratio.load(std::memory_order_relaxed);
    if (ratio >= 0.0 && shed.engine_enabled.load(std::memory_order_relaxed)) {
      budget.budget_percent = std::min(budget.budget_percent, 100.0 * ratio);
    }
    c.retry_budget.set_options(budget);
    if (budget_guard.retrying) {
      // Already counted as one active retry: a further try needs the budget to still hold it.
      return c.retry_budget.active_retries() <= c.retry_budget.MaxActiveRetries();
    }
    budget_guard.retrying = c.retry_budget.TryStartRetry();
    return budget_guard.retrying;
  };

  for (;;) {
    ++attempts;
    if (attempts > 1) {
      const core::Duration cap = std::min<core::Duration>(
          cc.retries.backoff_max,
          cc.retries.backoff_base * (int64_t{1} << std::min(attempts - 2, 20)));
      if (cap.count() > 0) {
        backoff_timer_.expires_after(within_deadline(core::Duration(
            static_cast<int64_t>(worker_.rng().UnitDouble() * static_cast<double>(cap.count())))));
        ErrorCode ec;
        co_await backoff_timer_.async_wait(Catch(ec));
      }
    }
    // Pick, preferring a backend not tried yet for this request.
    std::optional<BackendIndex> picked;
    const size_t eligible = c.table ? c.table->entries.size() : 0;
    for (int k = 0; k < 4; ++k) {
      // A retry hashes differently, so that consistent hashing also moves to another backend.
      const uint64_t key =
          client_hash_ + static_cast<uint64_t>(attempts - 1 + k) * 0x9e3779b97f4a7c15ULL;
      picked =
          c.policy ? c.policy->Pick(core::PickContext{Now(), worker_.rng(), key}) : std::nullopt;
      if (!picked) break;
      bool seen = false;
      for (int t = 0; t + 1 < attempts; ++t)
        seen = seen || tried[static_cast<size_t>(t)] == *picked;
      if (!seen || static_cast<size_t>(attempts - 1) >= eligible) break;
    }
    const BackendView* bv = picked ? view->Find(*picked) : nullptr;
    if (bv == nullptr) {
      final_status = 503;
      final_body = "no healthy upstream\n";
      break;
    }
    const BackendIndex b = *picked;
    tried[static_cast<size_t>(attempts - 1)] = b;
    last_backend = b;
    BackendCounters& counters = bv->stats->For(worker_.id());
    const core::TimePoint attempt_start = Now();
    c.policy->OnSend(b, attempt_start);
    counters.in_flight.fetch_add(1, std::memory_order_relaxed);
    if (attempts > 1) counters.retries.fetch_add(1, std::memory_order_relaxed);
    auto finish = [&](const Outcome& o) {
      counters.in_flight.fetch_sub(1, std::memory_order_relaxed);
      counters.Record(o.latency, !o.ok);
      const core::TimePoint now = Now();
      c.policy->Observe(b, o, now);
      worker_.Record(static_cast<uint32_t>(view->id), b, o, now);
    };

    // Connect (a pooled connection first); a stale pooled connection is replaced once, unseen.
    bool fresh = false;
    std::unique_ptr<UpstreamConn> up;
    std::optional<http::response_parser<http::empty_body>> rp;
    bool got_head = false;
    bool timed_out = false;
    bool never_sent = false;
    FailureKind failure = FailureKind::kNone;
    for (int redo = 0; redo < 2 && !got_head; ++redo) {
      up = co_await Connect(c, b, fresh, failure, within_deadline(cc.connect_timeout));
      if (!up) {
        never_sent = true;
        break;
      }
      // Send the head and what the buffer holds of the body.
      out_.clear();
      ForwardInfo forward{client_ip_, worker_.config().request_id_header, request_id_,
                          request_body.kind() == BodyFraming::Kind::kChunked, upgrade};
      if (!forward.chunked) {
        if (const auto cl = parser.content_length()) forward.content_length = *cl;
      }
      std::string default_host;
      if (req.find(http::field::host) == req.end()) {
        // HTTP/1.0 without Host, forwarded as 1.1: the backend's address (nginx's default).
        default_host =
            bv->endpoint.address().to_string() + ":" + std::to_string(bv->endpoint.port());
        forward.default_host = default_host;
      }
      AppendUpstreamHead(out_, req.base(), forward);
      const size_t first_body = replayable ? buffered_body : std::min(buffered_body, in_.size());
      std::array<asio::const_buffer, 2> parts{asio::buffer(out_),
                                              asio::buffer(in_.data().data(), first_body)};
      expired_ = Phase::kNone;
      Arm(Phase::kResponse, within_deadline(cc.response_timeout), &up->socket);
      ErrorCode ec;
      co_await asio::async_write(up->socket, parts, Catch(ec));
      Disarm();
      if (ec) {
        if (!fresh && replayable) {
          // A stale pooled connection: the next try opens a new one. Another pooled connection
          // to this backend is likely stale too (the backend restarted or died).
          fresh = true;
          continue;
        }
        failure = FailureKind::kReset;
        break;
      }
      if (!replayable) {
        // Stream the rest of the body; no retry is possible once it left the buffer.
        sent_request_body = true;
        BodyFraming rest = request_body;
        rest.Take(static_cast<const char*>(in_.data().data()), first_body);
        in_.consume(first_body);
        bool limit_hit = false;
        const bool ok = co_await Pump(client_, in_, up->socket, rest, Phase::kClientBody,
                                      lc.max_body_bytes, limit_hit, nullptr);
        if (!ok) {
          finish(Outcome::Failure(Now() - attempt_start, FailureKind::kLocal));
          CloseSocket(up->socket);
          if (limit_hit) {
            listener_.stats->requests_rejected.fetch_add(1, std::memory_order_relaxed);
            co_await Reply(413, "body too large\n", true);
          } else if (expired_ == Phase::kClientBody) {
            listener_.stats->timeouts_408.fetch_add(1, std::memory_order_relaxed);
            co_await Reply(408, "request body timeout\n", true);
          }
          co_return false;
        }
      }
      const core::Duration try_timeout =
          cc.retries.per_try_timeout.count() > 0 ? cc.retries.per_try_timeout : cc.response_timeout;
      expired_ = Phase::kNone;
      Arm(Phase::kResponse, within_deadline(try_timeout), &up->socket);
      const size_t before = up->buffer.size();
      got_head = co_await ReadUpstreamHead(*up, rp);
      Disarm();
      if (got_head) break;
      timed_out = expired_ == Phase::kResponse;
      failure = timed_out ? FailureKind::kTimeout : FailureKind::kReset;
      if (!timed_out && !fresh && replayable && before == 0 && up->buffer.size() == 0) {
        // The pooled connection was closed by the backend meanwhile: try once more on a new
        // connection (not another pooled one, which a dead backend leaves stale as well).
        CloseSocket(up->socket);
        fresh = true;
        continue;
      }
      break;
    }

    if (!got_head) {
      finish(Outcome::Failure(Now() - attempt_start, failure));
      if (up) CloseSocket(up->socket);
      const bool condition =
          failure == FailureKind::kTimeout ? cc.retries.on_timeout : cc.retries.on_reset;
      if (!sent_request_body && may_retry(never_sent, condition)) continue;
      final_status =
          (failure == FailureKind::kTimeout || failure == FailureKind::kConnectTimeout) ? 504 : 502;
      final_body = final_status == 504 ? "upstream timeout\n" : "upstream unavailable\n";
      break;
    }

    const int status = static_cast<int>(rp->get().result_int());
    if (status == 101 && !upgrade) {
      // A switch of protocols nobody asked for: the upstream is broken; never relayed.
      finish(Outcome::Failure(Now() - attempt_start, FailureKind::kReset));
      CloseSocket(up->socket);
      final_status = 502;
      final_body = "upstream switched protocols unasked\n";
      break;
    }
    const bool gateway = status == 502 || status == 503 || status == 504;
    if (status >= 500 && !sent_request_body && may_retry(false, gateway || cc.retries.on_5xx)) {
      finish(Outcome::Success(Now() - attempt_start, status));
      CloseSocket(up->socket);
      continue;
    }

    // Relay the response, framed from what the parser decided (RFC 9112 6.3).
    BodyFraming response_body = BodyFraming::UntilClose();
    ClientFraming client_framing;
    const bool no_body =
        req.method() == http::verb::head || status == 204 || status == 304 || status == 101;
    if (no_body) {
      response_body = BodyFraming::None();
      // HEAD and 304 state the length the body would have had; 204 and 101 have none.
      if (status != 204 && status != 101) {
        if (const auto cl = rp->content_length()) client_framing.content_length = *cl;
      }
    } else if (rp->chunked()) {
      response_body = BodyFraming::Chunked();
      client_framing.chunked = true;
    } else if (auto cl = rp->content_length()) {
      response_body = BodyFraming::Length(*cl);
      client_framing.content_length = *cl;
    }
    // An HTTP/1.0 client cannot read chunked framing: the payload is relayed de-chunked and
    // delimited by closing the connection (as nginx does).
    const bool dechunk = client_framing.chunked && req.version() < 11;
    if (dechunk) client_framing.chunked = false;
    if (replayable) in_.consume(buffered_body);
    if (status == 101 && upgrade) {
      out_.clear();
      AppendClientHead(out_, rp->get().base(), ClientFraming{.upgrade = true});
      ErrorCode ec;
      co_await asio::async_write(client_, asio::buffer(out_), Catch(ec));
      finish(Outcome::Success(Now() - attempt_start, status));
      WriteAccessLog(status, b, attempts, start, 0);
      if (!ec) co_await Tunnel(*up);
      CloseSocket(up->socket);
      co_return false;
    }
    const bool close_client = !keep_client || close_after_ || worker_.draining() ||
                              response_body.kind() == BodyFraming::Kind::kUntilClose || dechunk;
    out_.clear();
    client_framing.close = close_client;
    AppendClientHead(out_, rp->get().base(), client_framing);
    const auto data = up->buffer.data();
    const char* first_bytes = static_cast<const char*>(data.data());
    decoded_.clear();
    const size_t first = dechunk ? response_body.TakeDecoded(first_bytes, data.size(), decoded_)
                                 : response_body.Take(first_bytes, data.size());
    std::array<asio::const_buffer, 2> parts{asio::buffer(out_), asio::buffer(first_bytes, first)};
    if (dechunk) parts[1] = asio::buffer(decoded_);
    Arm(Phase::kClientWrite, lc.idle_timeout, &client_);
    ErrorCode ec;
    co_await asio::async_write(client_, parts, Catch(ec));
    Disarm();
    up->buffer.consume(first);
    bool relayed = !ec && !response_body.failed();
    if (relayed && !response_body.done()) {
      bool unused = false;
      relayed = co_await Pump(up->socket, up->buffer, client_, response_body, Phase::kUpstreamBody,
                              0, unused, dechunk ? &decoded_ : nullptr);
    }
    const core::Duration latency = Now() - attempt_start;
    if (relayed || ec) {
      // The backend did its part (a client that went away is not the backend's fault).
      finish(Outcome::Success(latency, status));
    } else {
      finish(Outcome::Failure(latency, FailureKind::kReset));
    }
    WriteAccessLog(status, b, attempts, start, response_body.bytes());
    const bool reusable = relayed && rp->keep_alive() && response_body.done() &&
                          response_body.kind() != BodyFraming::Kind::kUntilClose &&
                          up->buffer.size() == 0 && !worker_.draining();
    if (reusable) {
      worker_.ReturnIdle(c, std::move(up), Now());
    } else {
      CloseSocket(up->socket);
    }
    co_return relayed && !close_client;
  }

  // The proxy answers itself (502/503/504).
  if (final_status == 503) listener_.stats->local_503.fetch_add(1, std::memory_order_relaxed);
  if (final_status == 502) listener_.stats->local_502.fetch_add(1, std::memory_order_relaxed);
  if (final_status == 504) listener_.stats->local_504.fetch_add(1, std::memory_order_relaxed);
  WriteAccessLog(final_status, last_backend, attempts, start, 0);
  bool keep = keep_client && !sent_request_body && !upgrade;
  if (keep && replayable) {
    in_.consume(buffered_body);
  } else {
    keep = keep && request_body.kind() == BodyFraming::Kind::kNone;
  }
  const bool kept = co_await Reply(final_status, final_body, !keep);
  co_return kept;
}

}  // namespace huddle::proxy
