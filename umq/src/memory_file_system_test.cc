#include "memory_file_system.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

TEST(MemoryFileSystem, FilesDirsAndListing) {
  MemoryFileSystem fs;
  fs.add_file("/t/a/b.c", "x", 0755);
  EXPECT_TRUE(fs.is_dir("/t/a"));
  EXPECT_EQ(fs.stat("/t/a/b.c")->mode, 0755u);
  EXPECT_EQ(fs.read_file("/t/a/b.c"), "x");
  fs.write_file("/t/c", "y", 0644);
  EXPECT_EQ(fs.list_dir("/t"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(fs.list_files_recursive("/t"), (std::vector<std::string>{"a/b.c", "c"}));
  EXPECT_THROW(fs.write_file("/nope/x", "", 0644), FsError);
  EXPECT_THROW(fs.remove_dir("/t/a"), FsError);  // not empty
}

TEST(MemoryFileSystem, RenameReplacesAndInjectedFailure) {
  MemoryFileSystem fs;
  fs.add_file("/t/a", "old");
  fs.add_file("/t/a.tmp", "new");
  fs.rename("/t/a.tmp", "/t/a");
  EXPECT_EQ(fs.read_file("/t/a"), "new");
  EXPECT_FALSE(fs.exists("/t/a.tmp"));
  fs.fail_on_mutation(2);
  fs.write_file("/t/b", "1", 0644);
  EXPECT_THROW(fs.write_file("/t/c", "2", 0644), FsError);
  EXPECT_FALSE(fs.exists("/t/c"));
}

}  // namespace
}  // namespace umq
