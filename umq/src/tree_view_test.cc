#include "tree_view.h"

#include <gtest/gtest.h>

#include "blob_id.h"
#include "memory_file_system.h"

namespace umq {
namespace {

TEST(TreeView, ReadsLazilyAndTracksChanges) {
  MemoryFileSystem fs;
  fs.add_file("/t/a", "A\n");
  fs.add_file("/t/b", "B\n", 0755);
  TreeView view(fs, "/t");
  EXPECT_TRUE(view.exists("a"));
  EXPECT_FALSE(view.exists("c"));
  EXPECT_EQ(view.get("b").mode, 0755u);
  EXPECT_EQ(view.id("a"), blob_id("A\n"));
  EXPECT_EQ(view.id("c"), "");
  view.write("a", "A2\n", 0644);
  view.write("c", "C\n", 0644);
  view.remove("b");
  view.write("x", "tmp", 0644);
  view.remove("x");  // created and removed again: no change
  auto changes = view.changes();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].path, "a");
  EXPECT_EQ(changes[1].path, "b");
  EXPECT_FALSE(changes[1].after.exists);
  EXPECT_EQ(changes[2].path, "c");
  EXPECT_EQ(fs.read_file("/t/a"), "A\n");  // nothing written
}

TEST(TreeView, RejectsDirectories) {
  MemoryFileSystem fs;
  fs.add_file("/t/d/f", "");
  TreeView view(fs, "/t");
  EXPECT_THROW(view.get("d"), FsError);
}

}  // namespace
}  // namespace umq
