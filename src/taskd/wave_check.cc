#include "taskd/wave_check.h"
namespace huddle::taskd {
int RunWavesCommand(int, char**) { return 1; }
}  // namespace huddle::taskd
