#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace huddle::taskd {

// "http://host:port[/prefix]" split up. Only plain HTTP (the task service runs on trusted
// networks or behind a TLS proxy).
struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string prefix;  // path prefix without a trailing '/', may be empty
};

core::Result<HttpUrl> ParseHttpUrl(const std::string& url);

// Extra request headers, name and value.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpCallResult {
  int status = 0;
  std::string body;
};

// One blocking HTTP/1.1 request on a fresh connection, with a deadline for the whole exchange
// (Boost.Beast). `target` is appended to the URL's prefix. Thread-safe (no shared state).
core::Result<HttpCallResult> HttpCall(const HttpUrl& url, const std::string& method,
                                      const std::string& target, const std::string& body,
                                      const std::string& token, core::Duration timeout,
                                      const HttpHeaders& headers = {});

}  // namespace huddle::taskd
