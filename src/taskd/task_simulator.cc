#include "taskd/task_simulator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/random.h"
#include "core/tasks/migration_planner.h"

namespace huddle::taskd {
namespace {

using core::HardwareType;

constexpr double kStep = 1.0;
constexpr double kRebalancedGap = 0.35;

struct LiveTask {
  size_t index = 0;
  size_t worker = 0;
  double remaining = 0;
  double started_here_s = 0;
  double paused_until_s = -1;  // migrating: arrives on `worker` at this time
  bool done = false;
};

double Speed(const SimWorker& w, const SimTask& t) {
  if (t.preferred && *t.preferred == w.hardware) {
    return core::DefaultHardwareProfile(w.hardware).performance_weight;
  }
  return 1.0;
}

}  // namespace

SimPolicy AdaptivePolicy() { return SimPolicy{"adaptive", core::PlannerOptions{}}; }

SimPolicy FixedThresholdPolicy() {
  core::PlannerOptions o;
  o.enable_dynamic_thresholds = false;
  o.enable_predictive_balancing = false;
  o.enable_cost_benefit_analysis = false;
  o.enable_hardware_specific_strategies = false;
  o.enable_resource_efficiency = false;
  return SimPolicy{"fixed_threshold", o};
}

SimPolicy FixedThresholdHardwarePolicy() {
  SimPolicy p = FixedThresholdPolicy();
  p.name = "fixed_threshold+hardware";
  p.options.enable_hardware_specific_strategies = true;
  p.options.enable_resource_efficiency = true;
  return p;
}

SimPolicy AdaptiveWithoutHardwarePolicy() {
  SimPolicy p = AdaptivePolicy();
  p.name = "adaptive-hardware";
  p.options.enable_hardware_specific_strategies = false;
  p.options.enable_resource_efficiency = false;
  return p;
}

SimPolicy NoMigrationPolicy() {
  core::PlannerOptions o;
  o.enable_task_migration = false;
  return SimPolicy{"no_migration", o};
}

SimResult Simulate(const SimScenario& s, const SimPolicy& policy, core::Duration check_interval) {
  core::MigrationPlanner planner(policy.options);
  const size_t n = s.workers.size();
  std::vector<LiveTask> live;
  size_t next_arrival = 0;
  std::vector<size_t> order(s.tasks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return s.tasks[a].arrival_s < s.tasks[b].arrival_s; });
  SimResult result;
  result.tasks = s.tasks.size();
  double stddev_sum = 0;
  size_t stddev_samples = 0;
  double busy_core_s = 0;
  double offered_core_s = 0;
  double completion_sum = 0;
  std::optional<double> rebalanced_since;
  const double check_s = core::ToSeconds(check_interval);
  double next_check = check_s;
  std::map<size_t, std::pair<double, double>> in_flight;  // live index -> (began, downtime)

  for (double t = 0; t < s.horizon_s; t += kStep) {
    while (next_arrival < order.size() && s.tasks[order[next_arrival]].arrival_s <= t) {
      const size_t i = order[next_arrival++];
      live.push_back(LiveTask{.index = i,
                              .worker = s.tasks[i].origin % n,
                              .remaining = s.tasks[i].work,
                              .started_here_s = t});
    }
    // Utilisation now.
    std::vector<int> running(n, 0);
    std::vector<double> memory(n, 0);
    for (const LiveTask& l : live) {
      if (l.done) continue;
      ++running[l.worker];  // migrating tasks hold their target slot and memory
      memory[l.worker] += s.tasks[l.index].memory_gb;
    }
    std::vector<double> util(n);
    for (size_t w = 0; w < n; ++w) {
      core::WorkerUsage u;
      u.cpu = std::min(1.0, static_cast<double>(running[w]) / s.workers[w].cores);
      u.memory = std::min(1.0, memory[w] / s.workers[w].memory_gb);
      util[w] = core::Utilisation(u);
    }
    // Balancing round.
    if (t >= next_check) {
      next_check += check_s;
      const core::TimePoint now = core::TimePoint{} + core::FromSeconds(t);
      std::vector<core::WorkerInfo> infos(n);
      for (size_t w = 0; w < n; ++w) {
        core::WorkerInfo& info = infos[w];
        info.id = static_cast<core::WorkerId>(w + 1);
        info.hardware = core::HardwareSet{core::HardwareType::kCpu, s.workers[w].hardware};
        info.primary = s.workers[w].hardware;
        info.cores = s.workers[w].cores;
        info.memory_gb = s.workers[w].memory_gb;
        info.memory_available_gb = std::max(0.0, s.workers[w].memory_gb - memory[w]);
        info.utilisation = util[w];
        info.running_tasks = running[w];
        info.max_tasks = s.workers[w].max_tasks;
        planner.ObserveWorker(info.id, now, util[w]);
      }
      std::vector<core::RunningTask> tasks;
      for (size_t k = 0; k < live.size(); ++k) {
        const LiveTask& l = live[k];
        if (l.done || l.paused_until_s > t) continue;
        const SimTask& st = s.tasks[l.index];
        core::RunningTask r;
        r.id = k + 1;
        r.kind = st.preferred ? std::string(core::HardwareName(*st.preferred)) : "generic";
        r.requirements.preferred_hardware = st.preferred;
        r.requirements.memory_gb = st.memory_gb;
        r.requirements.power_efficient = st.power_efficient;
        r.requirements.state_size_mb = st.state_mb;
        r.requirements.priority = st.priority;
        r.worker = static_cast<core::WorkerId>(l.worker + 1);
        r.started = core::TimePoint{} + core::FromSeconds(l.started_here_s);
        const SimWorker& w = s.workers[l.worker];
        r.load_share = (1.0 / w.cores + st.memory_gb / w.memory_gb) / 2.0;
        tasks.push_back(r);
      }
      const core::BalanceRound round =
          planner.Plan(infos, tasks, static_cast<int>(in_flight.size()), now);
      for (const core::MigrationCandidate& c : round.chosen) {
        LiveTask& l = live[c.task - 1];
        const double downtime = 2.0 + s.tasks[l.index].state_mb / 100.0;
        l.worker = c.target - 1;
        l.paused_until_s = t + downtime;
        l.started_here_s = t + downtime;
        in_flight[c.task - 1] = {t, downtime};
        ++result.migrations;
      }
    }
    // Progress.
    for (LiveTask& l : live) {
      if (l.done) continue;
      if (l.paused_until_s > t) continue;
      if (l.paused_until_s >= 0) {
        const size_t k = static_cast<size_t>(&l - live.data());
        const auto f = in_flight.find(k);
        if (f != in_flight.end()) {
          const SimTask& st = s.tasks[l.index];
          planner.RecordMigrationOutcome(
              st.preferred ? std::string(core::HardwareName(*st.preferred)) : "generic",
              static_cast<core::WorkerId>(l.worker + 1), true, core::FromSeconds(f->second.second));
          in_flight.erase(f);
        }
        l.paused_until_s = -1;
      }
      const SimWorker& w = s.workers[l.worker];
      const double share = std::min(1.0, static_cast<double>(w.cores) / running[l.worker]);
      l.remaining -= kStep * share * Speed(w, s.tasks[l.index]);
      result.energy += kStep * share / core::DefaultHardwareProfile(w.hardware).energy_efficiency;
      if (l.remaining <= 0) {
        l.done = true;
        ++result.completed;
        completion_sum += t + kStep - s.tasks[l.index].arrival_s;
      }
    }
    // Measurements.
    double mean = 0;
    for (double u : util) mean += u;
    mean /= static_cast<double>(n);
    double var = 0;
    for (double u : util) var += (u - mean) * (u - mean);
    bool any_live = false;
    for (const LiveTask& l : live) any_live = any_live || !l.done;
    if (any_live) {
      stddev_sum += std::sqrt(var / static_cast<double>(n));
      ++stddev_samples;
      int waiting = 0;
      for (size_t w = 0; w < n; ++w) {
        waiting += std::max(0, running[w] - s.workers[w].cores);
      }
      if (waiting > 0) {
        for (size_t w = 0; w < n; ++w) {
          busy_core_s += std::min(running[w], s.workers[w].cores);
          offered_core_s += s.workers[w].cores;
        }
      }
    }
    if (s.spike_at_s >= 0 && t > s.spike_at_s && !result.time_to_rebalance_s) {
      const auto [lo, hi] = std::minmax_element(util.begin(), util.end());
      if (*hi - *lo < kRebalancedGap) {
        if (!rebalanced_since) rebalanced_since = t;
        if (t - *rebalanced_since >= 10)
          result.time_to_rebalance_s = *rebalanced_since - s.spike_at_s;
      } else {
        rebalanced_since.reset();
      }
    }
    if (next_arrival == order.size() && !any_live) break;
  }
  result.mean_load_stddev = stddev_samples == 0 ? 0 : stddev_sum / stddev_samples;
  result.resource_utilisation = offered_core_s == 0 ? 1.0 : busy_core_s / offered_core_s;
  result.mean_completion_s = result.completed == 0 ? 0 : completion_sum / result.completed;
  return result;
}

std::vector<std::string> ScenarioNames() {
  return {"sudden_spike", "gradual_increase", "mixed_hardware", "energy", "completion_time"};
}

SimScenario MakeScenario(const std::string& name, uint64_t seed) {
  core::Xoshiro256 random(seed);
  SimScenario s;
  s.name = name;
  auto uniform = [&](double a, double b) { return a + (b - a) * random.UnitDouble(); };
  auto cpu_workers = [&](int count) {
    for (int i = 0; i < count; ++i) {
      s.workers.push_back(SimWorker{.name = "cpu" + std::to_string(i)});
    }
  };
  // Background: tasks arriving on every worker, `per_worker_rate` per second each.
  auto background = [&](double from, double to, double per_worker_rate, double work) {
    for (size_t w = 0; w < s.workers.size(); ++w) {
      for (double t = from; t < to; t += -std::log(1 - random.UnitDouble()) / per_worker_rate) {
        s.tasks.push_back(SimTask{.arrival_s = t,
                                  .origin = w,
                                  .work = work * uniform(0.5, 1.5),
                                  .memory_gb = uniform(0.5, 2)});
      }
    }
  };
  if (name == "sudden_spike") {
    s.description =
        "4 CPU workers (4 cores, 16 GB) at about half load; at 600 s, 16 tasks of "
        "about 300 core-seconds land on one worker. Metric: seconds until "
        "max - min utilisation stays below 0.35 for 10 s.";
    cpu_workers(4);
    background(0, 2400, 1.0 / 60, 120);
    s.spike_at_s = 600;
    for (int i = 0; i < 16; ++i) {
      s.tasks.push_back(
          SimTask{.arrival_s = 600, .origin = 0, .work = uniform(240, 360), .memory_gb = 0.75});
    }
    s.horizon_s = 20000;  // the run ends when every task has finished
  } else if (name == "gradual_increase") {
    s.description =
        "4 CPU workers; arrivals ramp from 0.02/s to 0.12/s over 40 min, skewed "
        "to the first workers (weights 4:3:2:1). Metric: time-averaged standard "
        "deviation of worker utilisation.";
    cpu_workers(4);
    const double weights[] = {0.4, 0.3, 0.2, 0.1};
    for (double t = 0; t < 2400;) {
      const double rate = 0.02 + 0.10 * t / 2400;
      t += -std::log(1 - random.UnitDouble()) / rate;
      const double u = random.UnitDouble();
      size_t w = 0;
      for (double acc = weights[0]; w < 3 && u > acc; acc += weights[++w]) {
      }
      s.tasks.push_back(SimTask{
          .arrival_s = t, .origin = w, .work = uniform(60, 240), .memory_gb = uniform(0.5, 2)});
    }
    s.horizon_s = 20000;  // the run ends when every task has finished
  } else if (name == "mixed_hardware" || name == "completion_time") {
    s.description =
        name == "mixed_hardware"
            ? "2 CPU, 1 CUDA, 1 OpenVINO worker (4 cores each); half the tasks prefer CUDA, "
              "a quarter OpenVINO; arrivals land on the CPU workers. Metric: busy share of all "
              "cores while tasks wait for a core."
            : "The mixed hardware cluster with heavier, bursty arrivals. Metric: mean task "
              "completion time (arrival to finish).";
    cpu_workers(2);
    s.workers.push_back(SimWorker{.name = "cuda0", .hardware = HardwareType::kCuda});
    s.workers.push_back(SimWorker{.name = "openvino0", .hardware = HardwareType::kOpenVino});
    const double rate = name == "mixed_hardware" ? 0.06 : 0.08;
    for (double t = 0; t < 2400;) {
      const bool burst = name == "completion_time" && std::fmod(t, 600) < 120;
      t += -std::log(1 - random.UnitDouble()) / (burst ? rate * 3 : rate);
      const double u = random.UnitDouble();
      std::optional<HardwareType> pref;
      if (u < 0.5)
        pref = HardwareType::kCuda;
      else if (u < 0.75)
        pref = HardwareType::kOpenVino;
      s.tasks.push_back(SimTask{.arrival_s = t,
                                .origin = random.Below(2),
                                .work = uniform(60, 240),
                                .memory_gb = uniform(0.5, 2),
                                .preferred = pref,
                                .state_mb = uniform(0, 200)});
    }
    s.horizon_s = 20000;  // the run ends when every task has finished
  } else if (name == "energy") {
    s.description =
        "1 CUDA, 1 CPU, 2 QNN workers (4 cores each); power-efficient tasks "
        "arrive on the CUDA and CPU workers. Metric: energy, the sum of busy "
        "core-seconds divided by the hardware's energy efficiency.";
    s.workers.push_back(SimWorker{.name = "cuda0", .hardware = HardwareType::kCuda});
    s.workers.push_back(SimWorker{.name = "cpu0"});
    s.workers.push_back(SimWorker{.name = "qnn0", .hardware = HardwareType::kQnn});
    s.workers.push_back(SimWorker{.name = "qnn1", .hardware = HardwareType::kQnn});
    for (double t = 0; t < 2400;) {
      t += -std::log(1 - random.UnitDouble()) / 0.05;
      s.tasks.push_back(SimTask{.arrival_s = t,
                                .origin = random.Below(2),
                                .work = uniform(60, 240),
                                .memory_gb = uniform(0.5, 2),
                                .power_efficient = random.UnitDouble() < 0.7});
    }
    s.horizon_s = 20000;  // the run ends when every task has finished
  }
  return s;
}

}  // namespace huddle::taskd
