// WebSocket-style upgrade: the proxy forwards Upgrade/Connection, relays the 101 and then
// tunnels bytes both ways.
#include <gtest/gtest.h>

#include <thread>

#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "test_http.h"

namespace huddle::proxy::testing {
namespace {

// A one-connection backend that answers 101 and then echoes whatever it reads, upper-cased.
class UpgradeBackend {
 public:
  UpgradeBackend() {
    fd_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }
  ~UpgradeBackend() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::string request_head() const { return head_; }

 private:
  void Serve() {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    while (head_.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      head_.append(buf, static_cast<size_t>(n));
    }
    const std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    for (;;) {
      const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) buf[i] = static_cast<char>(std::toupper(buf[i]));
      ::send(c, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
    }
    ::close(c);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::string head_;
  std::thread thread_;
};

TEST(ProxyUpgradeTest, TunnelsAfter101) {
  UpgradeBackend backend;
  const std::string yaml =
      "threads: 1\nadmin: { enabled: false }\nlisteners:\n"
      "  - { name: web, address: 127.0.0.1:0, cluster: app }\n"
      "clusters:\n  - name: app\n    policy: round_robin\n    health_check: off\n"
      "    backends:\n      - { name: ws, address: 127.0.0.1:" +
      std::to_string(backend.port()) + " }\n";
  auto config = ParseConfig(yaml, "ws.yaml");
  ASSERT_TRUE(config) << config.error().message;
  ProxyServer server(*config);
  ASSERT_TRUE(server.Start());
  HttpConnection c(server.listener_port(0));
  c.Send(
      "GET /chat HTTP/1.1\r\nhost: t\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
      "sec-websocket-key: abc\r\nsec-websocket-version: 13\r\n\r\n");
  HttpResponse r = c.Read();
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.Header("upgrade"), "websocket");
  c.Send("hello tunnel");
  std::string echoed;
  char buf[64];
  // The tunnel is byte-exact: read until the 12 upper-cased bytes arrived (5 s receive timeout).
  while (echoed.size() < 12) {
    const ssize_t n = ::recv(c.fd(), buf, sizeof(buf), 0);
    if (n <= 0) break;
    echoed.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(echoed, "HELLO TUNNEL");
  EXPECT_NE(backend.request_head().find("upgrade: websocket"), std::string::npos)
      << backend.request_head();
}

}  // namespace
}  // namespace huddle::proxy::testing
