#pragma once

namespace huddle::taskd {

// `huddle tasks demo`: a coordinator and three workers (child processes of this binary) on
// loopback ports; submits tasks, lets the planner move some, kills a worker in the middle of a
// migration, shows that no task is lost, prints what happened and exits.
int RunDemoCommand(int argc, char** argv);

}  // namespace huddle::taskd
