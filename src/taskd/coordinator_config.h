#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "taskd/coordinator.h"

namespace huddle::taskd {

// The coordinator's YAML configuration (every key optional; docs/taskd.md lists the defaults):
//   listen: 127.0.0.1:7600       tick_interval: 100ms
//   token: ""          # "": one is generated at start and written to a 0600 file (path printed);
//                      # "none": no token (loopback listen only); else the token (16+ chars)
//   allowed_hosts: []  # names accepted in the Host header besides the listen address
//   commands: {allow: [/usr/bin/ffmpeg]}   # command tasks: off unless argv[0] is listed
//   heartbeat_interval: 1s       heartbeat_timeout: 5s
//   check_interval: 30s          # a balancing round (the seed's check_interval)
//   history: sqlite:taskd-history.sqlite   # or postgres://...; "" turns history off
//   planner: {utilization_threshold_high: 0.85, ...}   # core::PlannerOptions keys
//   ledger: {start_timeout: 30s, cancel_timeout: 30s, migration_timeout: 600s}
//   overlay: {topology: FILE, wave_interval: 5s}        # overlay mode (Echo and Finn)
// Unknown keys and bad values are errors carrying the file's line.
struct CoordinatorConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 7600;
  std::string token;
  std::vector<std::string> allowed_hosts;
  core::Duration tick_interval = std::chrono::milliseconds(100);
  core::Duration check_interval = std::chrono::seconds(30);
  std::string history = "sqlite:taskd-history.sqlite";
  std::string topology;  // overlay mode when set
  core::Duration wave_interval = std::chrono::seconds(5);
  CoordinatorOptions coordinator;
};

core::Result<CoordinatorConfig> LoadCoordinatorConfig(const std::string& path);
core::Result<CoordinatorConfig> ParseCoordinatorConfig(const std::string& yaml_text,
                                                       const std::string& source_name);
// "host:port" -> parts.
core::Result<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& text);

}  // namespace huddle::taskd
