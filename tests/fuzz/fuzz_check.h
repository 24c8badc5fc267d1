#pragma once

#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(condition, what): a broken property of the code under test. Prints which one (the
// optimiser merges bare traps, so their lines are no guide) and aborts, which libFuzzer reports
// as a crash and keeps as a reproducer.
#define FUZZ_CHECK(condition, what)                                                      \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", what, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
