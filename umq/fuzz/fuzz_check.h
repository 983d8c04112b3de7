// Shared by the fuzz targets: a check that stays on in optimized builds and
// aborts (so libFuzzer records the input as a crash) with a message.
#pragma once

#include <cstdio>
#include <cstdlib>

#define UMQ_FUZZ_CHECK(cond, ...)                                               \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "fuzz oracle violated at %s:%d: %s\n", __FILE__,     \
                   __LINE__, #cond);                                            \
      std::fprintf(stderr, __VA_ARGS__);                                        \
      std::fprintf(stderr, "\n");                                               \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
