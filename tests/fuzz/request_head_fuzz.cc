// Fuzzes the request head path of a client session: Beast's request parser (as configured by
// ClientSession::ReadRequestHead) followed by huddle's CheckRequestHead. Any head that passes both
// must have one unambiguous body framing and, on HTTP/1.1, exactly one Host.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "proxy/http_head.h"

namespace http = boost::beast::http;
using huddle::proxy::CheckRequestHead;
using huddle::proxy::HeadLimits;
using huddle::proxy::HeadVerdict;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  http::request_parser<http::empty_body> parser;
  parser.eager(false);
  parser.header_limit(16 * 1024);
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec || !parser.is_header_done()) return 0;
  FUZZ_CHECK(used <= input.size(), "the parser used more than it was given");
  const auto& head = parser.get().base();
  const HeadVerdict verdict = CheckRequestHead(head, input.substr(0, used), HeadLimits{});
  if (verdict.status != 0) {
    FUZZ_CHECK(verdict.status >= 400 && verdict.status <= 599 && verdict.reason != nullptr,
               "a rejection without an error status");
    return 0;
  }
  // Accepted: the framing is unambiguous.
  FUZZ_CHECK(!(parser.chunked() && parser.content_length()), "accepted both chunked and a length");
  size_t hosts = 0;
  size_t lengths = 0;
  size_t encodings = 0;
  for (const auto& f : head) {
    hosts += f.name() == http::field::host;
    lengths += f.name() == http::field::content_length;
    encodings += f.name() == http::field::transfer_encoding;
  }
  FUZZ_CHECK(lengths <= 1 && encodings <= 1, "accepted a repeated framing field");
  FUZZ_CHECK(head.version() < 11 || hosts == 1, "accepted HTTP/1.1 without exactly one Host");
  FUZZ_CHECK(encodings == 0 || parser.chunked(), "accepted a transfer coding but chunked");
  return 0;
}
