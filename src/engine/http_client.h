#pragma once

#include <string>

#include "core/error.h"
#include "core/time.h"

namespace huddle::engine {

struct HttpResult {
  unsigned status = 0;
  std::string body;
};

// One blocking HTTP/1.1 request over plain TCP to an http:// URL (numeric host or a name the
// resolver knows), with a deadline on every step and a 4 MiB response cap. For the engine's
// scraper and webhook: low rate, clarity over speed. Thread-safe (no shared state).
core::Result<HttpResult> HttpRequest(const std::string& method, const std::string& url,
                                     const std::string& body, const std::string& content_type,
                                     core::Duration timeout);

}  // namespace huddle::engine
