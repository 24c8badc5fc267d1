#include "proxy/upstream_server.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace huddle::proxy::testing
