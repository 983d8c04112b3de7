#include "bench.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "test_queue.h"

namespace umq {
namespace {

TEST(Bench, Median) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({}), 0);
}

// Runs the benchmark on a real scratch directory with a fake git and patch:
// checks what it runs and what it prints.
TEST(Bench, RunsEachToolOnItsOwnCopy) {
  char tmpl[] = "/tmp/umq-bench-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  RealFileSystem fs;
  const std::string a0 = "one\ntwo\nthree\n", a1 = "one\nTWO\nthree\n";
  fs.write_file(dir + "/Makefile", "VERSION = 7\nPATCHLEVEL = 3\n", 0644);
  fs.make_dir(dir + "/tree");
  fs.write_file(dir + "/tree/Makefile", "VERSION = 7\nPATCHLEVEL = 3\n", 0644);
  fs.write_file(dir + "/tree/a.c", a0, 0644);
  fs.make_dir(dir + "/q");
  fs.write_file(dir + "/q/series", "0001-a.patch\n", 0644);
  fs.write_file(dir + "/q/0001-a.patch",
                testing_util::modify("a.c", a0, a1, "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"),
                0644);
  std::vector<std::string> cwds;
  FakeProcessRunner runner([&](const std::vector<std::string>&, const std::string& cwd) {
    cwds.push_back(cwd);
    return ProcessResult{0, "", ""};
  });
  BenchOptions options;
  options.tree = dir + "/tree";
  options.queue_dir = dir + "/q";
  options.repetitions = 2;
  options.scratch = dir;
  std::ostringstream out, err;
  EXPECT_EQ(run_bench(fs, runner, options, out, err), 0) << err.str();
  size_t git = 0, patch = 0;
  for (const auto& call : runner.calls) {
    if (call[0] == "git") {
      ++git;
      EXPECT_EQ(call, (std::vector<std::string>{"git", "apply", dir + "/q/0001-a.patch"}));
    }
    if (call[0] == "patch") {
      ++patch;
      EXPECT_EQ(call, (std::vector<std::string>{"patch", "-p1", "-s", "-i", dir + "/q/0001-a.patch"}));
    }
  }
  EXPECT_EQ(git, 2u);
  EXPECT_EQ(patch, 2u);
  EXPECT_NE(cwds[0], cwds[1]);  // a fresh copy for every run
  EXPECT_NE(out.str().find("umq (in process)   median"), std::string::npos);
  EXPECT_NE(out.str().find("git apply          median"), std::string::npos);
  EXPECT_NE(out.str().find("x umq"), std::string::npos);
  // The umq copies were really patched.
  int patched = 0;
  for (const std::string& name : fs.list_dir(dir)) {
    if (name.rfind("umq-bench-", 0) != 0) continue;
    for (const std::string& copy : fs.list_dir(dir + "/" + name)) {
      if (fs.read_file(dir + "/" + name + "/" + copy + "/a.c") == a1) ++patched;
    }
  }
  EXPECT_EQ(patched, 2);  // the fake "rm -rf" left them for us to look at
  std::system(("rm -rf " + dir).c_str());
}

TEST(Bench, RefusesATreeThatIsNotPristine) {
  MemoryFileSystem fs;
  testing_util::TestQueue::write_queue(fs);
  testing_util::TestQueue::write_tree(fs, 2);
  FakeProcessRunner runner([](const auto&, const auto&) { return ProcessResult{0, "", ""}; });
  BenchOptions options;
  options.tree = "/t";
  options.queue_dir = "/q";
  std::ostringstream out, err;
  EXPECT_EQ(run_bench(fs, runner, options, out, err), 1);
  EXPECT_NE(err.str().find("needs a pristine tree"), std::string::npos);
  EXPECT_TRUE(runner.calls.empty());
}

}  // namespace
}  // namespace umq
