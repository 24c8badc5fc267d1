#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace huddle::http {

// The one authentication rule of every huddle control plane (admin API, engine API, task
// coordinator, upstream control API); docs/security.md explains the threat model.
//   1. Host must name this listener: an IP literal equal to the listen address (any IP literal
//      when it listens on all interfaces; any loopback literal when it listens on loopback),
//      "localhost" on a loopback or wildcard listen, or one of `allowed_hosts`. Else 421: a page
//      on another site whose name was re-bound to this address (DNS rebinding) always sends its
//      own name.
//   2. Origin, when present, must be this same origin (scheme-less, equal to Host). Else 403: a
//      browser adds Origin to cross-site requests, so a form POSTed from another site is refused
//      even when a cookie or an open loopback port would let it through.
//   3. When the endpoint needs it and a token is set: "Authorization: Bearer TOKEN", compared in
//      constant time. Else 401.
struct AuthPolicy {
  std::string token;                       // empty: no token (`token: none`, loopback only)
  std::string listen_host;                 // numeric address as configured, no brackets
  std::vector<std::string> allowed_hosts;  // further names accepted in Host (lower case)
};

// What the rule reads from a request (raw header values; empty when absent).
struct RequestCredentials {
  std::string_view host;
  std::string_view origin;
  std::string_view authorization;
};

struct Refusal {
  int status = 403;
  std::string message;
};

std::optional<Refusal> CheckRequest(const AuthPolicy& policy, const RequestCredentials& request,
                                    bool needs_token);

// Equal strings, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
bool IsLoopbackOrLocalhost(std::string_view host);

// Token set-up at start, one rule for every component:
//   configured "none"   -> no token; refused unless the listen address is loopback;
//   configured ""       -> a random token is generated (the caller writes it with
//                          WriteTokenFile and prints the path);
//   anything else       -> that token (at least 16 characters).
struct StartToken {
  std::string token;  // empty only for "none"
  bool generated = false;
};
core::Result<StartToken> ResolveStartToken(const std::string& configured,
                                           const std::string& listen_host,
                                           std::string_view component);

// 32 random bytes from the kernel, as 64 hex digits.
std::string RandomToken();

// Where generated tokens live: $HUDDLE_TOKEN_DIR, else $XDG_RUNTIME_DIR/huddle, else
// $HOME/.huddle, else /tmp/huddle-UID. The directory is created 0700 and must be owned by this
// user and not writable by others.
core::Result<std::string> TokenDirectory();
// TokenDirectory()/COMPONENT-PORT.token (for example admin-9901.token).
core::Result<std::string> TokenFilePath(std::string_view component, uint16_t port);
// Writes `token` to TokenFilePath(component, port), mode 0600, replacing an older file
// atomically; returns the path.
core::Result<std::string> WriteTokenFile(std::string_view component, uint16_t port,
                                         const std::string& token);
// The token in TokenFilePath(component, port), or an error when there is none.
core::Result<std::string> ReadTokenFile(std::string_view component, uint16_t port);

}  // namespace huddle::http
