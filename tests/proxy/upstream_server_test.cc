#include "proxy/upstream_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "test_http.h"

namespace huddle::proxy::testing {
namespace {

// Waits (deadline: 2000 tries) until a fresh connection to `port` reaches `want_connected`.
bool WaitConnectable(uint16_t port, bool want_connected) {
  for (int i = 0; i < 2000; ++i) {
    HttpConnection c(port, 200);
    if (c.connected() == want_connected) return true;
  }
  return false;
}

TEST(UpstreamServerTest, ServesRoutes) {
  UpstreamServer u(UpstreamOptions{.name = "a", .body_bytes = 10});
  ASSERT_TRUE(u.Start());
  HttpResponse r = Get(u.port());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 10u);
  EXPECT_EQ(r.Header("x-upstream"), "a");
  EXPECT_EQ(Get(u.port(), "/status/503").status, 503);
  EXPECT_EQ(Get(u.port(), "/healthz").body, "ok\n");
  EXPECT_EQ(Post(u.port(), "/echo", "hello").body, "hello");
  EXPECT_EQ(u.served(), 4u);
}

TEST(UpstreamServerTest, CrashRefusesThenRecovers) {
  UpstreamServer u(UpstreamOptions{});
  ASSERT_TRUE(u.Start());
  u.SetFault(FaultState{.refuse = true});
  EXPECT_TRUE(WaitConnectable(u.port(), false));
  u.SetFault(FaultState{});
  EXPECT_TRUE(WaitConnectable(u.port(), true));
  EXPECT_EQ(Get(u.port()).status, 200);
}

TEST(UpstreamServerTest, ErrorFaultAnswers500) {
  UpstreamServer u(UpstreamOptions{});
  ASSERT_TRUE(u.Start());
  u.SetFault(FaultState{.error_rate = 1.0, .error_status = 500});
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) status = Get(u.port()).status;
  EXPECT_EQ(status, 500);
}

// Sends one GET on each of `clients` connections at once and returns each response's completion
// time in ms since the sends, sorted; -1 for a request without a 200.
std::vector<double> ConcurrentCompletionsMs(uint16_t port, int clients) {
  std::vector<std::unique_ptr<HttpConnection>> conns;
  for (int i = 0; i < clients; ++i) conns.push_back(std::make_unique<HttpConnection>(port, 10000));
  std::vector<double> done(clients, -1);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& c : conns) c->Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n");
  std::vector<std::thread> readers;
  for (int i = 0; i < clients; ++i) {
    readers.emplace_back([&, i] {
      if (conns[i]->Read().status != 200) return;
      done[i] =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    });
  }
  for (auto& t : readers) t.join();
  std::sort(done.begin(), done.end());
  return done;
}

TEST(UpstreamServerTest, MaxConcurrencyQueuesRequests) {
  // One slot, 50 ms each: four requests sent together are served one after another, so the k-th
  // completion comes no earlier than k x 50 ms (timers never fire early); the last after ~200 ms.
  UpstreamServer u(UpstreamOptions{.latency = std::chrono::milliseconds(50), .max_concurrency = 1});
  ASSERT_TRUE(u.Start());
  const std::vector<double> ms = ConcurrentCompletionsMs(u.port(), 4);
  ASSERT_EQ(ms.size(), 4u);
  for (size_t k = 0; k < ms.size(); ++k) {
    EXPECT_GE(ms[k], 50.0 * static_cast<double>(k + 1) - 1.0) << "completion " << k;
  }
  EXPECT_LT(ms[3], 3000.0);
  EXPECT_EQ(u.served(), 4u);
  EXPECT_EQ(u.in_service(), 0u);
  EXPECT_EQ(u.queued(), 0u);
}

TEST(UpstreamServerTest, MaxConcurrencyTwoServesInPairs) {
  // Two slots, 50 ms each, four requests: two finish after ~50 ms, two after ~100 ms.
  UpstreamServer u(UpstreamOptions{.latency = std::chrono::milliseconds(50), .max_concurrency = 2});
  ASSERT_TRUE(u.Start());
  const std::vector<double> ms = ConcurrentCompletionsMs(u.port(), 4);
  EXPECT_GE(ms[0], 49.0);
  EXPECT_GE(ms[2], 99.0);
  EXPECT_GE(ms[3], 99.0);
  EXPECT_LT(ms[3], 3000.0);
}

TEST(UpstreamServerTest, UnlimitedServesConcurrently) {
  // Without a limit the four 200 ms requests overlap: all done well before 4 x 200 ms (a
  // serial server would need 800 ms; 500 ms of slack for a loaded machine).
  UpstreamServer u(UpstreamOptions{.latency = std::chrono::milliseconds(200)});
  ASSERT_TRUE(u.Start());
  const std::vector<double> ms = ConcurrentCompletionsMs(u.port(), 4);
  EXPECT_GE(ms[0], 199.0);
  EXPECT_LT(ms[3], 700.0);
}

TEST(UpstreamServerTest, CrashFreesQueuedRequests) {
  // One slot held by a hanging request, three queued behind it: a crash aborts them all, and
  // after recovery the server serves again with its whole capacity.
  UpstreamServer u(UpstreamOptions{.max_concurrency = 1});
  ASSERT_TRUE(u.Start());
  u.SetFault(FaultState{.hang = true});
  std::vector<std::unique_ptr<HttpConnection>> conns;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<HttpConnection>(u.port(), 10000));
    conns.back()->Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n");
  }
  for (int i = 0; i < 2000 && u.queued() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(u.in_service(), 1u);
  EXPECT_EQ(u.queued(), 3u);
  u.SetFault(FaultState{.refuse = true});
  for (auto& c : conns) EXPECT_EQ(c->Read().status, 0);
  for (int i = 0; i < 2000 && (u.in_service() > 0 || u.queued() > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(u.in_service(), 0u);
  EXPECT_EQ(u.queued(), 0u);
  u.SetFault(FaultState{});
  EXPECT_TRUE(WaitConnectable(u.port(), true));
  EXPECT_EQ(Get(u.port()).status, 200);
}

}  // namespace
}  // namespace huddle::proxy::testing
