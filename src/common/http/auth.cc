#include "common/http/auth.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>

namespace huddle::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "name:port", "[v6]:port", "v4", "v6" -> the host part without brackets.
std::string HostOnly(std::string_view host_header) {
  if (!host_header.empty() && host_header.front() == '[') {
    const size_t close = host_header.find(']');
    return Lower(host_header.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  const size_t colon = host_header.find(':');
  if (colon != std::string_view::npos && host_header.find(':', colon + 1) == std::string_view::npos)
    return Lower(host_header.substr(0, colon));
  return Lower(host_header);  // no port, or a bare IPv6 literal
}

std::optional<boost::asio::ip::address> IpLiteral(const std::string& host) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return a;
}

bool HostNamesListener(const AuthPolicy& policy, std::string_view host_header) {
  const std::string host = HostOnly(host_header);
  for (const std::string& name : policy.allowed_hosts) {
    if (Lower(name) == host) return true;
  }
  const auto listen = IpLiteral(policy.listen_host);
  const bool wildcard = !listen || listen->is_unspecified();
  const bool loopback = listen && listen->is_loopback();
  if (host == "localhost") return wildcard || loopback;
  const auto literal = IpLiteral(host);
  if (!literal) return false;
  if (wildcard || *literal == *listen) return true;
  return loopback && literal->is_loopback();
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

bool IsLoopbackOrLocalhost(std::string_view host) {
  const std::string h = HostOnly(host);
  if (h == "localhost") return true;
  const auto a = IpLiteral(h);
  return a && a->is_loopback();
}

std::optional<Refusal> CheckRequest(const AuthPolicy& policy, const RequestCredentials& request,
                                    bool needs_token) {
  if (!request.host.empty() && !HostNamesListener(policy, request.host)) {
    return Refusal{421, "the Host header does not name this listener"};
  }
  if (!request.origin.empty()) {
    std::string_view origin = request.origin;
    for (std::string_view scheme : {"http://", "https://"}) {
      if (origin.starts_with(scheme)) {
        origin.remove_prefix(scheme.size());
        break;
      }
    }
    if (request.host.empty() || Lower(origin) != Lower(request.host)) {
      return Refusal{403, "cross-origin requests are refused"};
    }
  }
  if (needs_token && !policy.token.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view auth = request.authorization;
    if (!auth.starts_with(kBearer) ||
        !ConstantTimeEquals(auth.substr(kBearer.size()), policy.token)) {
      return Refusal{401, "missing or wrong bearer token"};
    }
  }
  return std::nullopt;
}

core::Result<StartToken> ResolveStartToken(const std::string& configured,
                                           const std::string& listen_host,
                                           std::string_view component) {
  if (configured == "none") {
    if (!IsLoopbackOrLocalhost(listen_host)) {
      return core::Fail(std::string(component) + ": 'token: none' is only allowed on a loopback " +
                        "listen address, not " + listen_host);
    }
    return StartToken{};
  }
  if (configured.empty()) return StartToken{.token = RandomToken(), .generated = true};
  if (configured.size() < 16) {
    return core::Fail(std::string(component) + ": a token needs at least 16 characters");
  }
  return StartToken{.token = configured};
}

std::string RandomToken() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

core::Result<std::string> TokenDirectory() {
  std::string dir;
  if (const char* d = std::getenv("HUDDLE_TOKEN_DIR"); d != nullptr && *d != '\0') {
    dir = d;
  } else if (const char* r = std::getenv("XDG_RUNTIME_DIR"); r != nullptr && *r != '\0') {
    dir = std::string(r) + "/huddle";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    dir = std::string(h) + "/.huddle";
  } else {
    dir = "/tmp/huddle-" + std::to_string(getuid());
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return core::Fail("cannot create the token directory " + dir);
  }
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return core::Fail("the token directory " + dir +
                      " must be a directory owned by this user and writable only by it");
  }
  return dir;
}

core::Result<std::string> TokenFilePath(std::string_view component, uint16_t port) {
  auto dir = TokenDirectory();
  if (!dir) return dir;
  return *dir + "/" + std::string(component) + "-" + std::to_string(port) + ".token";
}

core::Result<std::string> WriteTokenFile(std::string_view component, uint16_t port,
                                         const std::string& token) {
  auto path = TokenFilePath(component, port);
  if (!path) return path;
  const std::string temp = *path + ".new";
  ::unlink(temp.c_str());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return core::Fail("cannot write the token file " + temp);
  const std::string text = token + "\n";
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path->c_str()) != 0) {
    ::unlink(temp.c_str());
    return core::Fail("cannot write the token file " + *path);
  }
  return path;
}

core::Result<std::string> ReadTokenFile(std::string_view component, uint16_t port) {
  auto path = TokenFilePath(component, port);
  if (!path) return path;
  std::ifstream in(*path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) {
    return core::Fail("no token in " + *path);
  }
  return token;
}

}  // namespace huddle::http
