#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tasks/hardware_profile.h"
#include "core/tasks/planner_options.h"
#include "core/time.h"

namespace huddle::taskd {

// A simulated worker: its primary hardware sets its speed on matching tasks and its power.
struct SimWorker {
  std::string name;
  core::HardwareType hardware = core::HardwareType::kCpu;
  int cores = 4;
  double memory_gb = 16;
  int max_tasks = 16;  // tasks beyond `cores` share the cores
};

struct SimTask {
  double arrival_s = 0;
  size_t origin = 0;  // the worker it lands on (local arrivals: data locality, a node's queue)
  double work = 60;   // core-seconds on a CPU
  double memory_gb = 1;
  std::optional<core::HardwareType> preferred;
  bool power_efficient = false;
  double state_mb = 0;
  int priority = 1;
};

struct SimScenario {
  std::string name;
  std::string description;
  std::vector<SimWorker> workers;
  std::vector<SimTask> tasks;
  double horizon_s = 3600;
  double spike_at_s = -1;  // the sudden-spike scenario's spike time
};

// A balancing policy: the core planner with some options, or no migration at all.
struct SimPolicy {
  std::string name;
  core::PlannerOptions options;
};

struct SimResult {
  std::optional<double> time_to_rebalance_s;  // from the spike until max-min utilisation < 0.35
  double mean_load_stddev = 0;                // time average of the std dev of worker utilisation
  double resource_utilisation = 0;  // busy core share over all cores while work is waiting
  double energy = 0;                // sum over busy cores of seconds / energy efficiency
  double mean_completion_s = 0;     // arrival to finish, completed tasks
  size_t completed = 0;
  size_t tasks = 0;
  size_t migrations = 0;
};

// A time-stepped (1 s) simulation of task workers that runs the real core planner
// (core::MigrationPlanner: thresholds, prediction, cost-benefit, learned history) every
// `check_interval`. A task progresses at min(1, cores / running) core-seconds per second,
// times the worker's performance weight when the worker's hardware is the task's preferred one.
// A migration pauses the task for 2 s + state_mb / 100 s, then resumes it, with its progress,
// on the target. Utilisation is core::Utilisation(cpu = min(1, running / cores), memory share).
// Deterministic for a scenario and policy.
SimResult Simulate(const SimScenario& scenario, const SimPolicy& policy,
                   core::Duration check_interval);

// The seed's five scenarios (sudden_spike, gradual_increase, mixed_hardware, energy,
// completion_time), generated from `seed`.
std::vector<std::string> ScenarioNames();
SimScenario MakeScenario(const std::string& name, uint64_t seed);

// The adaptive planner (every feature on) and the fixed-threshold baseline (0.85 / 0.2, no
// prediction, no cost-benefit, no hardware or energy terms: moves from above high to below low by
// utilisation gap), both with at most 2 migrations per round.
SimPolicy AdaptivePolicy();
SimPolicy FixedThresholdPolicy();
SimPolicy NoMigrationPolicy();
// The ablations that attribute a gain to the hardware-aware placement: the fixed-threshold
// baseline given the hardware and energy terms (enable_hardware_specific_strategies and
// enable_resource_efficiency), and the adaptive planner with both taken away.
SimPolicy FixedThresholdHardwarePolicy();
SimPolicy AdaptiveWithoutHardwarePolicy();

}  // namespace huddle::taskd
