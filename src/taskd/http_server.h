#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "core/error.h"
#include "taskd/http_types.h"

namespace huddle::taskd {

// A small HTTP/1.1 server (Boost.Beast) for the task service's JSON APIs: one I/O thread of its
// own, keep-alive, a fresh parser per request with a 4 MiB body limit and a 30 s deadline per
// read. The handler runs on the I/O thread and must not block for long. Written here because the
// shared admin server (src/common) was not committed when this body was built.
// Start() and Stop() from one thread; the handler from the I/O thread.
class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free port) and starts serving; returns the bound port.
  core::Result<uint16_t> Start(const std::string& host, uint16_t port);
  void Stop();
  uint16_t port() const { return port_; }

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace huddle::taskd
