// Regression tests for the hostile-traffic findings (issue 12): a hostile client or upstream must
// not desynchronise the proxy, poison a pooled connection or reach another client's response.
// Each test drives the real proxy on loopback in front of a scripted raw upstream that records
// the exact bytes it received.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/fd_limit.h"
#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "raw_upstream.h"
#include "test_http.h"

namespace huddle::proxy::testing {
namespace {

// A proxy with one backend (the raw upstream), no health checks and no outlier detection, so
// that the upstream sees only the clients' requests.
class HostileFixture {
 public:
  HostileFixture(RawUpstream& upstream, const std::string& cluster_extra = "",
                 const std::string& listener_extra = "") {
    const std::string yaml =
        "threads: 1\nadmin:\n  enabled: false\n"
        "listeners:\n  - name: web\n    address: 127.0.0.1:0\n    cluster: app\n" +
        listener_extra +
        "clusters:\n  - name: app\n    policy: round_robin\n    health_check: off\n"
        "    outlier_detection: off\n    backends:\n      - { name: raw, address: 127.0.0.1:" +
        std::to_string(upstream.port()) + " }\n" + cluster_extra;
    auto config = ParseConfig(yaml, "hostile.yaml");
    if (!config) {
      ADD_FAILURE() << config.error().message << "\n" << yaml;
      return;
    }
    server_ = std::make_unique<ProxyServer>(*config);
    auto s = server_->Start();
    EXPECT_TRUE(s) << s.error().message;
  }
  ~HostileFixture() {
    if (server_) server_->Stop();
  }
  uint16_t port() const { return server_->listener_port(0); }

 private:
  std::unique_ptr<ProxyServer> server_;
};

// Sends each raw request on its own connection and expects the proxy to answer `status`.
template <size_t N>
void ExpectEachRejected(uint16_t port, const char* const (&raws)[N], int status) {
  for (const char* raw : raws) {
    HttpConnection c(port);
    ASSERT_TRUE(c.Send(raw));
    EXPECT_EQ(c.Read().status, status) << raw;
  }
}

// Answers each request with a body naming its index and request line, so a client can tell
// whether a response is its own.
RawUpstream::Answer NameTheRequest(size_t index, const RawRequest& r) {
  return {OkResponse("resp-" + std::to_string(index) + " " + r.RequestLine())};
}

TEST(ProxyHostileTest, ConnectionNamingContentLengthCannotSmuggleARequest) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream);
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
  HttpConnection attacker(proxy.port());
  ASSERT_TRUE(
      attacker.Send("POST /attack HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\n"
                    "Content-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled));
  const HttpResponse own = attacker.Read();
  EXPECT_EQ(own.status, 200);
  EXPECT_NE(own.body.find("POST /attack"), std::string::npos) << own.body;
  // A victim on another connection gets its own response, not the smuggled request's.
  const HttpResponse victim = Get(proxy.port(), "/victim");
  EXPECT_EQ(victim.status, 200);
  EXPECT_NE(victim.body.find("GET /victim"), std::string::npos) << victim.body;
  const auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Field("content-length"), std::to_string(smuggled.size()));
  EXPECT_EQ(requests[0].body, smuggled);
  EXPECT_EQ(requests[1].RequestLine(), "GET /victim HTTP/1.1");
}

TEST(ProxyHostileTest, ConnectionNamingHostOrTransferEncodingKeepsThem) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream);
  HttpConnection c(proxy.port());
  ASSERT_TRUE(c.Send("GET /h HTTP/1.1\r\nHost: example.test\r\nConnection: Host\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  ASSERT_TRUE(
      c.Send("POST /te HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\n"
             "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  const auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Field("host"), "example.test");
  EXPECT_EQ(requests[1].Field("transfer-encoding"), "chunked");
  EXPECT_EQ(requests[1].body, "hello");
}

TEST(ProxyHostileTest, UpstreamConnectionNamingContentLengthStillFramesTheResponse) {
  RawUpstream upstream([](size_t index, const RawRequest&) {
    return RawUpstream::Answer{
        "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\n"
        "Content-Length: 6\r\n\r\nresp-" +
        std::to_string(index)};
  });
  HostileFixture proxy(upstream);
  HttpConnection c(proxy.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    const HttpResponse r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-length"), "6");
    EXPECT_EQ(r.body, "resp-" + std::to_string(i));
  }
}

TEST(ProxyHostileTest, BytesAnIdleUpstreamSendsNeverReachTheNextClient) {
  // The first response is followed, once complete and pooled, by a whole stray response.
  RawUpstream upstream([](size_t index, const RawRequest& r) {
    RawUpstream::Answer a{OkResponse("resp-" + std::to_string(index) + " " + r.RequestLine())};
    if (index == 0) {
      a.after = OkResponse("poison");
      a.after_delay_ms = 50;
    }
    return a;
  });
  HostileFixture proxy(upstream);
  EXPECT_EQ(Get(proxy.port(), "/first").status, 200);
  ASSERT_TRUE(upstream.WaitAfterSent(1));
  const HttpResponse next = Get(proxy.port(), "/second");
  EXPECT_EQ(next.status, 200);
  EXPECT_NE(next.body.find("GET /second"), std::string::npos) << next.body;
  EXPECT_EQ(next.body.find("poison"), std::string::npos);
  EXPECT_EQ(upstream.connections(), 2u) << "the poisoned connection must not be reused";
}

TEST(ProxyHostileTest, BodiesLargerThanBeastDefaultsStreamThrough) {
  // 2 MiB request (Beast's request default limit is 1 MiB) and a 9 MiB response (8 MiB).
  const std::string big_response(9 << 20, 'r');
  RawUpstream upstream([&](size_t, const RawRequest& r) {
    return RawUpstream::Answer{OkResponse(r.body.size() == (2u << 20) ? big_response : "bad")};
  });
  HostileFixture proxy(upstream);
  HttpConnection c(proxy.port(), 20000);
  ASSERT_TRUE(c.Send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(2 << 20) +
                     "\r\n\r\n" + std::string(2 << 20, 'q')));
  const HttpResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), big_response.size());
}

TEST(ProxyHostileTest, BodyOverMaxBodyBytesIs413) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream, "", "    max_body_bytes: 1000\n");
  HttpConnection c(proxy.port());
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 413);
  HttpConnection chunked(proxy.port());
  ASSERT_TRUE(chunked.Send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           std::string("3e9\r\n") + std::string(1001, 'x') + "\r\n0\r\n\r\n"));
  EXPECT_EQ(chunked.Read().status, 413);
  EXPECT_EQ(upstream.requests().size(), 0u);
}

TEST(ProxyHostileTest, AbsoluteFormTargetReplacesHost) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream);
  HttpConnection c(proxy.port());
  ASSERT_TRUE(c.Send("GET http://Origin.Example:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  ASSERT_TRUE(c.Send("GET http://origin.example?x HTTP/1.1\r\nHost: other\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  const auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].RequestLine(), "GET /p?q=1 HTTP/1.1");
  EXPECT_EQ(requests[0].Field("host"), "Origin.Example:8080");
  EXPECT_EQ(requests[1].RequestLine(), "GET /?x HTTP/1.1");
  EXPECT_EQ(requests[1].Field("host"), "origin.example");
}

TEST(ProxyHostileTest, Http10WithoutHostGetsOneAndHostVariantsAreChecked) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream);
  {
    HttpConnection c(proxy.port());
    ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
    EXPECT_EQ(c.Read().status, 200);
  }
  const auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].RequestLine(), "GET /old HTTP/1.1");
  EXPECT_EQ(requests[0].Field("host"), "127.0.0.1:" + std::to_string(upstream.port()));
  const char* rejected[] = {
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
      "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET a.example:80 HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
  };
  ExpectEachRejected(proxy.port(), rejected, 400);
  EXPECT_EQ(upstream.requests().size(), 1u);
}

TEST(ProxyHostileTest, ChunkSizeOverflowAndBadTrailersAre400) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream);
  const char* rejected[] = {
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nx\r\n0\r\nno-colon-here\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nx\r\n0\r\nbad name: v\r\n\r\n",
  };
  ExpectEachRejected(proxy.port(), rejected, 400);
  EXPECT_EQ(upstream.requests().size(), 0u);
}

TEST(ProxyHostileTest, OverallRequestDeadlineCapsTriesAndBackoff) {
  // The backend never answers. Each try may wait 60 s, but the whole request only 300 ms: the
  // client gets a 504 long before its 5 s read deadline, and no second try is made after it.
  RawUpstream upstream([](size_t, const RawRequest&) { return RawUpstream::Answer{}; });
  HostileFixture proxy(upstream,
                       "    timeouts: { response: 60s, request: 300ms }\n"
                       "    retries: { attempts: 2 }\n");
  HttpConnection c(proxy.port(), 5000);
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 504);
  EXPECT_EQ(upstream.requests().size(), 1u);
}

TEST(ProxyHostileTest, TrickledBodyIsCutAtTheMinimumRate) {
  RawUpstream upstream(NameTheRequest);
  HostileFixture proxy(upstream, "",
                       "    body_timeout: 200ms\n    min_body_rate: 1000\n"
                       "    idle_timeout: 60s\n");
  HttpConnection c(proxy.port(), 5000);
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nx"));
  // One byte every 50 ms (20 B/s): always within the idle timeout, never at the rate.
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (int i = 0; i < 100 && !stop; ++i) {
      if (!c.Send("x")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const int status = c.Read().status;
  stop = true;
  trickle.join();
  EXPECT_EQ(status, 408);
}

TEST(ProxyHostileTest, ChunkedResponseReachesAnHttp10ClientDeChunked) {
  RawUpstream upstream([](size_t, const RawRequest&) {
    return RawUpstream::Answer{
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n"};
  });
  HostileFixture proxy(upstream);
  HttpConnection c(proxy.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.0\r\nHost: a\r\n\r\n"));
  const HttpResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(r.body, "hello world");
  // An HTTP/1.1 client gets the chunks verbatim.
  HttpConnection c11(proxy.port());
  ASSERT_TRUE(c11.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  const HttpResponse r11 = c11.Read();
  EXPECT_EQ(r11.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r11.body, "hello world");
}

TEST(FileLimitTest, RaisesTheSoftLimitToTheHardLimit) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max <= 256) GTEST_SKIP() << "hard limit low";
  rlimit low{256, saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  const common::FileLimit limit = common::RaiseFileLimit();
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_TRUE(limit.raised);
  EXPECT_GT(now.rlim_cur, 256u);
  EXPECT_EQ(limit.soft, now.rlim_cur);
  if (saved.rlim_max != RLIM_INFINITY) EXPECT_EQ(now.rlim_cur, saved.rlim_max);
}

}  // namespace
}  // namespace huddle::proxy::testing
