#include "overlay.h"

#include <gtest/gtest.h>

#include "memory_file_system.h"

namespace umq {
namespace {

class OverlayTest : public testing::Test {
 protected:
  void SetUp() override {
    fs_.add_file("/o/arch/um/tests/probe.c", "probe\n");
    fs_.add_file("/o/arch/um/Kconfig.test", "config X\n");
    fs_.add_file("/t/arch/um/Makefile", "obj-y +=\n");
    files_ = load_overlay(fs_, "/o");
  }
  MemoryFileSystem fs_;
  std::vector<OverlayFile> files_;
};

TEST_F(OverlayTest, LoadsMirroredPaths) {
  ASSERT_EQ(files_.size(), 2u);
  EXPECT_EQ(files_[0].path, "arch/um/Kconfig.test");
  EXPECT_EQ(files_[1].path, "arch/um/tests/probe.c");
  EXPECT_TRUE(load_overlay(fs_, "/missing").empty());
}

TEST_F(OverlayTest, BaseDirectory) {
  EXPECT_EQ(overlay_base(fs_, "/o"), "");  // has arch/: mirrors the tree root
  fs_.add_file("/o2/tests/probe.c", "probe\n");
  EXPECT_EQ(overlay_base(fs_, "/o2"), "arch/um");  // mirrors arch/um
  const auto files = load_overlay(fs_, "/o2", overlay_base(fs_, "/o2"));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "arch/um/tests/probe.c");
}

TEST_F(OverlayTest, ApplyStatusAndRemove) {
  TreeView view(fs_, "/t");
  EXPECT_EQ(overlay_status(view, files_).state, OverlayState::kNotApplied);
  EXPECT_TRUE(stage_overlay(view, files_).empty());
  EXPECT_EQ(view.changes().size(), 2u);
  EXPECT_EQ(overlay_status(view, files_).state, OverlayState::kApplied);
  // Applying again is a no-op.
  TreeView again = view;
  EXPECT_TRUE(stage_overlay(again, files_).empty());
  EXPECT_EQ(again.changes().size(), 2u);
  // A modified overlay file is reported and kept on removal.
  view.write("arch/um/tests/probe.c", "probe\nlocal\n", 0644);
  const OverlayStatus st = overlay_status(view, files_);
  EXPECT_EQ(st.state, OverlayState::kModified);
  EXPECT_EQ(st.describe(), "modified (1 of 2 files in place; differing: arch/um/tests/probe.c)");
  const auto kept = stage_overlay_removal(view, files_);
  EXPECT_EQ(kept, std::vector<std::string>{"arch/um/tests/probe.c"});
  EXPECT_FALSE(view.exists("arch/um/Kconfig.test"));
}

TEST_F(OverlayTest, RefusesToOverwriteADifferentFile) {
  fs_.add_file("/t/arch/um/Kconfig.test", "someone else's\n");
  TreeView view(fs_, "/t");
  const auto problems = stage_overlay(view, files_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "arch/um/Kconfig.test: the tree has a different file there; not overwriting it");
  EXPECT_TRUE(view.changes().empty());  // nothing staged at all
}

}  // namespace
}  // namespace umq
