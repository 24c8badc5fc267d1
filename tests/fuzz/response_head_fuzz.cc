// Fuzzes the response head path: Beast's response parser (as ClientSession reads an upstream
// head), the body framing the session derives from it, and AppendClientHead. The head written to
// the client must parse again with the same status and the same framing (a response that loses
// its Content-Length on the way would desynchronise a kept-alive client connection).
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "proxy/http_head.h"

namespace http = boost::beast::http;

namespace {

// How the session frames a response body: none for HEAD, 1xx, 204 and 304, else chunked, else
// Content-Length, else until the upstream closes.
struct Framing {
  bool none = false;
  bool chunked = false;
  std::optional<uint64_t> length;
  bool operator==(const Framing&) const = default;
};

Framing FramingOf(const http::response_parser<http::empty_body>& p, bool head_request) {
  const unsigned status = p.get().result_int();
  if (head_request || status / 100 == 1 || status == 204 || status == 304) return {.none = true};
  if (p.chunked()) return {.chunked = true};
  if (const auto length = p.content_length()) return {.length = *length};
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool head_request = data[0] & 1;
  const bool close = data[0] & 2;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  http::response_parser<http::empty_body> parser;
  parser.eager(false);
  parser.header_limit(64 * 1024);
  if (head_request) parser.skip(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec || !parser.is_header_done()) return 0;
  const Framing framing = FramingOf(parser, head_request);
  const unsigned status = parser.get().result_int();
  if (status == 101) return 0;  // a tunnel, not a framed response

  std::string out;
  // As the session decides it (client_session.cc): the proxy's own framing, never the upstream's
  // fields; HEAD and 304 keep the length the upstream stated.
  huddle::proxy::ClientFraming client_framing;
  if (framing.none) {
    if (status != 204 && status / 100 != 1) {
      if (const auto length = parser.content_length()) client_framing.content_length = *length;
    }
  } else if (framing.chunked) {
    client_framing.chunked = true;
  } else {
    client_framing.content_length = framing.length;
  }
  client_framing.close = close || (!framing.none && !framing.chunked && !framing.length);
  huddle::proxy::AppendClientHead(out, parser.get().base(), client_framing);
  http::response_parser<http::empty_body> again;
  again.eager(false);
  again.header_limit(128 * 1024);
  if (head_request) again.skip(true);
  const size_t used = again.put(boost::asio::buffer(out), ec);
  FUZZ_CHECK(!ec && again.is_header_done() && used == out.size(), "the client head does not parse");
  FUZZ_CHECK(again.get().result_int() == status, "the status changed");
  FUZZ_CHECK(FramingOf(again, head_request) == framing, "the client sees another body framing");
  return 0;
}
