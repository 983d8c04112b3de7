// The command line: subcommands only; the work is done by the library.
#pragma once

#include <map>
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
  // Where the defaults come from: the current directory (the tree when it is
  // a kernel tree; its patches/), the environment variables umq reads
  // (UMQ_QUEUE, UMQ_OVERLAY) and the directory of the umq binary (the
  // project whose patches/ it falls back to).
  std::string cwd = {};
  std::map<std::string, std::string> vars = {};
  std::string self_dir = {};
};

// The queue to use when --queue is not given: $UMQ_QUEUE, else CWD/patches
// when it holds a series file, else the patches/ (with a series file) of the
// nearest directory at or above |self_dir|. "" when there is none.
std::string default_queue(FileSystem& fs, const CliEnv& env);

// Returns the process exit code: 0 success / known state, 1 failure, 2 usage.
int run_cli(int argc, const char* const* argv, CliEnv& env);

}  // namespace umq
