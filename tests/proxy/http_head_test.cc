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
      {"http/2.0 (Beast)", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400},
      {"http/1.0 two hosts", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400},
      {"host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400},
      {"absolute-form", "GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n", 0},
      {"authority-form", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
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
            "GET /x HTTP/1.1\r\nhost: a\r\nAccept: */*\r\n"
            "x-forwarded-for: 10.0.0.1, 127.0.0.1\r\nx-forwarded-proto: http\r\n"
            "via: 1.0 edge, 1.1 huddle\r\nx-request-id: abc\r\n\r\n");
}

// Parses a raw request head into `p` (Beast's parser cannot be moved).
void ParseRequest(http::request_parser<http::empty_body>& p, const std::string& raw) {
  p.eager(false);
  boost::system::error_code ec;
  p.put(boost::asio::buffer(raw), ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(AppendUpstreamHeadTest, ConnectionCannotRemoveFramingOrHost) {
  http::request_parser<http::empty_body> p;
  ParseRequest(
      p,
      "POST /x HTTP/1.1\r\nHost: h\r\nConnection: Content-Length, Host, Transfer-Encoding\r\n"
      "Content-Length: 12\r\n\r\n");
  ForwardInfo info{"127.0.0.1", "", "", false, false};
  info.content_length = *p.content_length();
  std::string out;
  AppendUpstreamHead(out, p.get().base(), info);
  EXPECT_NE(out.find("\r\nhost: h\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\ncontent-length: 12\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Connection"), std::string::npos) << out;
  // Chunked: the proxy's own Transfer-Encoding, never a copied Content-Length.
  info.chunked = true;
  out.clear();
  AppendUpstreamHead(out, p.get().base(), info);
  EXPECT_NE(out.find("\r\ntransfer-encoding: chunked\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("ontent-length"), std::string::npos) << out;
}

TEST(AppendUpstreamHeadTest, AbsoluteFormBecomesOriginFormWithItsAuthorityAsHost) {
  http::request_parser<http::empty_body> p;
  ParseRequest(p, "GET HTTP://A.example:81?q HTTP/1.1\r\nHost: other\r\n\r\n");
  std::string out;
  AppendUpstreamHead(out, p.get().base(), ForwardInfo{"1.2.3.4", "", "", false, false});
  EXPECT_EQ(out.substr(0, out.find("\r\nx-forwarded-for")),
            "GET /?q HTTP/1.1\r\nhost: A.example:81");
  http::request_parser<http::empty_body> old;
  ParseRequest(old, "GET / HTTP/1.0\r\n\r\n");
  ForwardInfo info{"1.2.3.4", "", "", false, false};
  info.default_host = "10.0.0.1:80";
  out.clear();
  AppendUpstreamHead(out, old.get().base(), info);
  EXPECT_EQ(out.substr(0, out.find("\r\nx-forwarded-for")), "GET / HTTP/1.1\r\nhost: 10.0.0.1:80");
}

TEST(AppendClientHeadTest, FramingComesFromTheProxyNotTheUpstream) {
  http::response_parser<http::empty_body> p;
  p.eager(false);
  const std::string raw =
      "HTTP/1.1 200 OK\r\nConnection: Content-Length, x-a\r\nX-A: 1\r\nX-B: 2\r\n"
      "Content-Length: 5\r\n\r\n";
  boost::system::error_code ec;
  p.put(boost::asio::buffer(raw), ec);
  ASSERT_FALSE(ec);
  std::string out;
  AppendClientHead(out, p.get().base(), ClientFraming{.content_length = 5});
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nX-B: 2\r\ncontent-length: 5\r\n\r\n");
  out.clear();
  AppendClientHead(out, p.get().base(), ClientFraming{.chunked = true, .close = true});
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nX-B: 2\r\ntransfer-encoding: chunked\r\n"
            "connection: close\r\n\r\n");
}

TEST(SplitTargetTest, FormsAGatewayForwards) {
  using V = http::verb;
  EXPECT_EQ(SplitTarget("/a?b", V::get)->path, "/a?b");
  EXPECT_EQ(SplitTarget("http://h/p", V::get)->authority, "h");
  EXPECT_EQ(SplitTarget("http://h", V::get)->path, "/");
  EXPECT_TRUE(SplitTarget("http://h?x", V::get)->absolute_path_missing);
  EXPECT_TRUE(SplitTarget("*", V::options));
  for (const char* bad : {"*", "h:80", "http://", "http://u@h/", "ftp://h/", "http://h#f", "a",
                          "http://h h/", "https://[::1/"}) {
    EXPECT_FALSE(SplitTarget(bad, V::get)) << bad;
  }
}

TEST(ValidHostTest, UriHostAndPortOnly) {
  for (const char* ok : {"", "a", "a.b-c_d~", "a:80", "a:", "[::1]", "[::1]:8080", "1.2.3.4:1"}) {
    EXPECT_TRUE(ValidHost(ok)) << ok;
  }
  for (const char* bad : {"a b", "u@h", "a/b", "a:8o", "a:123456", "[::1", "a?b", "a#b"}) {
    EXPECT_FALSE(ValidHost(bad)) << bad;
  }
}

}  // namespace
}  // namespace huddle::proxy
