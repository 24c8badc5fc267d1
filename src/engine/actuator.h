#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"
#include "engine/engine.h"

namespace huddle::engine {

// What an actuator did with one directive (for the journal and the logs).
struct Actuation {
  bool executed = false;  // false in dry-run, or for the log-only actuator
  std::string detail;     // the line logged, the HTTP status, or the command and its exit code
};

// Carries a replica directive to the outside world. Implementations: log only, webhook (POST
// JSON), command template. Each runs synchronously on the caller's thread (the server runs
// them on its actuation thread, never under the engine lock), reports failures as Errors and
// never throws. Not thread-safe.
class Actuator {
 public:
  virtual ~Actuator() = default;
  virtual std::string_view name() const = 0;
  virtual core::Result<Actuation> Apply(const Directive& directive) = 0;
};

// Writes one line per directive to `out` and does nothing else.
std::unique_ptr<Actuator> MakeLogActuator(std::ostream& out);

// POSTs {"id", "service", "from", "to", "replicas", "reason", "act"} as JSON to an http:// URL
// (HTTP/1.1, plain TCP; numeric host or localhost). A 2xx answer is success; anything else, a
// connection error or the timeout is an Error. With dry_run, the body is built but not sent.
core::Result<std::unique_ptr<Actuator>> MakeWebhookActuator(const std::string& url, bool dry_run,
                                                            core::Duration timeout);

// Runs a command template through /bin/sh with {service}, {replicas} and {from} replaced
// (for example "kubectl scale deployment/{service} --replicas={replicas}"). The service id is
// single-quoted for the shell, so no id can inject commands. Exit status 0 is success. With
// dry_run, the command is rendered and logged, not run.
core::Result<std::unique_ptr<Actuator>> MakeCommandActuator(const std::string& command_template,
                                                            bool dry_run, core::Duration timeout);

// Renders a command template (exposed for tests and for dry-run display).
std::string RenderCommand(std::string_view command_template, const Directive& directive);

}  // namespace huddle::engine
