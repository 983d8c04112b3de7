#include "journal.h"

#include <gtest/gtest.h>

#include "memory_file_system.h"

namespace umq {
namespace {

struct Crash {};

// A tree and a set of changes touching it in every way: modify, create in a
// new directory, delete (emptying a directory), mode change.
class JournalTest : public testing::Test {
 protected:
  void SetUp() override {
    fs_.add_file("/t/Makefile", "VERSION = 7\n");
    fs_.add_file("/t/a.c", "old a\n");
    fs_.add_file("/t/gone/only.txt", "bye\n");
    fs_.add_file("/t/tool.sh", "#!/bin/sh\n", 0644);
    before_ = fs_.snapshot();
    TreeView view(fs_, "/t");
    view.write("a.c", "new a\n", 0644);
    view.write("new/dir/n.c", "created\n", 0644);
    view.remove("gone/only.txt");
    view.write("tool.sh", "#!/bin/sh\n", 0755);
    changes_ = view.changes();
    ASSERT_EQ(changes_.size(), 4u);
    Journal(fs_, "/t").commit(changes_);
    after_ = fs_.snapshot();
    EXPECT_NE(before_, after_);
    restore(before_);
  }

  void restore(const MemoryFileSystem::Snapshot& s) {
    fs_ = MemoryFileSystem();
    for (const std::string& d : s.dirs) fs_.make_dirs(d);
    for (const auto& [path, f] : s.files) fs_.add_file(path, f.data, f.mode);
  }

  MemoryFileSystem fs_;
  MemoryFileSystem::Snapshot before_, after_;
  std::vector<TreeChange> changes_;
};

TEST_F(JournalTest, CommitWritesEverythingAndLeavesNoJournal) {
  Journal(fs_, "/t").commit(changes_);
  EXPECT_EQ(fs_.snapshot(), after_);
  EXPECT_FALSE(fs_.exists("/t/gone"));  // emptied directory pruned
  EXPECT_EQ(fs_.stat("/t/tool.sh")->mode, 0755u);
  EXPECT_EQ(Journal(fs_, "/t").recover(), "");
}

// Crash after every single file operation; recovery must give either the
// tree before or the tree after, byte for byte, with no journal left.
TEST_F(JournalTest, CrashAtEveryStepRecovers) {
  int total = 0;
  Journal(fs_, "/t", [&] { ++total; }).commit(changes_);
  ASSERT_GT(total, 10);
  int rolled_back = 0, completed = 0;
  for (int crash_at = 1; crash_at <= total; ++crash_at) {
    restore(before_);
    int steps = 0;
    Journal crashing(fs_, "/t", [&] {
      if (++steps == crash_at) throw Crash{};
    });
    EXPECT_THROW(crashing.commit(changes_), Crash) << crash_at;
    const std::string what = Journal(fs_, "/t").recover();
    const auto now = fs_.snapshot();
    if (now == before_) {
      ++rolled_back;
    } else {
      EXPECT_EQ(now, after_) << "crash after step " << crash_at << ": " << what;
      ++completed;
    }
    EXPECT_FALSE(fs_.exists("/t/.umq-journal")) << crash_at;
  }
  EXPECT_GT(rolled_back, 0);
  EXPECT_GT(completed, 0);
}

// A crash during recovery itself is recovered by the next recovery.
TEST_F(JournalTest, CrashDuringRecoveryRecovers) {
  int total = 0;
  Journal(fs_, "/t", [&] { ++total; }).commit(changes_);
  restore(before_);
  for (int crash_at = 1; crash_at <= total; ++crash_at) {
    for (int recover_crash = 1; recover_crash <= 12; ++recover_crash) {
      restore(before_);
      int steps = 0;
      EXPECT_THROW(Journal(fs_, "/t", [&] {
                     if (++steps == crash_at) throw Crash{};
                   }).commit(changes_),
                   Crash);
      int rsteps = 0;
      try {
        Journal(fs_, "/t", [&] {
          if (++rsteps == recover_crash) throw Crash{};
        }).recover();
      } catch (const Crash&) {
      }
      Journal(fs_, "/t").recover();
      const auto now = fs_.snapshot();
      EXPECT_TRUE(now == before_ || now == after_) << crash_at << "/" << recover_crash;
    }
  }
}

TEST_F(JournalTest, IoErrorRollsBackAtOnce) {
  for (int fail_at = 1; fail_at <= 30; ++fail_at) {
    restore(before_);
    fs_.fail_on_mutation(fail_at);
    try {
      Journal(fs_, "/t").commit(changes_);
    } catch (const FsError&) {
    }
    fs_.fail_on_mutation(0);
    Journal(fs_, "/t").recover();
    const auto now = fs_.snapshot();
    EXPECT_TRUE(now == before_ || now == after_) << fail_at;
  }
}

TEST_F(JournalTest, RecoveryMessages) {
  int steps = 0;
  EXPECT_THROW(Journal(fs_, "/t", [&] {
                 if (++steps == 6) throw Crash{};
               }).commit(changes_),
               Crash);
  const auto interrupted = fs_.snapshot();
  EXPECT_EQ(Journal(fs_, "/t").describe_pending(),
            "an interrupted umq run left its journal in /t/.umq-journal: it may have changed some of its "
            "4 files; recovering restores them to their state before it");
  EXPECT_EQ(fs_.snapshot(), interrupted);
  EXPECT_EQ(Journal(fs_, "/t").recover(),
            "rolled back an interrupted umq run: restored 4 files to their state before it");
  EXPECT_EQ(fs_.snapshot(), before_);
  EXPECT_EQ(Journal(fs_, "/t").describe_pending(), "");
}

}  // namespace
}  // namespace umq
