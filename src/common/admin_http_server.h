#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"
#include "core/error.h"

namespace huddle::common {

struct AdminRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', may be empty
  std::string body;
  std::string authorization;  // the Authorization header, raw
  std::string ingest_token;   // the X-Ingest-Token header, raw (empty when absent)
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

// Optional features; the defaults keep the plain admin server (64 KiB bodies, no WebSocket).
struct AdminHttpOptions {
  size_t body_limit_bytes = 64 * 1024;
  // When not empty, a WebSocket upgrade on this path (for example "/ws") joins the broadcast
  // group: every Broadcast() message is sent to it as a text frame. The bearer token, when set,
  // is required for the upgrade too. Messages are dropped for a client with 64 queued.
  std::string websocket_path;
  // Names accepted in the Host header besides the listen address (http::AuthPolicy).
  std::vector<std::string> allowed_hosts;
};

// A small HTTP/1.1 server for admin endpoints (health, metrics, JSON APIs), run on a caller's
// io_context (the control thread). Low traffic: clarity over speed. Every request passes the one
// rule of common/http/auth.h: a Host that does not name the listener gets 421, a cross-site
// Origin 403 (CSRF, also on the WebSocket upgrade); when `token` is not empty, every request but
// the dashboard's files and /healthz must carry "Authorization: Bearer <token>" (the WebSocket
// upgrade may carry it as ?token=, which is all a browser can send there), else 401. Request
// bodies over the limit (64 KiB by default) get 413, heads over 16 KiB 431; idle connections
// close after 30 s, and so does a write that stalls for 30 s.
class AdminHttpServer {
 public:
  AdminHttpServer(boost::asio::io_context& io, AdminHandler handler, std::string token);
  AdminHttpServer(boost::asio::io_context& io, AdminHandler handler, std::string token,
                  AdminHttpOptions options);
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // Binds and starts accepting (from the io_context's thread or before it runs).
  core::Result<uint16_t> Listen(const HostPort& address);
  void Close();
  // Replaces the bearer token (a reload); from the io_context's thread. Requests already
  // authorised finish; every later request is checked against the new token.
  void SetToken(std::string token);
  // Sends `message` to every WebSocket client (see AdminHttpOptions). Thread-safe: posts to the
  // io_context.
  void Broadcast(std::string message);
  size_t websocket_clients() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huddle::common
