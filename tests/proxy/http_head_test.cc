#include "proxy/http_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>

namespace huddle::proxy {
namespace {

// Parses a raw head with Beast as the proxy does and returns the verdict: the Beast error's
// status (400/431) when Beast rejects it, else CheckRequestHead's.
int Verdict(const std::string& raw, HeadLimits limits = {}) {
  http::request_parser<http::empty_body> p;
  p.eager(false);
  p.header_limit(16 * 1024);  // the listener default
  boost::system::error_code ec;
  const size_t n = p.put(boost::asio::buffer(raw), ec);
  if (ec == http::error::header_limit) return 431;
  if (ec) return 400;
  if (!p.is_header_done()) return -1;
  return CheckRequestHead(p.get().base(), std::string_view(raw).substr(0, n), limits).status;
}

TEST(CheckRequestHeadTest, SmugglingAndLimitsTable) {
  struct Case {
    const char* name;
    std::string raw;
    int status;
  };
  const std::string many_headers = [] {
    std::string h;
    for (int i = 0; i < 101; ++i) h += "x-h" + std::to_string(i) + ": 1\r\n";
    return h;
  }();
  const Case cases[] = {
      {"plain", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
      {"cl+te",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"conflicting cl",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
      {"repeated cl",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 400},
      {"cl list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", 400},
      {"negative cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
      {"bare lf", "GET / HTTP/1.1\nHost: a\n\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"te not chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"te chunked then gzip",
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501},
      {"te on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", 0},
      {"bad expect", "POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", 417},
      {"too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + many_headers + "\r\n", 431},
      {"long uri", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
  };
  for (const Case& c : cases) EXPECT_EQ(Verdict(c.raw), c.status) << c.name;
}

TEST(AppendUpstreamHeadTest, RemovesHopByHopAndAddsForwardingHeaders) {
  http::request_parser<http::empty_body> p;
  p.eager(false);
  boost::system::error_code ec;
  const std::string raw =
      "GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-secret\r\nKeep-Alive: 5\r\n"
      "X-Secret: 1\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\nVia: 1.0 edge\r\n"
      "Accept: */*\r\n\r\n";
  p.put(boost::asio::buffer(raw), ec);
  ASSERT_FALSE(ec);
  std::string out;
  AppendUpstreamHead(out, p.get().base(),
                     ForwardInfo{"127.0.0.1", "x-request-id", "abc", false, false});
  EXPECT_EQ(out,
            "GET /x HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n"
            "x-forwarded-for: 10.0.0.1, 127.0.0.1\r\nx-forwarded-proto: http\r\n"
            "via: 1.0 edge, 1.1 huddle\r\nx-request-id: abc\r\n\r\n");
}

}  // namespace
}  // namespace huddle::proxy
