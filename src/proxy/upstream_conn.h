#pragma once

#include <boost/beast/core/flat_buffer.hpp>

#include "core/backend.h"
#include "core/time.h"
#include "proxy/asio_types.h"

namespace huddle::proxy {

// One connection to a backend, owned by a worker: either lent to a session for one exchange or
// parked in the worker's idle pool for that backend.
struct UpstreamConn {
  explicit UpstreamConn(Executor ex) : socket(ex) {}
  Socket socket;
  boost::beast::flat_buffer buffer;
  core::BackendIndex backend = core::kNoBackend;
  core::TimePoint idle_since{};
  uint64_t uses = 0;
};

// True when an idle pooled connection has nothing to read and is still open: a peek that would
// block. Any byte (an upstream that sent more than its response, or a late one) or an EOF or
// error means the connection must be closed, never lent.
bool IdleConnectionIsClean(Socket& socket);

}  // namespace huddle::proxy
