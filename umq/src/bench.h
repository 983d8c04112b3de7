// "umq bench-apply": time applying the whole series with umq (in process),
// "git apply" and GNU "patch -p1", each on its own scratch copy of the tree,
// several repetitions; print medians and ratios against umq. A benchmark,
// not a test.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "file_system.h"
#include "process_runner.h"

namespace umq {

struct BenchOptions {
  std::string tree;       // pristine tree
  std::string queue_dir;  // holds "series"
  int repetitions = 5;
  bool full_copy = false;  // copy the whole tree (cp -a) instead of the touched files
  std::string scratch;     // parent of the scratch copies ("" = $TMPDIR or /tmp)
};

double median(std::vector<double> values);

// Returns the exit code.
int run_bench(FileSystem& fs, ProcessRunner& runner, const BenchOptions& options,
              std::ostream& out, std::ostream& err);

}  // namespace umq
