#include <cstdio>

#include "proxy/commands.h"

namespace huddle::proxy {

int RunDemoCommand(int /*argc*/, char** /*argv*/) {
  std::fprintf(stderr, "huddle demo: not built yet\n");
  return 1;
}

}  // namespace huddle::proxy
