#include "proxy/upstream_server.h"

#include <strings.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdio>
#include <cstring>
#include <deque>
#include <unordered_set>

#include "core/random.h"
#include "proxy/asio_types.h"
#include "proxy/chunked_scanner.h"
#include "proxy/upstream_control.h"

namespace huddle::proxy {
namespace {

constexpr size_t kBufferBytes = 16 * 1024;
constexpr size_t kMaxEchoBytes = 64ull << 20;
constexpr size_t kMaxControlBytes = 64 * 1024;
constexpr auto kControlDeadline = std::chrono::seconds(5);

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

bool NameIs(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Request {
  std::string_view method;
  std::string_view target;
  bool http10 = false;
  bool close = false;
  bool chunked = false;
  bool keep_alive_header = false;
  uint64_t content_length = 0;
};

bool ParseHead(std::string_view head, Request& r) {
  const size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  const size_t s1 = line.find(' ');
  const size_t s2 = line.rfind(' ');
  if (s1 == std::string_view::npos || s2 == s1) return false;
  r.method = line.substr(0, s1);
  r.target = line.substr(s1 + 1, s2 - s1 - 1);
  r.http10 = line.substr(s2 + 1) == "HTTP/1.0";
  size_t pos = eol + 2;
  while (pos < head.size()) {
    const size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    std::string_view field = head.substr(pos, end - pos);
    pos = end + 2;
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = Trim(field.substr(colon + 1));
    if (NameIs(name, "content-length")) {
      uint64_t v = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      r.content_length = v;
    } else if (NameIs(name, "transfer-encoding")) {
      r.chunked = value.size() >= 7 && NameIs(value.substr(value.size() - 7), "chunked");
    } else if (NameIs(name, "connection")) {
      if (NameIs(value, "close")) r.close = true;
      if (NameIs(value, "keep-alive")) r.keep_alive_header = true;
    }
  }
  if (r.http10 && !r.keep_alive_header) r.close = true;
  return true;
}

}  // namespace

class UpstreamServer::Impl {
 public:
  Impl(UpstreamServer& owner, UpstreamOptions options)
      : owner_(owner),
        options_(std::move(options)),
        io_(1),
        work_(io_.get_executor()),
        acceptor_(io_.get_executor()),
        control_acceptor_(io_.get_executor()),
        schedule_timer_(io_.get_executor()),
        rng_(options_.seed),
        plan_(options_.faults),
        source_(options_.faults.empty() ? "none" : "script") {
    body_.assign(options_.body_bytes, 'x');
    if (!body_.empty()) {
      const std::string hello = "hello from " + options_.name + "\n";
      std::copy_n(hello.begin(), std::min(hello.size(), body_.size()), body_.begin());
    }
  }

  core::Result<void> Bind() {
    ErrorCode ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return core::Fail("upstream: bad host '" + options_.host + "'");
    endpoint_ = Tcp::endpoint(address, options_.port);
    if (auto s = OpenAcceptor(); !s) return s;
    endpoint_.port(acceptor_.local_endpoint().port());
    owner_.port_.store(endpoint_.port());
    if (options_.control_port) {
      if (auto s = OpenControl(*options_.control_port); !s) return s;
      asio::co_spawn(io_.get_executor(), ControlAccept(), asio::detached);
    }
    start_ = std::chrono::steady_clock::now();
    asio::co_spawn(io_.get_executor(), Accept(generation_), asio::detached);
    asio::co_spawn(io_.get_executor(), Schedule(), asio::detached);
    return {};
  }

  void RunLoop() { io_.run(); }
  void StopLoop() { io_.stop(); }
  asio::io_context& io() { return io_; }
  const std::string& name() const { return options_.name; }

  // Frames still suspended when io_ is destroyed release their slots into a queue that no
  // longer matters: tell them.
  ~Impl() { closing_ = true; }

  void Apply(const FaultState& next) {
    const bool was_refusing = state_.refuse;
    state_ = next;
    if (next.refuse && !was_refusing) {
      ++generation_;
      ErrorCode ec;
      acceptor_.close(ec);
      // Every waiting coroutine (hang, latency, a queue slot) wakes, sees its socket closed and
      // ends, so a crash frees the whole capacity at once.
      for (Conn* c : live_) {
        Abort(c->socket);
        c->timer.cancel();
      }
    } else if (!next.refuse && was_refusing) {
      if (auto s = OpenAcceptor(); s) {
        asio::co_spawn(io_.get_executor(), Accept(generation_), asio::detached);
      } else {
        std::fprintf(stderr, "%s\n", s.error().message.c_str());
      }
    }
    if (!next.hang) {
      for (Conn* c : live_) {
        if (c->hanging) c->timer.cancel();
      }
    }
  }

  void Override(const FaultState& state) {
    overridden_ = true;
    source_ = "test";
    plan_.clear();
    Apply(state);
  }

  // A new plan from now on (the control API, SetFaultPlan); applied at once, then by Schedule.
  void ReplacePlan(std::vector<FaultSpec> plan, std::string source) {
    plan_ = std::move(plan);
    source_ = plan_.empty() ? "none" : std::move(source);
    overridden_ = false;
    start_ = std::chrono::steady_clock::now();
    const FaultState next = FaultStateAt(plan_, core::Duration{0});
    if (!(next == state_)) Apply(next);
  }

 private:
  struct Conn {
    explicit Conn(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    Socket socket;
    Timer timer;
    bool hanging = false;
  };

  // One request's claim on a service slot (max_concurrency). Released when it goes out of scope,
  // including on every early co_return of ServeLoop; a released slot passes straight to the oldest
  // waiter, so the number in service never exceeds the limit and the queue is FIFO.
  class Slot {
   public:
    Slot(Impl& impl, Conn& conn) : impl_(impl), conn_(conn) {}
    ~Slot() { impl_.Release(*this); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    friend class Impl;
    Impl& impl_;
    Conn& conn_;
    bool held_ = false;
    bool queued_ = false;
  };

  // Takes a slot, waiting in line when all are taken; false when the connection was aborted while
  // it waited.
  Task<bool> Acquire(Slot& slot) {
    if (options_.max_concurrency == 0 || in_service_ < options_.max_concurrency) {
      ++in_service_;
      slot.held_ = true;
      Publish();
      co_return true;
    }
    slot.queued_ = true;
    waiting_.push_back(&slot);
    Publish();
    slot.conn_.timer.expires_at(Timer::time_point::max());
    ErrorCode ec;
    co_await slot.conn_.timer.async_wait(Catch(ec));
    if (slot.queued_) {  // woken without a slot: the connection was aborted
      std::erase(waiting_, &slot);
      slot.queued_ = false;
      Publish();
      co_return false;
    }
    co_return slot.conn_.socket.is_open();
  }

  void Release(Slot& slot) {
    if (closing_) return;
    if (slot.queued_) {
      std::erase(waiting_, &slot);
      slot.queued_ = false;
    }
    if (!slot.held_) return;
    slot.held_ = false;
    if (!waiting_.empty()) {
      Slot* next = waiting_.front();
      waiting_.pop_front();
      next->queued_ = false;
      next->held_ = true;
      next->conn_.timer.cancel();
    } else {
      --in_service_;
    }
    Publish();
  }

  void Publish() {
    owner_.in_service_.store(in_service_, std::memory_order_relaxed);
    owner_.queued_.store(waiting_.size(), std::memory_order_relaxed);
  }

  static void Abort(Socket& s) {
    ErrorCode ec;
    s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
  }

  core::Result<void> OpenAcceptor() {
    ErrorCode ec;
    acceptor_ = Acceptor(io_.get_executor());
    acceptor_.open(endpoint_.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint_, ec);
    if (!ec) acceptor_.listen(4096, ec);
    if (ec)
      return core::Fail("upstream: cannot listen on " + options_.host + ":" +
                        std::to_string(endpoint_.port()) + ": " + ec.message());
    return {};
  }

  Task<void> Schedule() {
    for (;;) {
      if (!overridden_) {
        const FaultState next = FaultStateAt(plan_, std::chrono::steady_clock::now() - start_);
        if (!(next == state_)) Apply(next);
      }
      schedule_timer_.expires_after(std::chrono::milliseconds(20));
      ErrorCode ec;
      co_await schedule_timer_.async_wait(Catch(ec));
      if (ec) co_return;
    }
  }

  Task<void> Accept(uint64_t generation) {
    for (;;) {
      ErrorCode ec;
      Socket socket(io_.get_executor());
      co_await acceptor_.async_accept(socket, Catch(ec));
      if (generation != generation_) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        continue;
      }
      socket.set_option(Tcp::no_delay(true), ec);
      owner_.connections_.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(io_.get_executor(), Serve(std::make_shared<Conn>(std::move(socket))),
                     asio::detached);
    }
  }

  core::Duration Delay() {
    double base = core::ToSeconds(options_.latency);
    if (options_.jitter.count() > 0) base += core::ToSeconds(options_.jitter) * rng_.UnitDouble();
    return core::FromSeconds(base * state_.slow_factor);
  }

  Task<void> Serve(std::shared_ptr<Conn> conn) {
    live_.insert(conn.get());
    co_await ServeLoop(*conn);
    live_.erase(conn.get());
    ErrorCode ec;
    conn->socket.close(ec);
  }

  // Reads until the buffer holds at least `want` bytes past lo; false on EOF or error.
  Task<bool> Fill(Conn& c, std::vector<char>& buf, size_t& lo, size_t& hi) {
    if (lo > 0 && (hi == lo || buf.size() - hi < 1024)) {
      std::memmove(buf.data(), buf.data() + lo, hi - lo);
      hi -= lo;
      lo = 0;
    }
    if (hi == buf.size()) co_return false;
    ErrorCode ec;
    const size_t n = co_await c.socket.async_read_some(
        asio::buffer(buf.data() + hi, buf.size() - hi), Catch(ec));
    if (ec || n == 0) co_return false;
    hi += n;
    co_return true;
  }

  Task<void> ServeLoop(Conn& c) {
    std::vector<char> buf(kBufferBytes);
    size_t lo = 0, hi = 0;
    std::string out;
    std::string echo;
    for (;;) {
      size_t head_end = std::string_view::npos;
      size_t searched = lo;
      for (;;) {
        std::string_view view(buf.data() + lo, hi - lo);
        const size_t from = searched > lo + 3 ? searched - lo - 3 : 0;
        head_end = view.find("\r\n\r\n", from);
        if (head_end != std::string_view::npos) break;
        const size_t before = lo;
        searched = hi;
        {
          const bool filled = co_await Fill(c, buf, lo, hi);
          if (!filled) co_return;
        }
        searched -= before - lo;
      }
      const size_t head_len = head_end + 4;
      Request req;
      const std::string_view head(buf.data() + lo, head_len);
      if (!ParseHead(head, req)) {
        co_await WriteSimple(c, 400, "bad request\n", true);
        co_return;
      }
      const bool echo_route = req.target == "/echo";
      std::string head_copy;
      if (req.target == "/headers") head_copy.assign(head);
      const std::string target(req.target);
      const bool is_head = req.method == "HEAD";
      lo += head_len;
      echo.clear();
      // Request body.
      if (req.chunked) {
        ChunkedScanner scanner;
        for (;;) {
          const size_t n = scanner.Scan(buf.data() + lo, hi - lo);
          if (echo_route && echo.size() < kMaxEchoBytes) echo.append(buf.data() + lo, n);
          lo += n;
          if (scanner.failed()) {
            co_await WriteSimple(c, 400, "bad chunked body\n", true);
            co_return;
          }
          if (scanner.done()) break;
          {
            const bool filled = co_await Fill(c, buf, lo, hi);
            if (!filled) co_return;
          }
        }
      } else {
        uint64_t left = req.content_length;
        for (;;) {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(left, hi - lo));
          if (echo_route && echo.size() < kMaxEchoBytes) echo.append(buf.data() + lo, n);
          lo += n;
          left -= n;
          if (left == 0) break;
          {
            const bool filled = co_await Fill(c, buf, lo, hi);
            if (!filled) co_return;
          }
        }
      }
      Slot slot(*this, c);
      {
        const bool acquired = co_await Acquire(slot);
        if (!acquired) co_return;
      }
      // Faults.
      if (state_.hang) {
        c.hanging = true;
        c.timer.expires_at(Timer::time_point::max());
        ErrorCode ec;
        co_await c.timer.async_wait(Catch(ec));
        c.hanging = false;
        if (!c.socket.is_open() || state_.hang) co_return;
      }
      const core::Duration delay = Delay();
      if (delay.count() > 0) {
        c.timer.expires_after(delay);
        ErrorCode ec;
        co_await c.timer.async_wait(Catch(ec));
        if (!c.socket.is_open()) co_return;
      }
      owner_.served_.fetch_add(1, std::memory_order_relaxed);
      const bool close = req.close;
      if (state_.error_rate > 0 && rng_.UnitDouble() < state_.error_rate) {
        const bool written =
            co_await WriteSimple(c, state_.error_status, "injected error\n", close);
        if (!written) co_return;
        if (close) co_return;
        continue;
      }
      const bool reset = state_.reset_rate > 0 && rng_.UnitDouble() < state_.reset_rate;
      int status = 200;
      std::string_view body = body_;
      std::string generated;
      bool chunked_echo = false;
      uint64_t stream_bytes = 0;
      if (target == "/healthz") {
        body = "ok\n";
      } else if (echo_route) {
        body = echo;
        chunked_echo = req.chunked;
      } else if (target == "/headers") {
        body = head_copy;
      } else if (target.starts_with("/bytes/")) {
        stream_bytes = std::strtoull(target.c_str() + 7, nullptr, 10);
      } else if (target.starts_with("/status/")) {
        status = std::atoi(target.c_str() + 8);
        if (status < 100 || status > 599) status = 400;
      }
      out.clear();
      out += "HTTP/1.1 ";
      out += std::to_string(status);
      out += ' ';
      out += Reason(status);
      out += "\r\nx-upstream: ";
      out += options_.name;
      if (chunked_echo) {
        out += "\r\ntransfer-encoding: chunked";
      } else {
        out += "\r\ncontent-length: ";
        out += std::to_string(stream_bytes > 0 ? stream_bytes : body.size());
      }
      if (close) out += "\r\nconnection: close";
      out += "\r\n\r\n";
      ErrorCode ec;
      if (reset) {
        const std::string_view half = body.substr(0, body.size() / 2);
        std::array<asio::const_buffer, 2> parts{asio::buffer(out),
                                                asio::buffer(half.data(), half.size())};
        co_await asio::async_write(c.socket, parts, Catch(ec));
        Abort(c.socket);
        co_return;
      }
      if (is_head) {
        co_await asio::async_write(c.socket, asio::buffer(out), Catch(ec));
      } else if (stream_bytes > 0) {
        co_await asio::async_write(c.socket, asio::buffer(out), Catch(ec));
        std::string chunk(std::min<uint64_t>(stream_bytes, 16384), 'b');
        while (!ec && stream_bytes > 0) {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(stream_bytes, chunk.size()));
          co_await asio::async_write(c.socket, asio::buffer(chunk.data(), n), Catch(ec));
          stream_bytes -= n;
        }
      } else {
        std::array<asio::const_buffer, 2> parts{asio::buffer(out),
                                                asio::buffer(body.data(), body.size())};
        co_await asio::async_write(c.socket, parts, Catch(ec));
      }
      if (ec || close) co_return;
    }
  }

  core::Result<void> OpenControl(uint16_t port) {
    const Tcp::endpoint at(asio::ip::address_v4::loopback(), port);
    ErrorCode ec;
    control_acceptor_.open(at.protocol(), ec);
    if (!ec) control_acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) control_acceptor_.bind(at, ec);
    if (!ec) control_acceptor_.listen(64, ec);
    if (ec) {
      return core::Fail("upstream: cannot listen for control on 127.0.0.1:" + std::to_string(port) +
                        ": " + ec.message());
    }
    owner_.control_port_.store(control_acceptor_.local_endpoint().port());
    return {};
  }

  Task<void> ControlAccept() {
    for (;;) {
      ErrorCode ec;
      Socket socket(io_.get_executor());
      co_await control_acceptor_.async_accept(socket, Catch(ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !control_acceptor_.is_open()) co_return;
        continue;
      }
      asio::co_spawn(io_.get_executor(), ControlServe(std::make_shared<Socket>(std::move(socket))),
                     asio::detached);
    }
  }

  // One request per connection (answered with connection: close), read within kControlDeadline.
  Task<void> ControlServe(std::shared_ptr<Socket> socket) {
    Timer deadline(io_.get_executor());
    deadline.expires_after(kControlDeadline);
    deadline.async_wait([socket](const ErrorCode& ec) {
      if (ec) return;
      ErrorCode ignored;
      socket->close(ignored);
    });
    std::string in;
    std::array<char, 4096> chunk;
    size_t head_end = std::string::npos;
    Request req;
    for (;;) {
      if (head_end == std::string::npos) {
        head_end = in.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          if (!ParseHead(std::string_view(in).substr(0, head_end + 4), req) || req.chunked ||
              req.content_length > kMaxControlBytes) {
            co_await WriteControl(*socket, 400, ControlErrorJson("bad or too large request"));
            co_return;
          }
        }
      }
      if (head_end != std::string::npos && in.size() >= head_end + 4 + req.content_length) break;
      if (in.size() > kMaxControlBytes) {
        co_await WriteControl(*socket, 413, ControlErrorJson("request too large"));
        co_return;
      }
      ErrorCode ec;
      const size_t n = co_await socket->async_read_some(asio::buffer(chunk), Catch(ec));
      if (ec || n == 0) co_return;
      in.append(chunk.data(), n);
    }
    std::string_view path = req.target;
    path = path.substr(0, path.find('?'));
    const std::string_view body =
        std::string_view(in).substr(head_end + 4, static_cast<size_t>(req.content_length));
    auto parsed = ParseControlRequest(req.method, path, body);
    if (const auto* rejection = std::get_if<ControlRejection>(&parsed)) {
      co_await WriteControl(*socket, rejection->status, ControlErrorJson(rejection->message));
      co_return;
    }
    ControlAction& action = std::get<ControlAction>(parsed);
    switch (action.kind) {
      case ControlAction::Kind::kHealth:
        co_await WriteControl(*socket, 200, "ok\n", "text/plain");
        co_return;
      case ControlAction::Kind::kReplace:
        ReplacePlan(std::move(action.plan), "api");
        break;
      case ControlAction::Kind::kClear:
        ReplacePlan({}, "api");
        break;
      case ControlAction::Kind::kStatus:
        break;
    }
    co_await WriteControl(*socket, 200, UpstreamStatusJson(Status()));
  }

  UpstreamStatus Status() const {
    return UpstreamStatus{
        .name = options_.name,
        .source = source_,
        .plan = plan_,
        .plan_elapsed_s = core::ToSeconds(std::chrono::steady_clock::now() - start_),
        .state = state_,
        .served = owner_.served_.load(std::memory_order_relaxed),
        .in_service = in_service_,
        .queued = waiting_.size(),
        .max_concurrency = options_.max_concurrency};
  }

  Task<void> WriteControl(Socket& socket, int status, std::string body,
                          std::string_view type = "application/json") {
    std::string out = "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += Reason(status);
    out += "\r\ncontent-type: ";
    out += type;
    out += "\r\ncontent-length: ";
    out += std::to_string(body.size());
    out += "\r\nconnection: close\r\n\r\n";
    out += body;
    ErrorCode ec;
    co_await asio::async_write(socket, asio::buffer(out), Catch(ec));
    socket.shutdown(Tcp::socket::shutdown_send, ec);
  }

  Task<bool> WriteSimple(Conn& c, int status, std::string_view body, bool close) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
                      "\r\nx-upstream: " + options_.name +
                      "\r\ncontent-length: " + std::to_string(body.size()) +
                      (close ? "\r\nconnection: close" : "") + "\r\n\r\n" + std::string(body);
    ErrorCode ec;
    co_await asio::async_write(c.socket, asio::buffer(out), Catch(ec));
    co_return !ec;
  }

  UpstreamServer& owner_;
  UpstreamOptions options_;
  // Before io_: coroutine frames destroyed with io_ release their slots into these.
  std::deque<Slot*> waiting_;
  size_t in_service_ = 0;
  bool closing_ = false;
  asio::io_context io_;
  // Keeps run() going while crashed (no listener, no connection): SetFault must still arrive.
  asio::executor_work_guard<Executor> work_;
  Acceptor acceptor_;
  Acceptor control_acceptor_;
  Timer schedule_timer_;
  Tcp::endpoint endpoint_;
  core::Xoshiro256 rng_;
  std::string body_;
  FaultState state_;
  std::vector<FaultSpec> plan_;  // relative to start_
  std::string source_;           // where plan_ (or the override) came from, for GET /faults
  bool overridden_ = false;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::unordered_set<Conn*> live_;
};

UpstreamServer::UpstreamServer(UpstreamOptions options)
    : impl_(std::make_unique<Impl>(*this, std::move(options))) {}

UpstreamServer::~UpstreamServer() { Stop(); }

const std::string& UpstreamServer::name() const { return impl_->name(); }

core::Result<void> UpstreamServer::Start() {
  if (auto s = impl_->Bind(); !s) return s;
  thread_ = std::thread([this] { impl_->RunLoop(); });
  return {};
}

core::Result<void> UpstreamServer::Run(const std::atomic<bool>* stop_flag) {
  if (auto s = impl_->Bind(); !s) return s;
  std::thread watcher;
  if (stop_flag != nullptr) {
    watcher = std::thread([this, stop_flag] {
      while (!stop_flag->load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      impl_->StopLoop();
    });
  }
  impl_->RunLoop();
  if (watcher.joinable()) watcher.join();
  return {};
}

void UpstreamServer::Stop() {
  if (thread_.joinable()) {
    impl_->StopLoop();
    thread_.join();
  }
}

void UpstreamServer::SetFault(const FaultState& state) {
  asio::post(impl_->io(), [this, state] { impl_->Override(state); });
}

void UpstreamServer::SetFaultPlan(std::vector<FaultSpec> plan) {
  asio::post(impl_->io(), [this, plan = std::move(plan)]() mutable {
    impl_->ReplacePlan(std::move(plan), "api");
  });
}

}  // namespace huddle::proxy
