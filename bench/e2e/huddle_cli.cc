// Stand-in for apps/huddle until its main() dispatches the proxy commands: the bench script
// builds it from the proxy build's libraries (see run.sh) when `huddle upstream` is unknown.
#include <cstdio>
#include <cstring>

#include "proxy/commands.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: huddle-cli proxy|check|upstream|demo ...\n");
    return 2;
  }
  const char* cmd = argv[1];
  if (std::strcmp(cmd, "proxy") == 0) return huddle::proxy::RunProxyCommand(argc - 1, argv + 1);
  if (std::strcmp(cmd, "check") == 0) return huddle::proxy::RunCheckCommand(argc - 1, argv + 1);
  if (std::strcmp(cmd, "upstream") == 0)
    return huddle::proxy::RunUpstreamCommand(argc - 1, argv + 1);
  if (std::strcmp(cmd, "demo") == 0) return huddle::proxy::RunDemoCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "huddle-cli: unknown command '%s'\n", cmd);
  return 2;
}
