#pragma once

#include <functional>
#include <string>

namespace huddle::taskd {

// One HTTP request as the task service's handlers see it (no I/O types).
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', may be empty
  std::string body;
  std::string authorization;  // the Authorization header, raw
  std::string host;           // the Host header, raw
  std::string origin;         // the Origin header, raw (empty when absent)
  std::string worker_secret;  // the X-Worker-Secret header (worker registration and polls)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace huddle::taskd
