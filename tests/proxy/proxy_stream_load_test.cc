// A 1 GiB request body and a 1 GiB response stream through the proxy while its memory stays
// small (issue 12, finding 3): bodies are relayed, never held. Generates load: RUN_SERIAL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "test_http.h"

namespace huddle::proxy::testing {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

// Resident set size of this process (the proxy runs in it), in bytes.
uint64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      uint64_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return 0;
}

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k <= 0) return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

// Reads the request head and exactly `expect` body bytes, then answers with a `respond`-byte
// body: both streamed in 64 KiB blocks, never held.
class StreamingUpstream {
 public:
  StreamingUpstream(uint64_t expect, uint64_t respond) : expect_(expect), respond_(respond) {
    listen_fd_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }
  ~StreamingUpstream() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  uint64_t body_received() const { return body_received_; }

 private:
  void Serve() {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::string head;
    std::vector<char> block(1 << 16);
    uint64_t body = 0;
    while (body < expect_) {
      const ssize_t n = ::recv(fd, block.data(), block.size(), 0);
      if (n <= 0) break;
      size_t from = 0;
      if (head.find("\r\n\r\n") == std::string::npos) {
        head.append(block.data(), static_cast<size_t>(n));
        const size_t end = head.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        body += head.size() - (end + 4);
        from = static_cast<size_t>(n);
      }
      body += static_cast<size_t>(n) - from;
    }
    body_received_ = body;
    const std::string response_head =
        "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(respond_) + "\r\n\r\n";
    std::fill(block.begin(), block.end(), 'r');
    bool ok = SendAll(fd, response_head.data(), response_head.size());
    for (uint64_t sent = 0; ok && sent < respond_; sent += block.size()) {
      ok = SendAll(fd, block.data(), std::min<uint64_t>(block.size(), respond_ - sent));
    }
    ::close(fd);
  }

  uint64_t expect_;
  uint64_t respond_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<uint64_t> body_received_{0};
  std::thread thread_;
};

TEST(ProxyStreamLoadTest, OneGibibyteEachWayWithSmallMemory) {
  StreamingUpstream upstream(kGiB, kGiB);
  const std::string yaml =
      "threads: 1\nadmin:\n  enabled: false\n"
      "listeners:\n  - name: web\n    address: 127.0.0.1:0\n    cluster: app\n"
      "    max_body_bytes: 0\n"
      "clusters:\n  - name: app\n    health_check: off\n    backends:\n"
      "      - { name: big, address: 127.0.0.1:" +
      std::to_string(upstream.port()) + " }\n    timeouts: { response: 120s, request: 300s }\n";
  auto config = ParseConfig(yaml, "stream.yaml");
  ASSERT_TRUE(config) << config.error().message;
  ProxyServer proxy(*config);
  ASSERT_TRUE(proxy.Start());
  const uint64_t rss_before = ResidentBytes();
  std::atomic<uint64_t> rss_peak{rss_before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      rss_peak = std::max<uint64_t>(rss_peak, ResidentBytes());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  HttpConnection c(proxy.listener_port(0), 120000);
  const std::string head =
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(kGiB) + "\r\n\r\n";
  ASSERT_TRUE(c.Send(head));
  std::vector<char> block(1 << 16, 'q');
  bool sent = true;
  for (uint64_t n = 0; sent && n < kGiB; n += block.size()) {
    sent = SendAll(c.fd(), block.data(), block.size());
  }
  ASSERT_TRUE(sent);
  // Read the response head, then count the body without keeping it.
  std::string got;
  char buf[1 << 16];
  uint64_t body = 0;
  int status = 0;
  for (;;) {
    const ssize_t n = ::recv(c.fd(), buf, sizeof(buf), 0);
    if (n <= 0) break;
    if (status == 0) {
      got.append(buf, static_cast<size_t>(n));
      const size_t end = got.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      status = std::atoi(got.c_str() + 9);
      body += got.size() - (end + 4);
    } else {
      body += static_cast<uint64_t>(n);
    }
    if (body >= kGiB) break;
  }
  done = true;
  sampler.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(upstream.body_received(), kGiB);
  EXPECT_EQ(body, kGiB);
  const uint64_t growth = rss_peak > rss_before ? rss_peak - rss_before : 0;
  std::printf("rss before %.1f MiB, peak %.1f MiB\n", rss_before / 1048576.0, rss_peak / 1048576.0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(rss_peak.load(), uint64_t{64} << 20) << "the proxy held the bodies";
#endif
  EXPECT_LT(growth, uint64_t{64} << 20);
}

}  // namespace
}  // namespace huddle::proxy::testing
