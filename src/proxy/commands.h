#pragma once

namespace huddle::proxy {

// Entry points of the `huddle` subcommands this body provides. argv[0] is the subcommand name
// ("proxy", "check", ...); the return value is the process exit code.
//
//   huddle proxy -c FILE [--threads N]     run the data plane (SIGHUP reloads, SIGTERM drains)
//   huddle check -c FILE                   validate a config, print every error with file:line
//   huddle upstream --port P [--latency-ms X] [--jitter-ms J] [--fault SPEC]...
//   huddle demo [--duration S]             six upstreams with faults, the proxy, a load, a summary
int RunProxyCommand(int argc, char** argv);
int RunCheckCommand(int argc, char** argv);
int RunUpstreamCommand(int argc, char** argv);
int RunDemoCommand(int argc, char** argv);

}  // namespace huddle::proxy
