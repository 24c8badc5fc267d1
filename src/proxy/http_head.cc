#include "proxy/http_head.h"

#include <strings.h>

#include <array>

namespace huddle::proxy {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header names listed in the Connection header(s): every token of every Connection field, read
// in place (no allocation, no limit on their number).
template <typename Fields>
class ConnectionTokens {
 public:
  explicit ConnectionTokens(const Fields& fields) : fields_(fields) {
    any_ = fields.find(http::field::connection) != fields.end();
  }
  bool Contains(std::string_view name) const {
    if (!any_) return false;
    for (auto it = fields_.find(http::field::connection);
         it != fields_.end() && it->name() == http::field::connection; ++it) {
      std::string_view v = it->value();
      while (!v.empty()) {
        const size_t comma = v.find(',');
        if (EqualsNoCase(Trim(v.substr(0, comma)), name)) return true;
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
    }
    return false;
  }

 private:
  const Fields& fields_;
  bool any_ = false;
};

bool IsHopByHop(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::proxy_authorization:
    case http::field::proxy_authenticate:
      return true;
    default:
      return false;
  }
}

// Fields the proxy emits itself from its own decisions (framing and routing): never copied from
// a message, whatever its Connection header says.
bool IsFramingOrRouting(http::field f) {
  return f == http::field::content_length || f == http::field::transfer_encoding ||
         f == http::field::host;
}

void AppendLength(std::string& out, uint64_t n) {
  out.append("content-length: ");
  out.append(std::to_string(n));
  out.append("\r\n");
}

bool IsRegNameChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

bool IsIpLiteralChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.' || c == 'v' || c == 'V' || IsRegNameChar(c);
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

bool ValidHost(std::string_view host) {
  // A comma is a sub-delim, so "a,b" is a reg-name by RFC 3986; as a Host it is a list of two
  // hosts (two Host fields folded), which RFC 9112 3.2 refuses.
  if (host.find(',') != std::string_view::npos) return false;
  size_t i = 0;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (size_t k = 1; k < close; ++k) {
      if (!IsIpLiteralChar(host[k])) return false;
    }
    i = close + 1;
  } else {
    while (i < host.size() && IsRegNameChar(host[i])) ++i;
  }
  if (i == host.size()) return true;
  if (host[i] != ':') return false;
  const std::string_view port = host.substr(i + 1);
  if (port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<TargetParts> SplitTarget(std::string_view target, http::verb method) {
  if (target.empty()) return std::nullopt;
  if (target.front() == '/') return TargetParts{target, {}, false};
  if (target == "*") {
    if (method != http::verb::options) return std::nullopt;
    return TargetParts{target, {}, false};
  }
  // absolute-form: http://authority[path-abempty][?query]
  size_t scheme_end = 0;
  if (target.size() > 7 && EqualsNoCase(target.substr(0, 7), "http://")) {
    scheme_end = 7;
  } else if (target.size() > 8 && EqualsNoCase(target.substr(0, 8), "https://")) {
    scheme_end = 8;
  } else {
    return std::nullopt;
  }
  const std::string_view rest = target.substr(scheme_end);
  const size_t end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (authority.empty() || !ValidHost(authority)) return std::nullopt;  // userinfo '@' fails too
  if (end == std::string_view::npos) return TargetParts{"/", authority, false};
  if (rest[end] == '#') return std::nullopt;  // a fragment is never sent (RFC 9112 3.2)
  const std::string_view path = rest.substr(end);
  return TargetParts{path, authority, path.front() == '?'};
}

const char* StatusReason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

bool IsIdempotent(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::trace:
      return true;
    default:
      return false;
  }
}

HeadVerdict CheckRequestHead(const RequestHeader& head, std::string_view raw_head,
                             const HeadLimits& limits) {
  if (head.target().size() > limits.max_uri_bytes) return {414, "uri too long"};
  for (const char c : head.target()) {
    // RFC 3986 allows only visible ASCII; other octets must be percent-encoded.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return {400, "invalid request target"};
    }
  }
  if (!SplitTarget(head.target(), head.method())) return {400, "invalid request target"};
  // obs-fold: a header line that starts with SP or HTAB (RFC 9112 5.2: reject).
  for (size_t i = raw_head.find("\r\n"); i != std::string_view::npos;
       i = raw_head.find("\r\n", i + 2)) {
    if (i + 2 < raw_head.size() && (raw_head[i + 2] == ' ' || raw_head[i + 2] == '\t')) {
      return {400, "obs-fold"};
    }
  }
  size_t count = 0;
  int content_length = 0;
  int host = 0;
  int transfer_encoding = 0;
  for (const auto& f : head) {
    ++count;
    switch (f.name()) {
      case http::field::content_length:
        ++content_length;
        if (f.value().find(',') != std::string_view::npos) return {400, "content-length list"};
        break;
      case http::field::host:
        ++host;
        if (!ValidHost(f.value())) return {400, "invalid host"};
        break;
      case http::field::transfer_encoding:
        ++transfer_encoding;
        if (!EqualsNoCase(Trim(f.value()), "chunked")) return {501, "transfer-encoding"};
        break;
      case http::field::expect:
        if (!EqualsNoCase(Trim(f.value()), "100-continue")) return {417, "expect"};
        break;
      default:
        if (f.name_string().empty()) return {400, "empty header name"};
        break;
    }
  }
  if (count > limits.max_header_count) return {431, "too many headers"};
  if (content_length > 1) return {400, "repeated content-length"};
  if (transfer_encoding > 1) return {400, "repeated transfer-encoding"};
  if (transfer_encoding > 0 && head.version() < 11) return {400, "transfer-encoding on http/1.0"};
  if (head.version() >= 11 && host != 1) return {400, host == 0 ? "missing host" : "repeated host"};
  if (host > 1) return {400, "repeated host"};
  return {};
}

void AppendUpstreamHead(std::string& out, const RequestHeader& head, const ForwardInfo& info) {
  const ConnectionTokens tokens(head);
  const std::optional<TargetParts> target = SplitTarget(head.target(), head.method());
  out.append(head.method_string());
  out.push_back(' ');
  if (target) {
    if (target->absolute_path_missing) out.push_back('/');
    out.append(target->path);
  } else {
    out.append(head.target());  // CheckRequestHead refuses these; kept for direct callers
  }
  out.append(" HTTP/1.1\r\n");
  // Host first: the absolute-form authority, the request's Host, or the default.
  const auto host_field = head.find(http::field::host);
  if (target && !target->authority.empty()) {
    AppendField(out, "host", target->authority);
  } else if (host_field != head.end()) {
    AppendField(out, "host", host_field->value());
  } else {
    AppendField(out, "host", info.default_host);
  }
  bool have_id = false;
  std::string_view xff;
  std::string_view via;
  for (const auto& f : head) {
    const http::field name = f.name();
    if (IsHopByHop(name) || IsFramingOrRouting(name) || name == http::field::expect) continue;
    if (name == http::field::via) {
      via = f.value();
      continue;
    }
    const std::string_view n = f.name_string();
    if (name == http::field::unknown) {
      if (EqualsNoCase(n, "x-forwarded-for")) {
        xff = f.value();  // joined below (only the last one is kept when repeated)
        continue;
      }
      if (EqualsNoCase(n, "x-forwarded-proto")) continue;
    }
    if (tokens.Contains(n)) continue;
    if (!have_id && EqualsNoCase(n, info.request_id_header)) have_id = true;
    AppendField(out, n, f.value());
  }
  out.append("x-forwarded-for: ");
  if (!xff.empty()) {
    out.append(xff);
    out.append(", ");
  }
  out.append(info.client_ip);
  out.append("\r\nx-forwarded-proto: http\r\nvia: ");
  if (!via.empty()) {
    out.append(via);
    out.append(", ");
  }
  out.append("1.1 huddle\r\n");
  if (!have_id && !info.request_id_header.empty())
    AppendField(out, info.request_id_header, info.request_id);
  if (info.chunked) {
    out.append("transfer-encoding: chunked\r\n");
  } else if (info.content_length) {
    AppendLength(out, *info.content_length);
  }
  if (info.upgrade) {
    out.append("connection: upgrade\r\n");
    AppendField(out, "upgrade", head[http::field::upgrade]);
  }
  out.append("\r\n");
}

void AppendClientHead(std::string& out, const ResponseHeader& head, const ClientFraming& framing) {
  const ConnectionTokens tokens(head);
  out.append("HTTP/1.1 ");
  const unsigned status = head.result_int();
  char digits[4] = {static_cast<char>('0' + status / 100 % 10),
                    static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10),
                    ' '};
  out.append(digits, 4);
  out.append(head.reason());
  out.append("\r\n");
  for (const auto& f : head) {
    if (IsHopByHop(f.name()) || f.name() == http::field::content_length) continue;
    const std::string_view n = f.name_string();
    if (tokens.Contains(n)) continue;
    AppendField(out, n, f.value());
  }
  if (framing.chunked) {
    out.append("transfer-encoding: chunked\r\n");
  } else if (framing.content_length) {
    AppendLength(out, *framing.content_length);
  }
  if (framing.upgrade) {
    out.append("connection: upgrade\r\n");
    AppendField(out, "upgrade", head[http::field::upgrade]);
  } else if (framing.close) {
    out.append("connection: close\r\n");
  }
  out.append("\r\n");
}

void AppendLocalResponse(std::string& out, int status, std::string_view body, bool close,
                         std::string_view extra_headers) {
  out.append("HTTP/1.1 ");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(StatusReason(status));
  out.append("\r\ncontent-type: text/plain\r\ncontent-length: ");
  out.append(std::to_string(body.size()));
  if (close) out.append("\r\nconnection: close");
  out.append("\r\n");
  out.append(extra_headers);  // each line ends with CRLF
  out.append("\r\n");
  out.append(body);
}

}  // namespace huddle::proxy
