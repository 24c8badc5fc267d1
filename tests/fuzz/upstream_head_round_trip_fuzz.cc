// The upstream-head writer round trip: a request head that the proxy accepts (Beast's parser, then
// CheckRequestHead) is written with AppendUpstreamHead and parsed again, as the upstream would.
// The upstream must see the same method and target, the same end-to-end fields in the same order
// (hop-by-hop ones and those the proxy manages aside), exactly one Host, and above all the same
// body framing: a length or chunking lost on the way lets a body be read as a second request.
// Any mismatch traps.
#include <strings.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "proxy/http_head.h"

namespace http = boost::beast::http;
using Parser = http::request_parser<http::empty_body>;

namespace {

bool Same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Fields the proxy removes, adds or rewrites itself (RFC 9110 7.6.1 hop-by-hop fields, framing,
// Host, Expect, and its own forwarding fields).
bool Managed(std::string_view name) {
  for (std::string_view m :
       {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "proxy-authorization", "proxy-authenticate", "content-length", "host", "expect",
        "via", "x-forwarded-for", "x-forwarded-proto", "x-request-id"}) {
    if (Same(name, m)) return true;
  }
  return false;
}

// Names listed in the Connection fields.
std::vector<std::string_view> ConnectionNames(const http::request_header<>& head) {
  std::vector<std::string_view> names;
  for (const auto& f : head) {
    if (f.name() != http::field::connection) continue;
    std::string_view v = f.value();
    while (!v.empty()) {
      const size_t comma = v.find(',');
      std::string_view t = v.substr(0, comma);
      while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
      if (!t.empty()) names.push_back(t);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return names;
}

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

// The end-to-end fields a forwarded head must carry unchanged.
Fields EndToEnd(const http::request_header<>& head, const std::vector<std::string_view>& drop) {
  Fields out;
  for (const auto& f : head) {
    const std::string_view name = f.name_string();
    if (Managed(name)) continue;
    bool named = false;
    for (std::string_view d : drop) named = named || Same(d, name);
    if (!named) out.emplace_back(name, f.value());
  }
  return out;
}

struct Framing {
  bool chunked = false;
  uint64_t length = 0;
  bool operator==(const Framing&) const = default;
};

Framing FramingOf(const Parser& p) {
  if (p.chunked()) return {.chunked = true};
  return {.length = p.content_length().value_or(0)};
}

std::optional<std::string_view> Host(const http::request_header<>& head, size_t& count) {
  std::optional<std::string_view> host;
  count = 0;
  for (const auto& f : head) {
    if (f.name() != http::field::host) continue;
    ++count;
    host = f.value();
  }
  return host;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Parser parser;
  parser.eager(false);
  parser.header_limit(16 * 1024);
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& head = parser.get().base();
  if (huddle::proxy::CheckRequestHead(head, input.substr(0, used), {}).status != 0) return 0;
  const Framing framing = FramingOf(parser);

  std::string out;
  // As the proxy calls it (client_session.cc): the framing the parser decided, an Upgrade only
  // on HTTP/1.1, and the backend's address as the Host of a request that has none.
  huddle::proxy::ForwardInfo info{.client_ip = "192.0.2.7",
                                  .request_id_header = "x-request-id",
                                  .request_id = "fuzz-1",
                                  .chunked = framing.chunked,
                                  .upgrade = parser.upgrade() && head.version() >= 11,
                                  .default_host = "192.0.2.1:80"};
  if (!framing.chunked) {
    if (const auto cl = parser.content_length()) info.content_length = *cl;
  }
  huddle::proxy::AppendUpstreamHead(out, head, info);

  Parser again;
  again.eager(false);
  again.header_limit(64 * 1024);
  const size_t again_used = again.put(boost::asio::buffer(out), ec);
  FUZZ_CHECK(!ec && again.is_header_done() && again_used == out.size(),
             "the upstream head does not parse as one head");
  const auto& forwarded = again.get().base();
  FUZZ_CHECK(forwarded.method_string() == head.method_string(), "the method changed");
  // An absolute-form target may be forwarded as is or in origin form (its path and query).
  const std::string_view target = head.target();
  const std::string_view sent = forwarded.target();
  const bool absolute = !target.starts_with("/") && target != "*";
  // The proxy's split of the target (CheckRequestHead accepted it, so it splits).
  const auto parts = huddle::proxy::SplitTarget(target, head.method());
  FUZZ_CHECK(parts.has_value(), "an accepted target does not split");
  const std::string expected_target =
      std::string(parts->absolute_path_missing ? "/" : "") + std::string(parts->path);
  FUZZ_CHECK(sent == expected_target && (!absolute || sent.starts_with("/")) &&
                 (absolute || sent == target),
             "the target changed");
  FUZZ_CHECK(FramingOf(again) == framing, "the upstream sees another body framing");
  size_t hosts_in = 0;
  size_t hosts_out = 0;
  const auto host_in = Host(head, hosts_in);
  const auto host_out = Host(forwarded, hosts_out);
  FUZZ_CHECK(hosts_out == 1, "the upstream head has no Host or several");
  // Origin-form targets keep their Host (absolute-form ones take it from the target).
  FUZZ_CHECK(absolute || !host_in || *host_out == *host_in, "the Host changed");
  FUZZ_CHECK(!absolute || *host_out == parts->authority, "the target's authority is not the Host");
  FUZZ_CHECK(EndToEnd(forwarded, {}) == EndToEnd(head, ConnectionNames(head)),
             "end-to-end fields changed");
  return 0;
}
