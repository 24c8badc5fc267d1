#pragma once

// A scripted upstream for the hostile-traffic tests: a plain TCP server on loopback that records
// exactly the bytes each connection sent, splits them into requests with a minimal strict parser
// of its own (Content-Length or chunked bodies), and answers each request with the bytes a
// script returns. Blocking sockets on its own threads; each connection is served in order.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_http.h"

namespace huddle::proxy::testing {

struct RawRequest {
  std::string head;  // request line and fields, CRLF CRLF included
  std::string body;  // decoded payload
  size_t connection = 0;

  // The value of a field (first match, case-insensitive name), or "" when absent.
  std::string Field(const std::string& name) const {
    size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      const size_t eol = head.find("\r\n", pos);
      if (eol == std::string::npos || eol == pos) break;
      const std::string line = head.substr(pos, eol - pos);
      pos = eol + 2;
      const size_t colon = line.find(':');
      if (colon == std::string::npos || colon != name.size()) continue;
      if (strncasecmp(line.c_str(), name.c_str(), name.size()) != 0) continue;
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      return line.substr(v);
    }
    return "";
  }
  // `name` in lower case.
  bool HasField(const std::string& name) const {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    return lower.find("\r\n" + name + ":") != std::string::npos;
  }
  std::string RequestLine() const { return head.substr(0, head.find("\r\n")); }
};

class RawUpstream {
 public:
  // Returns the bytes to answer request `index` (0-based, over all connections) with. After a
  // response, `after` (when set) is sent on the same connection once the script returned it.
  struct Answer {
    std::string bytes;
    std::string after;  // sent after the response, once `after_delay_ms` passed
    int after_delay_ms = 0;
    bool close = false;  // close the connection after the answer
  };
  using Script = std::function<Answer(size_t index, const RawRequest& request)>;

  explicit RawUpstream(Script script) : script_(std::move(script)) {
    listen_fd_ = ListenOnLoopback(port_);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~RawUpstream() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : threads_) t.join();  // each exits on the shutdown and closes its fd
  }

  uint16_t port() const { return port_; }

  std::vector<RawRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  // Every byte received, per connection, in arrival order.
  std::vector<std::string> received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  size_t connections() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_.size();
  }
  // Waits until `after` bytes were sent `count` times (or 5 s passed).
  bool WaitAfterSent(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return after_sent_ >= count; });
  }
  bool WaitRequests(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5),
                             [&] { return requests_.size() >= count; });
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mutex_);
      const size_t id = received_.size();
      received_.emplace_back();
      fds_.push_back(fd);
      threads_.emplace_back([this, fd, id] { Serve(fd, id); });
    }
  }

  // Parses one request from the front of `buffer`; false when incomplete (or unparseable).
  static bool TakeRequest(std::string& buffer, RawRequest& out) {
    const size_t end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    out.head = buffer.substr(0, end + 4);
    out.body.clear();
    std::string lower = out.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    size_t pos = end + 4;
    if (lower.find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos) {
      for (;;) {
        const size_t eol = buffer.find("\r\n", pos);
        if (eol == std::string::npos) return false;
        const uint64_t size = std::strtoull(buffer.c_str() + pos, nullptr, 16);
        pos = eol + 2;
        if (size == 0) {
          const size_t trailer_end = buffer.find("\r\n", pos);
          if (trailer_end == std::string::npos) return false;
          // trailers: skip lines until an empty one
          size_t p = pos;
          for (;;) {
            const size_t e = buffer.find("\r\n", p);
            if (e == std::string::npos) return false;
            if (e == p) {
              pos = e + 2;
              break;
            }
            p = e + 2;
          }
          break;
        }
        if (buffer.size() < pos + size + 2) return false;
        out.body += buffer.substr(pos, size);
        pos += size + 2;
      }
    } else if (const size_t cl = lower.find("\r\ncontent-length: "); cl != std::string::npos) {
      const uint64_t length = std::strtoull(lower.c_str() + cl + 18, nullptr, 10);
      if (buffer.size() < pos + length) return false;
      out.body = buffer.substr(pos, length);
      pos += length;
    }
    buffer.erase(0, pos);
    return true;
  }

  void SendAll(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  void Serve(int fd, size_t id) {
    std::string buffer;
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_[id].append(chunk, static_cast<size_t>(n));
      }
      RawRequest request;
      bool close = false;
      while (!close && TakeRequest(buffer, request)) {
        request.connection = id;
        size_t index;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          index = requests_.size();
          requests_.push_back(request);
        }
        changed_.notify_all();
        const Answer answer = script_(index, request);
        SendAll(fd, answer.bytes);
        if (!answer.after.empty()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(answer.after_delay_ms));
          SendAll(fd, answer.after);
          {
            std::lock_guard<std::mutex> lock(mutex_);
            ++after_sent_;
          }
          changed_.notify_all();
        }
        close = answer.close;
      }
      if (close) break;
    }
    ::close(fd);
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> threads_;
  std::vector<int> fds_;
  std::vector<std::string> received_;
  std::vector<RawRequest> requests_;
  size_t after_sent_ = 0;
};

// "HTTP/1.1 200 OK" with a Content-Length body.
inline std::string OkResponse(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) + "\r\n" + extra +
         "\r\n" + body;
}

}  // namespace huddle::proxy::testing
