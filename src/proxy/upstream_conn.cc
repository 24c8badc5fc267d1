#include "proxy/upstream_conn.h"

#include <sys/socket.h>

#include <cerrno>

namespace huddle::proxy {

bool IdleConnectionIsClean(Socket& socket) {
  if (!socket.is_open()) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace huddle::proxy
