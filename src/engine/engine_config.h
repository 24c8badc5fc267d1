#pragma once

#include <string>
#include <vector>

#include "common/address.h"
#include "core/error.h"
#include "core/time.h"
#include "engine/engine_options.h"
#include "engine/engine_store.h"
#include "engine/prometheus_scrape.h"

namespace huddle::common {
class YamlObject;
}

namespace huddle::engine {

// Where directives go.
struct ActuatorConfig {
  std::string kind = "log";  // log | webhook | command
  std::string url;           // webhook
  std::string command;       // command template
  bool dry_run = false;
  core::Duration timeout = core::FromSeconds(10);
};

// Everything `huddle engine -c FILE` reads (docs/engine.md has every key and default).
struct EngineConfig {
  common::HostPort listen{"127.0.0.1", 8081};
  std::string token;  // ingest and control endpoints; empty = open
  EngineOptions engine;
  std::string storage_url;  // empty: in memory only
  core::Duration persist_interval = core::FromSeconds(30);
  RetentionOptions retention;
  ActuatorConfig actuator;
  core::Duration scrape_timeout = core::FromSeconds(2);
  std::vector<ScrapeTarget> targets;
};

// Reads the engine's tuning keys (tick, max_services, ..., autopilot, risk, admission) from a
// YAML mapping; problems go to the object's diagnostics. Leaves Finish() to the caller, which may
// read its own keys from the same mapping (the proxy's `engine:` section adds `enabled`).
void ReadEngineOptions(common::YamlObject& o, EngineOptions& e);

// Loads and validates a YAML file; every problem is reported with file:line in one Error.
core::Result<EngineConfig> LoadEngineConfig(const std::string& path);
core::Result<EngineConfig> ParseEngineConfig(const std::string& yaml, const std::string& name);

}  // namespace huddle::engine
