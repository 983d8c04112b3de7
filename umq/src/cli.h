// The command line: subcommands only; the work is done by the library.
#pragma once

#include <ostream>
#include <string>

#include "file_system.h"
#include "journal.h"
#include "process_runner.h"

namespace umq {

struct CliEnv {
  FileSystem& fs;
  ProcessRunner& runner;
  std::ostream& out;
  std::ostream& err;
  Journal::StepHook step;  // after every journaled file operation (test hook)
};

// Returns the process exit code: 0 success / known state, 1 failure, 2 usage.
int run_cli(int argc, const char* const* argv, CliEnv& env);

}  // namespace umq
