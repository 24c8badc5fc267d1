#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/address.h"
#include "core/error.h"

namespace huddle::common {

struct AdminRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', may be empty
  std::string body;
  std::string authorization;  // the Authorization header, raw
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

// A small HTTP/1.1 server for admin endpoints (health, metrics, JSON APIs), run on a caller's
// io_context (the control thread). Low traffic: clarity over speed. When `token` is not empty,
// every request must carry "Authorization: Bearer <token>" (401 otherwise). Request bodies are
// capped at 64 KiB, heads at 16 KiB; idle connections close after 30 s.
class AdminHttpServer {
 public:
  AdminHttpServer(boost::asio::io_context& io, AdminHandler handler, std::string token);
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // Binds and starts accepting (from the io_context's thread or before it runs).
  core::Result<uint16_t> Listen(const HostPort& address);
  void Close();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huddle::common
