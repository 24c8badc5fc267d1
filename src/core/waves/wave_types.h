#pragma once

#include <cstdint>

#include "core/waves/graph.h"

namespace huddle::core {

// Every wave carries an id; nodes keep separate state per id, so waves in flight at the same time
// never corrupt each other (the lab kept one wave's state in process globals).
using WaveId = uint64_t;

// One node's report in an Echo wave: its queued tasks and its cores (the lab's load and cpu).
struct NodeLoad {
  NodeId node = 0;
  int64_t load = 0;
  int64_t capacity = 0;
  bool operator==(const NodeLoad&) const = default;
};

}  // namespace huddle::core
