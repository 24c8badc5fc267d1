#include "taskd/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace huddle::taskd {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

core::Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (rest.starts_with("https://")) return core::Fail("https is not supported: " + url);
  HttpUrl out;
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.prefix = std::string(rest.substr(slash));
    while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  }
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = std::string(authority);
  } else {
    out.host = std::string(authority.substr(0, colon));
    const std::string_view port = authority.substr(colon + 1);
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) {
      return core::Fail("bad port in URL: " + url);
    }
    out.port = static_cast<uint16_t>(v);
  }
  if (out.host.empty()) return core::Fail("no host in URL: " + url);
  return out;
}

core::Result<HttpCallResult> HttpCall(const HttpUrl& url, const std::string& method,
                                      const std::string& target, const std::string& body,
                                      const std::string& token, core::Duration timeout,
                                      const HttpHeaders& headers) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(url.prefix + target);
  req.version(11);
  req.set(http::field::host, url.host);
  req.set(http::field::content_type, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(false);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  beast::error_code result;
  const auto fail = [&](beast::error_code ec) { result = ec; };
  stream.expires_after(timeout);
  resolver.async_resolve(
      url.host, std::to_string(url.port),
      [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail(ec);
        stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return fail(ec);
          http::async_write(stream, req, [&](beast::error_code ec, size_t) {
            if (ec) return fail(ec);
            http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
              if (ec) return fail(ec);
            });
          });
        });
      });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (result) {
    return core::Fail(method + " " + url.host + ":" + std::to_string(url.port) + target + ": " +
                      result.message());
  }
  if (!parser.is_done()) return core::Fail("incomplete HTTP response");
  HttpCallResult out;
  out.status = static_cast<int>(parser.get().result_int());
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace huddle::taskd
