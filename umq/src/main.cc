// umq: apply, check and report a kernel patch queue. See cli.cc.
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <string>

#include "cli.h"

int main(int argc, char** argv) {
  umq::RealFileSystem fs;
  umq::RealProcessRunner runner;
  umq::CliEnv env{fs, runner, std::cout, std::cerr, {}};
  char path[PATH_MAX];
  if (getcwd(path, sizeof path)) env.cwd = path;
  const ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
  if (len > 0) {
    path[len] = '\0';
    env.self_dir = umq::dir_name(path);
  }
  for (const char* name : {"UMQ_QUEUE", "UMQ_OVERLAY"}) {
    if (const char* v = std::getenv(name)) env.vars[name] = v;
  }
  // Test hooks: die like SIGKILL after N journaled file operations; sleep
  // after each one so that a test can SIGKILL a run in the middle.
  const char* crash = std::getenv("UMQ_TEST_CRASH_AFTER");
  const char* delay = std::getenv("UMQ_TEST_STEP_DELAY_MS");
  if (crash || delay) {
    const long limit = crash ? std::strtol(crash, nullptr, 10) : 0;
    const long delay_ms = delay ? std::strtol(delay, nullptr, 10) : 0;
    env.step = [limit, delay_ms, count = 0L]() mutable {
      if (limit > 0 && ++count >= limit) {
        std::cout.flush();
        _exit(137);
      }
      if (delay_ms > 0) usleep(static_cast<useconds_t>(delay_ms * 1000));
    };
  }
  return umq::run_cli(argc, argv, env);
}
