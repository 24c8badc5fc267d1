#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

namespace huddle {

struct BrainDemoOptions {
  std::chrono::seconds duration{45};  // virtual seconds
  // Real time spent per virtual second, so a person can watch; zero runs flat out (tests).
  std::chrono::milliseconds pace{100};
  uint64_t seed = 7;
};

// A terminal demo of the brain through the public Cluster API, on a virtual clock: six servers,
// one turns 5x slow at 10 s and recovers at 25 s; the thermal policy rotates it out and back.
// Prints every rotation as it happens and a share table every 5 virtual seconds. Returns the
// process exit code (0 when the slow server was rotated out and came back).
int RunBrainDemo(std::ostream& out, const BrainDemoOptions& options);

}  // namespace huddle
