#pragma once

// Runs one conformance vector against a proxy listening on 127.0.0.1:<port> whose only backend
// is `upstream`, and judges what happened.
//
// Request vectors: the vector's bytes go to the proxy on one connection; each response the
// client reads becomes a token: "fwd" (it came from the upstream), "fwd!" (the upstream's strict
// parser rejected what the proxy forwarded), or the status of a response the proxy made itself.
// No response at all is "none". Expected tokens: fwd, rej (any 4xx/5xx made by the proxy), a
// status (400, 501...), 4xx, none. Then the harness checks that the upstream received exactly
// as many requests as the client got forwarded responses (more: a smuggled request), the
// vector's fwd-* checks, `close`, and a probe on a new connection that must get its own
// response (another's: a poisoned connection).
//
// Response vectors: the upstream answers `<method> /script-<id>` with the vector's bytes. The
// client's token: "relay:<status>:<body>", a status >= 500 made by the proxy ("502", or "5xx"
// when expected), "truncated" (the connection ended without a complete response), "none", or
// "garbage(<why>)" (the proxy sent bytes the strict parser rejects). Expected relay tokens may
// end in ":*" (any body). Then a next request on the same connection (when kept open) and a
// probe on a new one must each get their own response.
#include <cstdint>
#include <string>

#include "recording_upstream.h"
#include "vector_file.h"

namespace huddle::conformance {

struct VectorResult {
  std::string observed;  // the tokens, then any "+flag"
  bool pass = false;
  std::string detail;  // why it failed, and what the upstream saw
};

VectorResult RunVector(const Vector& v, uint16_t proxy_port, RecordingUpstream& upstream);

}  // namespace huddle::conformance
