#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/cluster_brain.h"
#include "core/policy/policy.h"
#include "embed/server_counters.h"
#include "huddle/cluster.h"

namespace huddle {

// Everything a report reads; all references must stay valid during the call.
struct ReportInput {
  std::string_view policy_name;
  const std::deque<ServerSpec>& specs;
  const std::vector<ServerCounters>& counters;
  const core::ClusterBrain& brain;
  const core::Policy& policy;
};

// One JSON object: policy, panic flag, the policy's cluster gauges, and one entry per server with
// its configuration, brain status, counters and the policy's gauges.
std::string RenderHealthJson(const ReportInput& in);

// Prometheus text format 0.0.4. Policy gauges become huddle_cluster_<name> and
// huddle_server_<name>{server="id"}; counters end in _total.
std::string RenderPrometheus(const ReportInput& in);

}  // namespace huddle
