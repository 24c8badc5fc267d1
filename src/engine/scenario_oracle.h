#pragma once

#include <cstddef>
#include <vector>

#include "engine/scenario_plant.h"

namespace huddle::engine {

// The oracle planner of the scenario suite: it knows each service's demand curve (the plant's
// profile, the curve the plant draws its Poisson arrivals from) and the provisioning delay, and
// keeps exactly n*(s) = max(min_replicas, ceil(demand(s) / (mu(s) x setpoint))) replicas serving
// at every second s. A replica serving from s must be ordered at s - D and is paid for from then
// (the plant charges pending replicas too), and it can be released the moment it is not needed
// (the plant terminates at once). So the replicas it pays for at t are the most it needs over
// [t, t + D]. It never sheds and never breaches on the demand curve; it does not know failures
// (lost or fast-failing replicas), which no planner can foresee.
//
// An inner service's demand is the sum of its callers' demand curves (each admitted request of a
// caller calls it once). Pure functions of the specs; thread-compatible.
struct OracleOptions {
  double setpoint = 0.65;
  double delay_s = 30;  // the mean of the plant's U(20, 40) s: the oracle knows each delay
  int min_replicas = 2;
  double workers_per_replica = 8;
};

// Demand (rps) that reaches `service` at second t when nothing fails.
double OracleDemand(const std::vector<PlantServiceSpec>& specs, size_t service, double t);
// Replicas the oracle needs serving at second t.
int OracleNeed(const std::vector<PlantServiceSpec>& specs, size_t service, double t,
               const OracleOptions& options);
// Replicas the oracle pays for at each second of [from, to): the most it needs over [t, t + D].
std::vector<int> OracleProvisioned(const std::vector<PlantServiceSpec>& specs, size_t service,
                                   double from, double to, const OracleOptions& options);
// Sum of OracleProvisioned over [from, to).
double OracleReplicaSeconds(const std::vector<PlantServiceSpec>& specs, size_t service, double from,
                            double to, const OracleOptions& options);

}  // namespace huddle::engine
