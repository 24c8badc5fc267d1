#include "common/address.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace huddle::common {

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool HostPort::IsLoopback() const {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

core::Result<HostPort> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return core::Fail("'" + text + "' is not host:port");
  }
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return core::Fail("'" + text + "': port must be a number in [0, 65535]");
  }
  boost::system::error_code aec;
  boost::asio::ip::make_address(host, aec);
  if (aec) {
    return core::Fail("'" + text + "': '" + host + "' is not a numeric IP address");
  }
  return HostPort{host, static_cast<uint16_t>(port)};
}

}  // namespace huddle::common
