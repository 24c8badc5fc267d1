// The admin listener on a real loopback socket: the one auth rule (Host, Origin, token) and the
// limits (413 and 431 with an answer, not a silent close). Findings 4 and 5 of issue 13.
#include "common/admin_http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

namespace huddle::common {
namespace {

// Sends `request` raw on a fresh connection and returns everything read until the server closes
// (or 10 s pass without a byte: a hang shows up as an empty or cut answer).
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and stop reading early: keep what it said
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

int StatusOf(const std::string& answer) {
  if (answer.size() < 12 || !answer.starts_with("HTTP/1.1 ")) return 0;
  return std::stoi(answer.substr(9, 3));
}

class AdminHttpServerTest : public testing::Test {
 protected:
  void Start(std::string token) {
    server_ = std::make_unique<AdminHttpServer>(
        io_,
        [](const AdminRequest& r) {
          return AdminResponse{200, "text/plain", "handled " + r.method + " " + r.path + "\n"};
        },
        std::move(token));
    auto port = server_->Listen(HostPort{"127.0.0.1", 0});
    ASSERT_TRUE(port.has_value()) << port.error().message;
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) boost::asio::post(io_, [this] { server_->Close(); });
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int Send(const std::string& method, const std::string& path, const std::string& headers,
           const std::string& body = "") {
    return StatusOf(Exchange(port_, method + " " + path + " HTTP/1.1\r\n" + headers +
                                        "Content-Length: " + std::to_string(body.size()) +
                                        "\r\nConnection: close\r\n\r\n" + body));
  }
  std::string Host() const { return "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n"; }

  boost::asio::io_context io_;
  std::unique_ptr<AdminHttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(AdminHttpServerTest, CrossSiteFormPostsAndForeignHostsAreRefused) {
  Start("");  // the loopback listen with `token: none`: Host and Origin are the only guard
  const std::string drain = "/api/v1/clusters/web/backends/b1/drain";
  EXPECT_EQ(Send("POST", drain, Host()), 200);
  // A form on evil.example POSTing here (CSRF): the browser adds its Origin.
  EXPECT_EQ(Send("POST", drain,
                 Host() + "Origin: http://evil.example\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n",
                 "a=1"),
            403);
  // DNS rebinding: evil.example now resolves to 127.0.0.1; the browser sends its own name.
  EXPECT_EQ(Send("GET", "/api/v1/clusters", "Host: evil.example:" + std::to_string(port_) + "\r\n"),
            421);
  EXPECT_EQ(Send("GET", "/", "Host: evil.example\r\n"), 421);
  EXPECT_EQ(Send("GET", "/api/v1/clusters",
                 Host() + "Origin: http://127.0.0.1:" + std::to_string(port_) + "\r\n"),
            200);
  EXPECT_EQ(Send("GET", "/healthz", "Host: localhost:" + std::to_string(port_) + "\r\n"), 200);
}

TEST_F(AdminHttpServerTest, TheTokenGuardsEverythingButTheDashboardFiles) {
  Start("0123456789abcdef0123");
  EXPECT_EQ(Send("GET", "/api/v1/clusters", Host()), 401);
  EXPECT_EQ(
      Send("GET", "/api/v1/clusters", Host() + "Authorization: Bearer 0123456789abcdef012\r\n"),
      401);
  EXPECT_EQ(
      Send("GET", "/api/v1/clusters", Host() + "Authorization: Bearer 0123456789abcdef0123\r\n"),
      200);
  EXPECT_EQ(Send("GET", "/healthz", Host()), 200);
  EXPECT_EQ(Send("GET", "/ui/app.js", Host()), 200);
  EXPECT_EQ(Send("POST", "/", Host()), 401);
}

TEST_F(AdminHttpServerTest, OversizedBodiesAndHeadsAreAnsweredNotDropped) {
  Start("");
  const std::string answer =
      Exchange(port_, "POST /api/v1/config HTTP/1.1\r\n" + Host() +
                          "Content-Length: 100000\r\n\r\n" + std::string(100000, 'x'));
  EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 200);
  EXPECT_NE(answer.find("larger than 65536 bytes"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/clusters", Host() + "X-Big: " + std::string(20000, 'y') + "\r\n"),
            431);
  EXPECT_EQ(Send("POST", "/api/v1/config", Host(), std::string(60000, 'x')), 200);
}

}  // namespace
}  // namespace huddle::common
