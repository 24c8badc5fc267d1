#pragma once

namespace huddle::sim {

// `huddle sim`: runs scenarios and prints the comparison. argv[0] is "sim".
//   huddle sim --scenario NAME|FILE|all [--policies a,b,...] [--trials N] [--seed S]
//              [--format markdown|json] [--out DIR] [--threads N]
//   huddle sim --list
//   huddle sim --sensitivity [--scenario slow_server] [--trials N]
// Returns the process exit code (0 ok, 1 run failure, 2 bad usage).
int RunSimCommand(int argc, char** argv);

}  // namespace huddle::sim
