#include "engine/scenario_oracle.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace huddle::engine {

double OracleDemand(const std::vector<PlantServiceSpec>& specs, size_t service, double t) {
  const PlantServiceSpec& s = specs[service];
  if (s.entry) return std::max(0.0, s.profile.demand(t));
  double sum = 0;
  for (const std::string& caller : s.callers) {
    for (size_t j = 0; j < specs.size(); ++j) {
      if (specs[j].id == caller) sum += OracleDemand(specs, j, t);
    }
  }
  return sum;
}

int OracleNeed(const std::vector<PlantServiceSpec>& specs, size_t service, double t,
               const OracleOptions& options) {
  const double mu =
      options.workers_per_replica / std::max(1e-4, specs[service].profile.service_time_s(t));
  const double n = std::ceil(OracleDemand(specs, service, t) / (mu * options.setpoint) - 1e-9);
  return std::max(options.min_replicas, static_cast<int>(n));
}

std::vector<int> OracleProvisioned(const std::vector<PlantServiceSpec>& specs, size_t service,
                                   double from, double to, const OracleOptions& options) {
  const int delay = static_cast<int>(std::lround(options.delay_s));
  const int first = static_cast<int>(from), last = static_cast<int>(to);
  std::vector<int> need;
  for (int s = first; s < last + delay; ++s) {
    need.push_back(OracleNeed(specs, service, static_cast<double>(s), options));
  }
  // Sliding maximum over [t, t + delay] (a monotone deque of indices).
  std::vector<int> out;
  std::deque<int> window;
  for (int k = 0; k < static_cast<int>(need.size()); ++k) {
    while (!window.empty() && need[window.back()] <= need[k]) window.pop_back();
    window.push_back(k);
    const int t = k - delay;  // index of the second whose window [t, t + delay] ends at k
    if (t < 0) continue;
    while (window.front() < t) window.pop_front();
    out.push_back(need[window.front()]);
  }
  return out;
}

double OracleReplicaSeconds(const std::vector<PlantServiceSpec>& specs, size_t service, double from,
                            double to, const OracleOptions& options) {
  double sum = 0;
  for (int n : OracleProvisioned(specs, service, from, to, options)) sum += n;
  return sum;
}

}  // namespace huddle::engine
