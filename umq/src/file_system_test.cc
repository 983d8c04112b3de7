#include "file_system.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace umq {
namespace {

class RealFileSystemTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/umq-fs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
  RealFileSystem fs_;
};

TEST_F(RealFileSystemTest, WriteReadRenameRemove) {
  const std::string a = join_path(dir_, "sub/a.txt");
  fs_.make_dirs(dir_name(a));
  fs_.write_file(a, std::string("x\0y\r\n", 5), 0755);
  EXPECT_EQ(fs_.read_file(a), std::string("x\0y\r\n", 5));
  EXPECT_EQ(fs_.stat(a)->mode, 0755u);  // exact, whatever the umask
  fs_.chmod(a, 0644);
  EXPECT_EQ(fs_.stat(a)->mode, 0644u);
  fs_.rename(a, join_path(dir_, "b.txt"));
  EXPECT_FALSE(fs_.exists(a));
  EXPECT_EQ(fs_.list_files_recursive(dir_), std::vector<std::string>{"b.txt"});
  fs_.remove_file(join_path(dir_, "b.txt"));
  fs_.remove_dir(join_path(dir_, "sub"));
  EXPECT_TRUE(fs_.list_dir(dir_).empty());
  EXPECT_THROW(fs_.read_file(a), FsError);
  fs_.sync_dir(dir_);
}

TEST_F(RealFileSystemTest, DirectoryLockIsExclusive) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();  // before locking: the child must not inherit the lock
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    if (read(ready[0], &c, 1) != 1) _exit(2);
    RealFileSystem fs;
    bool waited = false;
    alarm(5);
    fs.lock_dir(dir_, [&] { waited = true; });
    _exit(waited ? 0 : 1);  // the parent held it, so we had to wait
  }
  auto lock = fs_.lock_dir(dir_, {});
  ASSERT_EQ(write(ready[1], "x", 1), 1);
  usleep(300 * 1000);
  lock.reset();
  int status = 0;
  waitpid(child, &status, 0);
  close(ready[0]);
  close(ready[1]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(PathHelpers, JoinDirBase) {
  EXPECT_EQ(join_path("a", "b"), "a/b");
  EXPECT_EQ(join_path("a/", "b"), "a/b");
  EXPECT_EQ(join_path("", "b"), "b");
  EXPECT_EQ(dir_name("a/b/c"), "a/b");
  EXPECT_EQ(dir_name("c"), "");
  EXPECT_EQ(dir_name("/c"), "/");
  EXPECT_EQ(base_name("a/b/c"), "c");
}

}  // namespace
}  // namespace umq
