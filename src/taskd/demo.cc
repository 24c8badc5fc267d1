#include "taskd/demo.h"
namespace huddle::taskd {
int RunDemoCommand(int, char**) { return 1; }
}  // namespace huddle::taskd
