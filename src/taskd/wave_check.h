#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "core/waves/wave_types.h"
#include "taskd/topology.h"

namespace huddle::taskd {

// What one wave did, as the coordinator merged the nodes' reports.
struct WaveCheck {
  core::WaveId wave = 0;
  size_t nodes = 0;
  size_t edges = 0;
  size_t nodes_decided = 0;  // Finn: every node decided
  size_t echo_messages = 0;  // Echo: must be 2|E|
  size_t finn_messages = 0;
  bool spanning_tree = false;  // the Echo fathers form a spanning tree rooted at the initiator
  nlohmann::json report;
};

// Runs `waves` (started together, so they are in flight at the same time) over loopback HTTP
// between one OverlayNode per topology node (each with its own server on port 0), reporting to
// an in-process coordinator API; waits up to `timeout` for every node to decide in every wave.
core::Result<std::vector<WaveCheck>> RunWavesOverLoopback(const Topology& topology,
                                                          const std::vector<core::WaveId>& waves,
                                                          core::Duration timeout);

// `huddle tasks waves [--graphs N] [--nodes N] [--seed S]`: random connected graphs, two
// concurrent waves each; prints the counts and exits non-zero on any failed check.
int RunWavesCommand(int argc, char** argv);

}  // namespace huddle::taskd
