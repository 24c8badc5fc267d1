#include "recording_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace huddle::conformance {
namespace {

constexpr int kPollMs = 20;
constexpr auto kPause = std::chrono::milliseconds(100);

bool SendAll(int fd, std::string_view data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

void ResetAndClose(int fd) {
  linger l{1, 0};  // close with RST
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

}  // namespace

std::vector<ScriptStep> ParseScript(const std::string& script) {
  std::vector<ScriptStep> steps;
  size_t pos = 0;
  while (pos < script.size()) {
    const size_t mark = script.find("<<", pos);
    const size_t end = mark == std::string::npos ? mark : script.find(">>", mark);
    if (mark == std::string::npos || end == std::string::npos) {
      steps.push_back({ScriptStep::Kind::kSend, script.substr(pos)});
      break;
    }
    const std::string word = script.substr(mark + 2, end - mark - 2);
    ScriptStep::Kind kind;
    if (word == "pause") {
      kind = ScriptStep::Kind::kPause;
    } else if (word == "close") {
      kind = ScriptStep::Kind::kClose;
    } else if (word == "reset") {
      kind = ScriptStep::Kind::kReset;
    } else {  // not a marker: literal bytes
      steps.push_back({ScriptStep::Kind::kSend, script.substr(pos, end + 2 - pos)});
      pos = end + 2;
      continue;
    }
    if (mark > pos) steps.push_back({ScriptStep::Kind::kSend, script.substr(pos, mark - pos)});
    steps.push_back({kind, ""});
    pos = end + 2;
  }
  return steps;
}

RecordingUpstream::~RecordingUpstream() { Stop(); }

bool RecordingUpstream::Start(uint16_t port, std::string& error) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    error = std::string("recording upstream: ") + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void RecordingUpstream::Stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  CloseAll();
}

void RecordingUpstream::CloseAll() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard lock(mu_);
    closing.swap(connections_);
  }
  for (auto& c : closing) c->stop = true;
  for (auto& c : closing) c->thread.join();
}

void RecordingUpstream::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard lock(mu_);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->id = next_connection_++;
    Connection* raw = c.get();
    c->thread = std::thread([this, raw] { Serve(*raw); });
    connections_.push_back(std::move(c));
  }
}

void RecordingUpstream::Serve(Connection& c) {
  std::string buffer;
  bool eof = false;
  bool open = true;
  while (open && !c.stop) {
    // Answer every complete request in the buffer, in order.
    for (;;) {
      const WireParse p = ParseRequest(buffer, eof);
      if (p.state == WireParse::State::kNeedMore) break;
      if (p.state == WireParse::State::kError &&
          (buffer.empty() || p.error == "incomplete message")) {
        if (!buffer.empty()) {
          std::lock_guard lock(mu_);
          leftovers_.push_back(buffer);
        }
        buffer.clear();
        open = false;
        break;
      }
      RecordedRequest r;
      r.connection = c.id;
      if (p.state == WireParse::State::kComplete) {
        r.message = p.message;
        r.raw = buffer.substr(0, p.consumed);
        buffer.erase(0, p.consumed);
      } else {
        r.problem = p.error;
        r.raw = buffer;
        buffer.clear();
      }
      {
        std::lock_guard lock(mu_);
        r.index = log_.size() + 1;
        log_.push_back(r);
      }
      if (!Answer(c, r) || !r.problem.empty()) {
        open = false;
        break;
      }
    }
    if (!open || eof) break;
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::recv(c.fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof = true;
      continue;
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  {
    std::lock_guard lock(mu_);
    if (script_connection_ == c.id) script_connection_closed_ = true;
  }
  script_cv_.notify_all();
}

bool RecordingUpstream::Answer(Connection& c, const RecordedRequest& r) {
  if (!r.problem.empty()) {
    SendAll(c.fd, "HTTP/1.1 400 Bad Request\r\nx-upstream-index: bad-" + std::to_string(r.index) +
                      "\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    return false;
  }
  std::vector<ScriptStep> steps;
  {
    std::lock_guard lock(mu_);
    if (script_armed_ && r.message.target.rfind(script_prefix_, 0) == 0) {
      script_armed_ = false;
      script_connection_ = c.id;
      steps.swap(script_);
    }
  }
  if (steps.empty()) {
    const std::string body = "resp-" + std::to_string(r.index);
    std::string out = "HTTP/1.1 200 OK\r\nx-upstream-index: " + std::to_string(r.index) +
                      "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n";
    if (r.message.method != "HEAD") out += body;
    return SendAll(c.fd, out);
  }
  bool open = true;
  for (const ScriptStep& s : steps) {
    if (!open) break;
    switch (s.kind) {
      case ScriptStep::Kind::kSend:
        open = SendAll(c.fd, s.bytes);
        break;
      case ScriptStep::Kind::kPause:
        std::this_thread::sleep_for(kPause);
        break;
      case ScriptStep::Kind::kClose:
        ::shutdown(c.fd, SHUT_WR);
        open = false;
        break;
      case ScriptStep::Kind::kReset:
        ResetAndClose(c.fd);
        c.fd = -1;
        open = false;
        break;
    }
  }
  {
    std::lock_guard lock(mu_);
    script_done_ = true;
  }
  script_cv_.notify_all();
  return open;
}

void RecordingUpstream::SetScript(std::string target_prefix, std::vector<ScriptStep> steps) {
  std::lock_guard lock(mu_);
  script_prefix_ = std::move(target_prefix);
  script_ = std::move(steps);
  script_armed_ = true;
  script_done_ = false;
  script_connection_ = 0;
  script_connection_closed_ = false;
}

bool RecordingUpstream::WaitScriptDone(int timeout_ms) {
  std::unique_lock lock(mu_);
  return script_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [this] { return script_done_; });
}

bool RecordingUpstream::WaitScriptConnectionClosed(int timeout_ms) {
  std::unique_lock lock(mu_);
  return script_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [this] { return script_connection_closed_; });
}

size_t RecordingUpstream::RequestCount() const {
  std::lock_guard lock(mu_);
  return log_.size();
}

std::vector<RecordedRequest> RecordingUpstream::RequestsFrom(size_t first) const {
  std::lock_guard lock(mu_);
  if (first >= log_.size()) return {};
  return {log_.begin() + static_cast<std::ptrdiff_t>(first), log_.end()};
}

std::optional<RecordedRequest> RecordingUpstream::ByIndex(uint64_t index) const {
  std::lock_guard lock(mu_);
  if (index == 0 || index > log_.size()) return std::nullopt;
  return log_[index - 1];
}

std::vector<std::string> RecordingUpstream::Leftovers() const {
  std::lock_guard lock(mu_);
  return leftovers_;
}

}  // namespace huddle::conformance
