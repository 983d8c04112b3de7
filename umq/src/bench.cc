#include "bench.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>

#include "engine.h"
#include "journal.h"
#include "queue.h"
#include "status.h"

namespace umq {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

namespace {

std::string absolute(const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return path;
  return join_path(buf, path);
}

// Applies the queue to |tree| the way "umq apply" does; with |write| false
// it stops before the journaled (fsynced) write.
void umq_apply(FileSystem& fs, const std::string& queue_dir, const std::string& tree,
               bool write) {
  const Queue queue = load_queue(fs, queue_dir);
  TreeView view(fs, tree);
  const Status st = compute_status(view, queue);
  if (!st.applied || *st.applied != 0) throw std::runtime_error("copy is not pristine");
  for (const QueuedPatch& p : queue.patches) apply_patch(view, p.patch, EngineOptions{}, nullptr);
  if (write) Journal(fs, tree).commit(view.changes());
}

}  // namespace

int run_bench(FileSystem& fs, ProcessRunner& runner, const BenchOptions& options,
              std::ostream& out, std::ostream& err) {
  const std::string tree = absolute(options.tree);
  const std::string queue_dir = absolute(options.queue_dir);
  const Queue queue = load_queue(fs, queue_dir);
  {
    TreeView view(fs, tree);
    const Status st = compute_status(view, queue);
    if (!st.applied || *st.applied != 0) {
      err << "umq: bench-apply needs a pristine tree; " << tree << " is: " << st.summary() << "\n";
      return 1;
    }
  }
  std::vector<std::string> files = {"Makefile"};
  const auto expectations = series_expectations(queue);
  for (const auto& [path, e] : expectations[0]) {
    if (e.kind != Expectation::kAbsent) files.push_back(path);
  }

  std::string parent = options.scratch;
  if (parent.empty()) parent = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = join_path(parent, "umq-bench-XXXXXX");
  if (!::mkdtemp(tmpl.data())) {
    err << "umq: cannot create a scratch directory in " << parent << "\n";
    return 1;
  }
  const std::string scratch = tmpl;
  int copy_no = 0;
  auto make_copy = [&]() {
    const std::string copy = join_path(scratch, fmt::format("copy{}", ++copy_no));
    if (options.full_copy) {
      const ProcessResult r = runner.run({"cp", "-a", tree, copy}, "");
      if (r.exit_code != 0) throw std::runtime_error("cp -a failed: " + r.err);
    } else {
      fs.make_dir(copy);
      for (const std::string& f : files) {
        const std::string src = join_path(tree, f);
        if (!fs.is_file(src)) continue;
        fs.make_dirs(dir_name(join_path(copy, f)));
        fs.write_file(join_path(copy, f), fs.read_file(src), fs.stat(src)->mode);
      }
    }
    return copy;
  };
  std::vector<std::string> patch_paths;
  for (const QueuedPatch& p : queue.patches) patch_paths.push_back(join_path(queue_dir, p.name));

  using Clock = std::chrono::steady_clock;
  auto seconds_of = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  struct Tool {
    std::string name;
    std::function<void(const std::string&)> run;
    std::vector<double> times;
  };
  std::vector<Tool> tools = {
      {"umq (in process)", [&](const std::string& copy) { umq_apply(fs, queue_dir, copy, true); }, {}},
      {"git apply",
       [&](const std::string& copy) {
         std::vector<std::string> argv = {"git", "apply"};
         argv.insert(argv.end(), patch_paths.begin(), patch_paths.end());
         const ProcessResult r = runner.run(argv, copy);
         if (r.exit_code != 0) throw std::runtime_error("git apply failed: " + r.err);
       },
       {}},
      {"patch -p1",
       [&](const std::string& copy) {
         for (const std::string& p : patch_paths) {
           const ProcessResult r = runner.run({"patch", "-p1", "-s", "-i", p}, copy);
           if (r.exit_code != 0) throw std::runtime_error("patch failed: " + r.out + r.err);
         }
       },
       {}},
      {"umq, no write",
       [&](const std::string& copy) { umq_apply(fs, queue_dir, copy, false); },
       {}},
  };
  int rc = 0;
  try {
    for (int rep = 0; rep < options.repetitions; ++rep) {
      for (Tool& tool : tools) {
        const std::string copy = make_copy();
        const auto t0 = Clock::now();
        tool.run(copy);
        tool.times.push_back(seconds_of(t0, Clock::now()));
      }
    }
    out << fmt::format("bench-apply: {} patches, {} repetitions, {} copies of {}\n"
                       "(umq includes parsing, status and its journal with fsyncs; "
                       "\"no write\" stops before writing)\n",
                       queue.size(), options.repetitions,
                       options.full_copy ? "full" : "touched-file", tree);
    const double base = median(tools[0].times);
    for (const Tool& tool : tools) {
      const double m = median(tool.times);
      out << fmt::format("  {:<18} median {:9.3f} ms   {:6.2f}x umq\n", tool.name, m * 1000,
                         base > 0 ? m / base : 0.0);
    }
  } catch (const std::exception& e) {
    err << "umq: bench-apply: " << e.what() << "\n";
    rc = 1;
  }
  runner.run({"rm", "-rf", scratch}, "");
  return rc;
}

}  // namespace umq
