// The request path end to end: real sockets on loopback, `huddle upstream` servers behind the
// proxy. Every wait has a deadline (5 s socket timeouts); no sleeps.
#include <gtest/gtest.h>

#include <set>

#include "proxy_fixture.h"

namespace huddle::proxy::testing {
namespace {

ProxyFixture::Options Basic() {
  ProxyFixture::Options o;
  o.cluster_extra = "    health_check: off\n";
  return o;
}

TEST(ProxyRequestPathTest, ForwardsAndSpreadsRoundRobin) {
  ProxyFixture f(Basic());
  ASSERT_TRUE(f.ok());
  std::map<std::string, int> seen;
  HttpConnection c(f.port());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n"));
    HttpResponse r = c.Read();
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.body.size(), 100u);
    ++seen[r.Header("x-upstream")];
  }
  // Round robin over three backends on one keep-alive connection: two each.
  EXPECT_EQ(seen, (std::map<std::string, int>{{"u0", 2}, {"u1", 2}, {"u2", 2}}));
}

TEST(ProxyRequestPathTest, PipelinedRequestsAreAnsweredInOrder) {
  ProxyFixture f(Basic());
  HttpConnection c(f.port());
  std::string batch;
  for (int i = 0; i < 4; ++i)
    batch += "GET /status/" + std::to_string(201 + i) + " HTTP/1.1\r\nhost: t\r\n\r\n";
  ASSERT_TRUE(c.Send(batch));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.Read().status, 201 + i);
}

TEST(ProxyRequestPathTest, StreamsBodiesBothWays) {
  ProxyFixture f(Basic());
  // Content-Length request body, echoed.
  const std::string body(300000, 'z');
  HttpResponse r = Post(f.port(), "/echo", body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
  // Chunked request body, sent in pieces, echoed chunked.
  HttpConnection c(f.port());
  c.Send("POST /echo HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
  c.Send("6\r\n world\r\n0\r\n\r\n");
  r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.body, "hello world");
  // A large response.
  r = Get(f.port(), "/bytes/2000000");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 2000000u);
}

TEST(ProxyRequestPathTest, HeadAndExpectContinue) {
  ProxyFixture f(Basic());
  HttpConnection c(f.port());
  c.Send("HEAD / HTTP/1.1\r\nhost: t\r\n\r\n");
  HttpResponse r = c.Read(/*head_request=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "100");
  EXPECT_TRUE(r.body.empty());
  // The same connection still works after a HEAD.
  c.Send("POST /echo HTTP/1.1\r\nhost: t\r\ncontent-length: 4\r\nexpect: 100-continue\r\n\r\n");
  c.Send("abcd");
  r = c.Read();  // skips the interim 100
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abcd");
}

TEST(ProxyRequestPathTest, AddsForwardingHeadersAndDropsHopByHop) {
  ProxyFixture f(Basic());
  HttpResponse r =
      Get(f.port(), "/headers", "connection: x-private\r\nx-private: 1\r\nkeep-alive: 3\r\n");
  ASSERT_EQ(r.status, 200);
  const std::string& head = r.body;
  EXPECT_NE(head.find("x-forwarded-for: 127.0.0.1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("x-forwarded-proto: http\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("via: 1.1 huddle\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("x-request-id: "), std::string::npos) << head;
  EXPECT_EQ(head.find("x-private"), std::string::npos) << head;
  EXPECT_EQ(head.find("keep-alive"), std::string::npos) << head;
}

TEST(ProxyRequestPathTest, SmugglingAndLimitsAreRejected) {
  ProxyFixture::Options o = Basic();
  o.listener_extra = "    max_body_bytes: 1000\n    max_header_count: 20\n    max_uri_bytes: 200\n";
  ProxyFixture f(o);
  struct Case {
    const char* name;
    std::string request;
    int status;
  };
  std::string many;
  for (int i = 0; i < 25; ++i) many += "x-" + std::to_string(i) + ": 1\r\n";
  const Case cases[] = {
      {"cl+te",
       "POST / HTTP/1.1\r\nhost: t\r\ncontent-length: 4\r\ntransfer-encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       400},
      {"double cl",
       "POST / HTTP/1.1\r\nhost: t\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nhost: t\r\nx: a\r\n  b\r\n\r\n", 400},
      {"bad chunk", "POST / HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", 400},
      {"te gzip", "POST / HTTP/1.1\r\nhost: t\r\ntransfer-encoding: gzip\r\n\r\n", 501},
      {"headers", "GET / HTTP/1.1\r\nhost: t\r\n" + many + "\r\n", 431},
      {"huge head", "GET / HTTP/1.1\r\nhost: t\r\nx: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"uri", "GET /" + std::string(300, 'u') + " HTTP/1.1\r\nhost: t\r\n\r\n", 414},
      {"body cl", "POST / HTTP/1.1\r\nhost: t\r\ncontent-length: 5000\r\n\r\n", 413},
      {"body chunked",
       "POST / HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n7d0\r\n" +
           std::string(2000, 'c') + "\r\n0\r\n\r\n",
       413},
  };
  for (const Case& c : cases) {
    HttpConnection conn(f.port());
    conn.Send(c.request);
    HttpResponse r = conn.Read();
    EXPECT_EQ(r.status, c.status) << c.name;
    EXPECT_EQ(r.Header("connection"), "close") << c.name;
  }
}

TEST(ProxyRequestPathTest, SlowHeadersGet408) {
  ProxyFixture::Options o = Basic();
  o.listener_extra = "    header_timeout: 100ms\n";
  ProxyFixture f(o);
  HttpConnection c(f.port());
  c.Send("GET / HTTP/1.1\r\nhost: t\r\n");  // never finished
  HttpResponse r = c.Read();
  EXPECT_EQ(r.status, 408);
}

TEST(ProxyRequestPathTest, IdleKeepAliveConnectionIsClosed) {
  ProxyFixture::Options o = Basic();
  o.listener_extra = "    idle_timeout: 100ms\n";
  ProxyFixture f(o);
  HttpConnection c(f.port());
  c.Send("GET / HTTP/1.1\r\nhost: t\r\n\r\n");
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(ProxyRequestPathTest, NoBackendAnswers502And503) {
  ProxyFixture::Options o = Basic();
  o.upstreams = 1;
  o.cluster_extra += "    retries: { attempts: 0 }\n";
  ProxyFixture f(o);
  f.upstream(0).SetFault(FaultState{.refuse = true});
  // Wait (with a deadline) until the crash took effect: a refused connect answers 502.
  int status = 0;
  for (int i = 0; i < 200 && status != 502; ++i) status = Get(f.port()).status;
  EXPECT_EQ(status, 502);
  ASSERT_TRUE(f.server().BackendAction("app", "u0", "drain", 0));
  EXPECT_EQ(Get(f.port()).status, 503);
}

TEST(ProxyRequestPathTest, HungBackendGives504) {
  ProxyFixture::Options o = Basic();
  o.upstreams = 1;
  o.cluster_extra += "    retries: { attempts: 0 }\n    timeouts: { response: 150ms }\n";
  ProxyFixture f(o);
  EXPECT_EQ(Get(f.port()).status, 200);
  f.upstream(0).SetFault(FaultState{.hang = true});
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) status = Get(f.port()).status;
  EXPECT_EQ(status, 504);
}

}  // namespace
}  // namespace huddle::proxy::testing
