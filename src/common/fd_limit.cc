#include "common/fd_limit.h"

#include <sys/resource.h>

#include <fstream>

namespace huddle::common {
namespace {

// /proc/sys/fs/nr_open: the most a process may ask for when its hard limit is unlimited.
rlim_t KernelMaxOpen() {
  std::ifstream in("/proc/sys/fs/nr_open");
  rlim_t n = 0;
  if (in >> n && n > 0) return n;
  return 1 << 20;
}

}  // namespace

FileLimit RaiseFileLimit() {
  rlimit now{};
  if (getrlimit(RLIMIT_NOFILE, &now) != 0) return {};
  FileLimit result{now.rlim_cur, now.rlim_max, false};
  const rlim_t target = now.rlim_max == RLIM_INFINITY ? KernelMaxOpen() : now.rlim_max;
  if (now.rlim_cur != RLIM_INFINITY && now.rlim_cur < target) {
    rlimit wanted{target, now.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) {
      result.soft = target;
      result.raised = true;
    }
  }
  return result;
}

}  // namespace huddle::common
