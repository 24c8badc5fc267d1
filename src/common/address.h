#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace huddle::common {

// A numeric host and a port, as written in configs: "127.0.0.1:8080", "[::1]:8080", ":8080"
// (all interfaces) or "localhost:8080" (resolved to 127.0.0.1). Names other than localhost are
// not resolved: a load balancer should not depend on DNS at start-up.
struct HostPort {
  std::string host;  // numeric IPv4 or IPv6, no brackets
  uint16_t port = 0;

  std::string ToString() const;
  bool IsLoopback() const;
};

core::Result<HostPort> ParseHostPort(const std::string& text);

}  // namespace huddle::common
