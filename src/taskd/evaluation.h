#pragma once

namespace huddle::taskd {

// `huddle tasks evaluate`: the seed's five scenarios in simulation (task_simulator.h), the
// adaptive planner against a fixed-threshold baseline over several seeds; writes the markdown
// report (docs/benchmarks/tasks.md).
int RunEvaluateCommand(int argc, char** argv);

}  // namespace huddle::taskd
