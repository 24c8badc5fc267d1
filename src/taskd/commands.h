#pragma once

namespace huddle {

// `huddle tasks ...`: the task service. argv[0] is "tasks".
//   huddle tasks coordinator -c FILE            the coordinator (HTTP API, balancing, history)
//   huddle tasks worker --coordinator URL ...   a worker agent (huddle tasks worker --help)
//   huddle tasks demo                           coordinator + three workers on loopback, then exit
//   huddle tasks evaluate [--out FILE]          the seed's five scenarios, simulated
//   huddle tasks waves [--graphs N]             Echo and Finn over loopback HTTP on generated
//   graphs
// Returns the process exit code (0 ok, 1 failure, 2 bad usage).
int RunTasksCommand(int argc, char** argv);

}  // namespace huddle
