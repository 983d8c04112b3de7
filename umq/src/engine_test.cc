#include "engine.h"

#include <gtest/gtest.h>

#include "blob_id.h"
#include "memory_file_system.h"

namespace umq {
namespace {

class EngineTest : public testing::Test {
 protected:
  void SetUp() override {
    fs_.add_file("/t/a.c", "one\ntwo\nthree\n");
    fs_.add_file("/t/old.txt", "bye\n");
    fs_.add_file("/t/tool.sh", "#!/bin/sh\n", 0644);
  }
  Patch patch(const std::string& text) { return parse_patch(text, "p.patch"); }
  MemoryFileSystem fs_;
  TreeView view_{fs_, "/t"};
};

const char kModify[] =
    "diff --git a/a.c b/a.c\n"
    "--- a/a.c\n+++ b/a.c\n"
    "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n";

TEST_F(EngineTest, ModifyForwardAndReverse) {
  const Patch p = patch(kModify);
  apply_patch(view_, p, {}, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "one\nTWO\nthree\n");
  apply_patch(view_, p, EngineOptions{0, true}, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "one\ntwo\nthree\n");
  EXPECT_TRUE(view_.changes().empty());
}

TEST_F(EngineTest, AlreadyAppliedIsDetectedByTheReverse) {
  const Patch p = patch(kModify);
  apply_patch(view_, p, {}, nullptr);
  try {
    apply_patch(view_, p, {}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(e.patch(), "p.patch");
    EXPECT_EQ(e.file(), "a.c");
    EXPECT_EQ(e.hunk(), 1);
    EXPECT_EQ(e.patch_line(), 4);
    EXPECT_EQ(std::string(e.what()),
              "p.patch:4: a.c: hunk #1: context mismatch at line 2 of target: expected "
              "\"two\\n\", found \"TWO\\n\" (already applied: the reverse applies cleanly)");
  }
}

TEST_F(EngineTest, NewFileWithModeAndExisting) {
  const Patch p = patch(
      "diff --git a/sub/dir/new.sh b/sub/dir/new.sh\nnew file mode 100755\n"
      "index 0000000..1234567\n--- /dev/null\n+++ b/sub/dir/new.sh\n@@ -0,0 +1 @@\n+echo\n");
  apply_patch(view_, p, {}, nullptr);
  EXPECT_EQ(view_.get("sub/dir/new.sh").content, "echo\n");
  EXPECT_EQ(view_.get("sub/dir/new.sh").mode, 0755u);
  try {
    apply_patch(view_, p, {}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(e.reason(), "file already exists (already applied: same content)");
  }
  apply_patch(view_, p, EngineOptions{0, true}, nullptr);
  EXPECT_FALSE(view_.exists("sub/dir/new.sh"));
}

TEST_F(EngineTest, DeletedFileContentMustMatch) {
  const Patch del = patch(
      "diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n"
      "--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n");
  apply_patch(view_, del, {}, nullptr);
  EXPECT_FALSE(view_.exists("old.txt"));
  try {
    apply_patch(view_, del, {}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(e.reason(), "missing file (already applied: the file is already deleted)");
  }
  apply_patch(view_, del, EngineOptions{0, true}, nullptr);
  EXPECT_EQ(view_.get("old.txt").content, "bye\n");

  // Different content: refuse.
  view_.write("old.txt", "bye\nmore\n", 0644);
  EXPECT_THROW(apply_patch(view_, del, {}, nullptr), ApplyError);
}

TEST_F(EngineTest, ModeChangeOnly) {
  const Patch p = patch("diff --git a/tool.sh b/tool.sh\nold mode 100644\nnew mode 100755\n");
  apply_patch(view_, p, {}, nullptr);
  EXPECT_EQ(view_.get("tool.sh").mode, 0755u);
  EXPECT_EQ(view_.get("tool.sh").content, "#!/bin/sh\n");
  apply_patch(view_, p, EngineOptions{0, true}, nullptr);
  EXPECT_EQ(view_.get("tool.sh").mode, 0644u);
}

TEST_F(EngineTest, RenameWithChange) {
  const Patch p = patch(
      "diff --git a/a.c b/b.c\nsimilarity index 70%\nrename from a.c\nrename to b.c\n"
      "--- a/a.c\n+++ b/b.c\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
  apply_patch(view_, p, {}, nullptr);
  EXPECT_FALSE(view_.exists("a.c"));
  EXPECT_EQ(view_.get("b.c").content, "one\n2\nthree\n");
  apply_patch(view_, p, EngineOptions{0, true}, nullptr);
  EXPECT_FALSE(view_.exists("b.c"));
  EXPECT_EQ(view_.get("a.c").content, "one\ntwo\nthree\n");
}

TEST_F(EngineTest, MissingFileAndNotAppliedOnReverse) {
  const Patch p = patch("--- a/nope.c\n+++ b/nope.c\n@@ -1 +1 @@\n-a\n+b\n");
  try {
    apply_patch(view_, p, {}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(std::string(e.what()), "p.patch:1: nope.c: missing file");
  }
  try {
    apply_patch(view_, patch(kModify), EngineOptions{0, true}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_NE(e.reason().find("(not applied: the patch itself applies cleanly)"),
              std::string::npos);
  }
}

TEST_F(EngineTest, NotesForOffsetsNameTheFile) {
  view_.write("a.c", "zero\none\ntwo\nthree\n", 0644);
  std::vector<std::string> notes;
  apply_patch(view_, patch(kModify), {}, &notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "a.c: hunk #1 applied at offset +1 line");
}

// Found by fuzz_apply: a patch whose index line names a.c exactly as it is but
// whose lines make something else than its postimage id (a damaged patch) was
// applied, and `umq apply` wrote the result.
TEST_F(EngineTest, CheckIdsRefusesAResultOtherThanThePostimageOfAProvenPreimage) {
  const std::string pre = blob_id("one\ntwo\nthree\n").substr(0, 12);
  const std::string post = blob_id("one\nTWO\nthree\n").substr(0, 12);
  const std::string damaged = "diff --git a/a.c b/a.c\nindex " + pre + ".." + post +
                              " 100644\n--- a/a.c\n+++ b/a.c\n"
                              "@@ -1,3 +1,3 @@\n one\n-two\n+TW0\n three\n";
  const Patch p = patch(damaged);
  const EngineOptions check{0, false, true};
  try {
    apply_patch(view_, p, check, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.patch:1: a.c: the result is not the postimage " + post + " of the index line (it is " +
                  blob_id("one\nTW0\nthree\n").substr(0, 12) +
                  ") although the file was its preimage " + pre + ": the patch is damaged");
  }
  EXPECT_TRUE(view_.changes().empty());
  // The same in reverse: TWO is the proven postimage, two must come back.
  view_.write("a.c", "one\nTWO\nthree\n", 0644);
  const Patch rev = patch("diff --git a/a.c b/a.c\nindex " + pre + ".." + post +
                          " 100644\n--- a/a.c\n+++ b/a.c\n"
                          "@@ -1,3 +1,3 @@\n one\n-tw0\n+TWO\n three\n");
  EXPECT_THROW(apply_patch(view_, rev, EngineOptions{0, true, true}, nullptr), ApplyError);
  view_.write("a.c", "one\ntwo\nthree\n", 0644);
  // A new file: the null preimage is proven by the file's absence.
  const Patch created = patch("diff --git a/n.c b/n.c\nnew file mode 100644\nindex 0000000.." + post +
                              "\n--- /dev/null\n+++ b/n.c\n@@ -0,0 +1 @@\n+n\n");
  EXPECT_THROW(apply_patch(view_, created, check, nullptr), ApplyError);
  // Not checking (verify and import report ids themselves), or a preimage the
  // tree does not have (a user's own tree): applied as before.
  apply_patch(view_, p, {}, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "one\nTW0\nthree\n");
  view_.write("a.c", "one\ntwo\nthree\n\nmine\n", 0644);
  apply_patch(view_, p, check, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "one\nTW0\nthree\n\nmine\n");
  // A consistent patch passes the check.
  view_.write("a.c", "one\ntwo\nthree\n", 0644);
  apply_patch(view_, patch("diff --git a/a.c b/a.c\nindex " + pre + ".." + post + " 100644\n" +
                           std::string(kModify).substr(std::string(kModify).find("---"))),
              check, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "one\nTWO\nthree\n");
}

// Found by fuzz_apply: a hunk that applied forward could not be undone, so
// `umq unapply` would fail or, worse, restore something else. A creation hunk
// whose new side claims line 9 applied (a new file starts at line 1) but its
// reverse looked for the line at 9; a hunk without context applied at an
// offset while its reverse matched at the stated line.
TEST_F(EngineTest, AnApplicationThatCannotBeUndoneIsRefused) {
  const Patch created = patch("--- /dev/null\n+++ b/n.c\n@@ -0,0 +9 @@\n+int c;\n");
  try {
    apply_patch(view_, created, {}, nullptr);
    FAIL();
  } catch (const ApplyError& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.patch:1: n.c: the reverse of this diff would not give the file back (the @@ line "
              "numbers disagree with where the hunks applied): refusing a change umq could not undo");
  }
  EXPECT_TRUE(view_.changes().empty());

  view_.write("a.c", "two\nx\none\n", 0644);
  const Patch no_context = patch("--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-one\n+two\n");
  EXPECT_THROW(apply_patch(view_, no_context, {}, nullptr), ApplyError);
  EXPECT_EQ(view_.get("a.c").content, "two\nx\none\n");
  // At an offset that the reverse finds again: fine.
  view_.write("a.c", "x\none\n", 0644);
  apply_patch(view_, no_context, {}, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "x\ntwo\n");
  apply_patch(view_, no_context, EngineOptions{0, true}, nullptr);
  EXPECT_EQ(view_.get("a.c").content, "x\none\n");
}

}  // namespace
}  // namespace umq
