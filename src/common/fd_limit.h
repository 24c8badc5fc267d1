#pragma once

#include <cstdint>

namespace huddle::common {

// The process's open-file limit after RaiseFileLimit.
struct FileLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool raised = false;  // the soft limit was raised by this call
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit (a soft limit of 1024 would cap a proxy's
// connections far below its configured maximum). Never lowers it; an unlimited hard limit is
// capped at the kernel's nr_open.
FileLimit RaiseFileLimit();

}  // namespace huddle::common
