// umq: apply, check and report a kernel patch queue. See cli.cc.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "cli.h"

int main(int argc, char** argv) {
  umq::RealFileSystem fs;
  umq::RealProcessRunner runner;
  umq::CliEnv env{fs, runner, std::cout, std::cerr, {}};
  // Test hook: die like SIGKILL after N journaled file operations.
  if (const char* crash = std::getenv("UMQ_TEST_CRASH_AFTER")) {
    const long limit = std::strtol(crash, nullptr, 10);
    env.step = [limit, count = 0L]() mutable {
      if (++count >= limit) {
        std::cout.flush();
        _exit(137);
      }
    };
  }
  return umq::run_cli(argc, argv, env);
}
