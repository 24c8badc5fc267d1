#include "proxy/upstream_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "proxy/upstream_control.h"
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

// Polls every 5 ms until a fresh connection to `port` reaches `want_connected` (deadline 10 s),
// for waits that end at a scheduled fault's edge.
bool WaitConnectableFor(uint16_t port, bool want_connected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    HttpConnection c(port, 200);
    if (c.connected() == want_connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
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
  // The slot is released just after the response is written: wait for it (deadline 10 s).
  for (int i = 0; i < 2000 && u.in_service() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
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

HttpResponse Request(uint16_t port, const std::string& method, const std::string& path,
                     const std::string& body = "") {
  HttpConnection c(port);
  c.Send(method + " " + path + " HTTP/1.1\r\nhost: test\r\ncontent-length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body);
  return c.Read();
}

nlohmann::json Faults(uint16_t control_port) {
  return nlohmann::json::parse(Get(control_port, "/faults").body);
}

TEST(UpstreamServerTest, ControlApiInjectsAndClearsFaults) {
  UpstreamServer u(UpstreamOptions{.name = "c", .control_port = 0});
  ASSERT_TRUE(u.Start());
  const uint16_t control = u.control_port();
  ASSERT_NE(control, 0);
  ASSERT_NE(control, u.port());
  nlohmann::json status = Faults(control);
  EXPECT_EQ(status["name"], "c");
  EXPECT_EQ(status["source"], "none");
  EXPECT_EQ(status["faults"].size(), 0u);

  // An error fault: every answer is a 503 from the next request on.
  HttpResponse r = Post(control, "/faults", R"({"faults": ["error:rate=1,status=503"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  status = nlohmann::json::parse(r.body);
  EXPECT_EQ(status["source"], "api");
  EXPECT_EQ(status["faults"][0], "error:rate=1,status=503");
  EXPECT_EQ(status["state"]["error_rate"], 1.0);
  EXPECT_EQ(Get(u.port()).status, 503);

  // A crash replaces it: the serving port refuses, the control port still answers.
  ASSERT_EQ(Post(control, "/faults", R"({"faults": ["crash"]})").status, 200);
  EXPECT_TRUE(WaitConnectable(u.port(), false));
  status = Faults(control);
  EXPECT_EQ(status["state"]["crash"], true);
  EXPECT_EQ(status["state"]["error_rate"], 0.0);

  // DELETE clears every fault: the port is back and answers 200.
  ASSERT_EQ(Request(control, "DELETE", "/faults").status, 200);
  EXPECT_TRUE(WaitConnectable(u.port(), true));
  EXPECT_EQ(Get(u.port()).status, 200);
  EXPECT_EQ(Faults(control)["source"], "none");
}

TEST(UpstreamServerTest, ControlApiSlowFaultAndTimedCrash) {
  UpstreamServer u(UpstreamOptions{.latency = std::chrono::milliseconds(20), .control_port = 0});
  ASSERT_TRUE(u.Start());
  ASSERT_EQ(Post(u.control_port(), "/faults", R"({"faults": ["slow:factor=10"]})").status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(u.port()).status, 200);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 199.0);  // 20 ms x 10
  // A crash for 300 ms counted from the request: refused, then back by itself.
  ASSERT_EQ(Post(u.control_port(), "/faults", R"({"faults": ["crash:for=300ms"]})").status, 200);
  const auto crashed = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitConnectable(u.port(), false));
  EXPECT_TRUE(WaitConnectableFor(u.port(), true));
  EXPECT_GE(std::chrono::steady_clock::now() - crashed, std::chrono::milliseconds(250));
  EXPECT_EQ(Get(u.port()).status, 200);
  EXPECT_EQ(Faults(u.control_port())["state"]["crash"], false);
}

TEST(UpstreamServerTest, ControlApiRejectsBadRequestsAndKeepsTheFaults) {
  UpstreamServer u(
      UpstreamOptions{.faults = {*ParseFaultSpec("error:rate=1,status=502")}, .control_port = 0});
  ASSERT_TRUE(u.Start());
  const uint16_t control = u.control_port();
  EXPECT_EQ(Faults(control)["source"], "script");
  EXPECT_EQ(Post(control, "/faults", "not json").status, 400);
  EXPECT_EQ(Post(control, "/faults", R"({"faults": ["explode"]})").status, 400);
  EXPECT_EQ(Post(control, "/faults", R"({"faults": "crash"})").status, 400);
  EXPECT_EQ(Post(control, "/faults", R"({"fault": ["crash"]})").status, 400);
  EXPECT_EQ(Request(control, "PUT", "/faults", "{}").status, 405);
  EXPECT_EQ(Get(control, "/elsewhere").status, 404);
  EXPECT_EQ(Get(control, "/healthz").body, "ok\n");
  const nlohmann::json status = Faults(control);
  EXPECT_EQ(status["source"], "script");
  EXPECT_EQ(status["faults"][0], "error:rate=1,status=502");
  EXPECT_EQ(Get(u.port()).status, 502);
}

TEST(UpstreamControlTest, ParsesRequests) {
  auto a = ParseControlRequest("POST", "/faults", R"({"faults": ["slow:factor=3", "hang:at=1s"]})");
  ASSERT_TRUE(std::holds_alternative<ControlAction>(a));
  const ControlAction& action = std::get<ControlAction>(a);
  EXPECT_EQ(action.kind, ControlAction::Kind::kReplace);
  ASSERT_EQ(action.plan.size(), 2u);
  EXPECT_EQ(action.plan[0].factor, 3.0);
  EXPECT_EQ(action.plan[1].kind, FaultKind::kHang);
  EXPECT_EQ(std::get<ControlAction>(ParseControlRequest("DELETE", "/faults", "")).kind,
            ControlAction::Kind::kClear);
  EXPECT_EQ(std::get<ControlAction>(ParseControlRequest("GET", "/faults", "")).kind,
            ControlAction::Kind::kStatus);
  auto bad = ParseControlRequest("POST", "/faults", R"({"faults": ["slow:rate=2"]})");
  ASSERT_TRUE(std::holds_alternative<ControlRejection>(bad));
  EXPECT_EQ(std::get<ControlRejection>(bad).status, 400);
  EXPECT_EQ(std::get<ControlRejection>(ParseControlRequest("PATCH", "/faults", "")).status, 405);
}

}  // namespace
}  // namespace huddle::proxy::testing
