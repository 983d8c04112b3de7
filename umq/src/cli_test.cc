#include "cli.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "memory_file_system.h"
#include "test_queue.h"

namespace umq {
namespace {

using testing_util::TestQueue;

class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    TestQueue::write_queue(fs_);
    TestQueue::write_tree(fs_, 0);
    pristine_ = fs_.snapshot();
  }
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), "umq");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    CliEnv env{fs_, runner_, out_, err_, step_};
    env.cwd = cwd_;
    env.vars = vars_;
    env.self_dir = self_dir_;
    return run_cli(static_cast<int>(argv.size()), argv.data(), env);
  }
  std::string tree_args() { return "--tree=/t"; }

  MemoryFileSystem fs_;
  FakeProcessRunner runner_{[](const auto&, const auto&) { return ProcessResult{0, "", ""}; }};
  std::ostringstream out_, err_;
  Journal::StepHook step_;
  MemoryFileSystem::Snapshot pristine_;
  std::string cwd_ = "/";
  std::map<std::string, std::string> vars_;
  std::string self_dir_;
};

TEST_F(CliTest, StatusApplyVerifyUnapplyRoundTrip) {
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_EQ(out_.str().substr(0, 15), "pristine 7.3.4\n");
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q", "--upto", "2"}), 0);
  EXPECT_EQ(fs_.read_file("/t/c.c"), TestQueue::kC);
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_NE(out_.str().find("series applied up to 0002 (2/3)"), std::string::npos);
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_EQ(out_.str(), "applied 0003-b.patch\nnow at 0003 (3/3)\n");
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_EQ(out_.str(), "series already fully applied (3/3)\n");
  EXPECT_EQ(run({"verify", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_EQ(out_.str().substr(0, 12), "verify: OK: ");
  EXPECT_EQ(run({"unapply", "--tree", "/t", "--queue", "/q", "--downto", "0"}), 0);
  EXPECT_EQ(fs_.snapshot(), pristine_);
}

TEST_F(CliTest, FailedApplyWritesNothing) {
  fs_.add_file("/t/b.c", "x\nchanged\n");
  const auto before = fs_.snapshot();
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_EQ(fs_.snapshot(), before);
  EXPECT_NE(err_.str().find("/q/0003-b.patch:"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("b.c: hunk #1: context mismatch at line 2 of target"),
            std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("nothing was written"), std::string::npos);
}

// 0001 and 0002 go through in memory, 0003 fails: nothing is written, so
// nothing may be reported as applied.
TEST_F(CliTest, FailedApplyPrintsOnlyWhatHappened) {
  fs_.add_file("/t/b.c", "x\nchanged\n");
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str().find("applied 0001"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("umq: nothing was written; the tree is unchanged (still at pristine, 0/3)\n"),
            std::string::npos)
      << err_.str();
}

// Found by fuzz_apply: the tree is proven pristine by the ids, the patch's
// lines do not make the postimage its index line names; apply wrote it anyway
// (with a warning). It must refuse and write nothing.
TEST_F(CliTest, DamagedPatchOnAProvenTreeIsRefused) {
  std::string p = fs_.read_file("/q/0001-a.patch");
  p.replace(p.find("+TWO\n"), 5, "+TW0\n");
  fs_.add_file("/q/0001-a.patch", p);
  const auto before = fs_.snapshot();
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_EQ(fs_.snapshot(), before);
  EXPECT_NE(err_.str().find("/q/0001-a.patch:"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("a.c: the result is not the postimage"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("nothing was written"), std::string::npos) << err_.str();
}

// Found by fuzz_apply: by content the tree looked fully applied, the ids put
// a.c at pristine; apply said "series already fully applied" and exit 0.
TEST_F(CliTest, NothingToDoByAGuessTheIdsDisputeIsRefused) {
  fs_.add_file("/q/series", "1.patch\n");
  fs_.add_file("/q/1.patch", testing_util::modify("a.c", TestQueue::kA0, TestQueue::kA1,
                                                  "@@ -1,3 +1,3 @@\n one\n-two\n+two\n three\n") +
                                 "--- a/x.h\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
  const auto before = fs_.snapshot();
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_EQ(fs_.snapshot(), before);
  EXPECT_NE(err_.str().find("umq: refusing to apply: by content the tree looks at 0001 (1/1), but the ids "
                            "place a.c at pristine\n"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(run({"unapply", "--tree", "/t", "--queue", "/q", "--downto", "1"}), 1);
  EXPECT_NE(err_.str().find("refusing to unapply: by content"), std::string::npos) << err_.str();
}

TEST_F(CliTest, MalformedPatchIsReportedWithFileAndLine) {
  fs_.add_file("/q/0002-c.patch", "--- a/c.c\n+++ b/c.c\n@@ -1,2 +1,2 @@\n-x\n");
  const auto before = fs_.snapshot();
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_EQ(err_.str(),
            "umq: /q/0002-c.patch:3: truncated hunk: the patch ends 1 old and 2 new lines "
            "short of its @@ counts\n");
  EXPECT_EQ(fs_.snapshot(), before);
}

TEST_F(CliTest, StatusJsonAndUnknownState) {
  fs_.add_file("/t/a.c", "local\n");
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q", "--json"}), 1);
  EXPECT_NE(out_.str().find("\"known\": false"), std::string::npos);
  EXPECT_NE(out_.str().find("\"problem\": \"unknown edits in a.c\""), std::string::npos);
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q"}), 1);
  EXPECT_NE(out_.str().find("  unknown edits in a.c\n"), std::string::npos);
}

// status and verify only read: they name the interrupted run and the command
// that recovers it, and leave the journal and the tree as they are.
TEST_F(CliTest, StatusAndVerifyReportAnInterruptedRunAndChangeNothing) {
  struct Crash {};
  int steps = 0;
  step_ = [&] {
    if (++steps == 7) throw Crash{};
  };
  EXPECT_THROW(run({"apply", "--tree", "/t", "--queue", "/q"}), Crash);
  step_ = {};
  ASSERT_TRUE(fs_.exists("/t/.umq-journal"));
  const auto interrupted = fs_.snapshot();
  for (const char* cmd : {"status", "verify"}) {
    SCOPED_TRACE(cmd);
    EXPECT_EQ(run({cmd, "--tree", "/t", "--queue", "/q"}), 1);
    EXPECT_EQ(fs_.snapshot(), interrupted);
    EXPECT_NE(out_.str().find("an interrupted umq run left its journal in /t/.umq-journal"), std::string::npos)
        << out_.str();
    EXPECT_NE(out_.str().find("run `umq recover --tree /t`"), std::string::npos) << out_.str();
    EXPECT_EQ(err_.str().find("rolled back"), std::string::npos) << err_.str();
  }
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q", "--json"}), 1);
  EXPECT_NE(out_.str().find("\"recover\": \"umq recover --tree /t\""), std::string::npos) << out_.str();
  EXPECT_EQ(fs_.snapshot(), interrupted);
  EXPECT_EQ(run({"recover", "--tree", "/t"}), 0);
  EXPECT_NE(out_.str().find("rolled back an interrupted umq run"), std::string::npos);
  EXPECT_EQ(fs_.snapshot(), pristine_);
}

TEST_F(CliTest, ApplyRecoversAnInterruptedRunFirst) {
  struct Crash {};
  int steps = 0;
  step_ = [&] {
    if (++steps == 5) throw Crash{};
  };
  EXPECT_THROW(run({"apply", "--tree", "/t", "--queue", "/q", "--upto", "1"}), Crash);
  step_ = {};
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q", "--upto", "1"}), 0);
  EXPECT_NE(err_.str().find("rolled back an interrupted umq run"), std::string::npos);
  EXPECT_EQ(fs_.read_file("/t/a.c"), TestQueue::kA1);
  EXPECT_FALSE(fs_.exists("/t/.umq-journal"));
}

// Standing in a kernel tree: --tree is "."; the queue comes from --queue,
// else $UMQ_QUEUE, else ./patches, else the patches/ of the project the umq
// binary was built in.
TEST_F(CliTest, TreeDefaultsToTheCurrentKernelTreeAndTheQueueToTheProject) {
  TestQueue::write_tree(fs_, 0, "/src/linux");
  fs_.add_file("/src/linux/Kconfig", "mainmenu \"Linux\"\n");
  cwd_ = "/src/linux";
  vars_["UMQ_QUEUE"] = "/q";
  EXPECT_EQ(run({"status"}), 0) << err_.str();
  EXPECT_EQ(out_.str().substr(0, 15), "pristine 7.3.4\n");
  vars_.clear();
  TestQueue::write_queue(fs_, "/proj/patches");
  self_dir_ = "/proj/build/umq";
  EXPECT_EQ(run({"apply", "--upto", "1"}), 0) << err_.str();
  EXPECT_EQ(fs_.read_file("/src/linux/a.c"), TestQueue::kA1);
  EXPECT_NE(out_.str().find("applied 0001-a.patch"), std::string::npos);
  // Not a kernel tree, no --tree: say what is missing.
  cwd_ = "/q";
  EXPECT_EQ(run({"status"}), 1);
  EXPECT_EQ(err_.str(),
            "umq: --tree PATH is required: the current directory /q is not a kernel tree "
            "(no Makefile with VERSION and PATCHLEVEL, or no Kconfig)\n");
  // No queue anywhere.
  cwd_ = "/src/linux";
  self_dir_ = "/elsewhere";
  EXPECT_EQ(run({"status"}), 1);
  EXPECT_NE(err_.str().find("no patch queue: no --queue, no $UMQ_QUEUE, no patches/series in /src/linux"),
            std::string::npos)
      << err_.str();
}

TEST_F(CliTest, VersionAndReadableHelp) {
  EXPECT_EQ(run({"--version"}), 0);
  EXPECT_EQ(out_.str(), std::string("umq ") + UMQ_VERSION + "\n");
  EXPECT_EQ(run({"apply", "--help"}), 0);
  EXPECT_EQ(out_.str().find("INT:INT"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("--fuzz N"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("(0 to 3, default 0)"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q", "--fuzz", "4"}), 2);
  EXPECT_NE(err_.str().find("--fuzz"), std::string::npos) << err_.str();
}

TEST_F(CliTest, OverlayNeedsTheFullSeries) {
  fs_.add_file("/ov/extra/test.c", "overlay\n");
  EXPECT_EQ(run({"overlay", "--tree", "/t", "--queue", "/q", "--overlay", "/ov"}), 1);
  EXPECT_NE(err_.str().find("run `umq apply` first"), std::string::npos);
  ASSERT_EQ(run({"apply", "--tree", "/t", "--queue", "/q"}), 0);
  EXPECT_EQ(run({"overlay", "--tree", "/t", "--queue", "/q", "--overlay", "/ov"}), 0);
  EXPECT_EQ(fs_.read_file("/t/arch/um/extra/test.c"), "overlay\n");
  EXPECT_EQ(run({"status", "--tree", "/t", "--queue", "/q", "--overlay", "/ov"}), 0);
  EXPECT_NE(out_.str().find("overlay: applied (1 file)\n"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"overlay", "--remove", "--tree", "/t", "--queue", "/q", "--overlay", "/ov"}), 0);
  EXPECT_FALSE(fs_.exists("/t/arch"));
}

TEST_F(CliTest, ReportWritesFilesAndEndsWithTheCount) {
  fs_.add_file("/r/up-on.tap", "TAP version 13\n1..2\nok 1 a\nnot ok 2 b\n");
  fs_.add_file("/r/up-off.tap", "TAP version 13\n1..2\nok 1 a\nok 2 b # SKIP\n");
  EXPECT_EQ(run({"report", "--results", "/r"}), 1);
  const std::string out = out_.str();
  EXPECT_EQ(out.substr(out.size() - 38), "1 skipped, 0 xfail\n2 passed, 1 failed\n");
  EXPECT_TRUE(fs_.exists("/r/report/combined.tap"));
  EXPECT_TRUE(fs_.exists("/r/report/junit.xml"));
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(run({}), 2);
  EXPECT_EQ(run({"apply", "--queue", "/q"}), 1);
  EXPECT_EQ(err_.str().substr(0, 32), "umq: --tree PATH is required: th");
  EXPECT_EQ(run({"apply", "--tree", "/t", "--queue", "/q", "--upto", "9"}), 1);
  EXPECT_EQ(err_.str(), "umq: --upto 9: the series has only 3 patches\n");
  EXPECT_EQ(run({"frobnicate"}), 2);
}

}  // namespace
}  // namespace umq
