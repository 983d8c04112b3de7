#include "apply_hunks.h"

#include <gtest/gtest.h>

#include <string>

namespace umq {
namespace {

std::string numbered(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

std::vector<Hunk> hunks_of(const std::string& diff) {
  return parse_patch("--- a/f\n+++ b/f\n" + diff, "t.patch").files.at(0).hunks;
}

const char kChange10[] =
    "@@ -8,5 +8,5 @@\n"
    " line 8\n"
    " line 9\n"
    "-line 10\n"
    "+line ten\n"
    " line 11\n"
    " line 12\n";

TEST(ApplyHunks, ExactPosition) {
  const HunkResult r = apply_hunks(numbered(1, 20), hunks_of(kChange10));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(r.content, numbered(1, 9) + "line ten\n" + numbered(11, 20));
}

TEST(ApplyHunks, OffsetInBothDirections) {
  // Three extra lines before: the hunk applies 3 lines later.
  const std::string later = "x\ny\nz\n" + numbered(1, 20);
  HunkResult r = apply_hunks(later, hunks_of(kChange10));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].offset, 3);
  EXPECT_EQ(r.notes[0].describe(), "hunk #1 applied at offset +3 lines");
  // Two lines missing before: 2 lines earlier.
  r = apply_hunks(numbered(3, 20), hunks_of(kChange10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.notes.at(0).offset, -2);
  EXPECT_EQ(r.content, numbered(3, 9) + "line ten\n" + numbered(11, 20));
}

TEST(ApplyHunks, SecondHunkOffsetIsReported) {
  const std::vector<Hunk> hunks = hunks_of(
      "@@ -2,3 +2,3 @@\n line 2\n-line 3\n+line three\n line 4\n"
      "@@ -12,3 +12,3 @@\n line 12\n-line 13\n+line thirteen\n line 14\n");
  std::string content = numbered(1, 8) + "extra a\nextra b\nextra c\n" + numbered(9, 20);
  const HunkResult r = apply_hunks(content, hunks);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].describe(), "hunk #2 applied at offset +3 lines");
}

TEST(ApplyHunks, ContextMismatchNamesTheLine) {
  std::string content = numbered(1, 20);
  content.replace(content.find("line 11\n"), 8, "LINE 11\n");
  const HunkResult r = apply_hunks(content, hunks_of(kChange10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->hunk, 1);
  EXPECT_EQ(r.failure->patch_line, 3);
  EXPECT_EQ(r.failure->reason,
            "context mismatch at line 11 of target: expected \"line 11\\n\", found \"LINE 11\\n\"");
}

TEST(ApplyHunks, FuzzOffByDefaultOnWhenAsked) {
  std::string content = numbered(1, 20);
  content.replace(content.find("line 8\n"), 7, "LINE 8\n");  // first context line differs
  EXPECT_FALSE(apply_hunks(content, hunks_of(kChange10)).ok());
  const HunkResult r = apply_hunks(content, hunks_of(kChange10), 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].fuzz, 1);
  EXPECT_EQ(r.notes[0].describe(), "hunk #1 applied with fuzz 1");
  EXPECT_NE(r.content.find("LINE 8\nline 9\nline ten\n"), std::string::npos);
  // Fuzz never ignores the changed lines themselves.
  std::string other = numbered(1, 20);
  other.replace(other.find("line 10\n"), 8, "LINE 10\n");
  EXPECT_FALSE(apply_hunks(other, hunks_of(kChange10), 3).ok());
}

TEST(ApplyHunks, NoNewlineAtEndOfFileBothSides) {
  // Add a newline to a last line that had none.
  HunkResult r = apply_hunks("a\nb", hunks_of("@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.content, "a\nb\n");
  // Remove it again.
  r = apply_hunks("a\nb\n", hunks_of("@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.content, "a\nb");
  // A hunk expecting a newline does not match a file without one.
  EXPECT_FALSE(apply_hunks("a\nb", hunks_of("@@ -1,2 +1,2 @@\n a\n-b\n+c\n")).ok());
}

TEST(ApplyHunks, CrlfContentIsUntouched) {
  const HunkResult r =
      apply_hunks("a\r\nb\r\nc\r\n", hunks_of("@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.content, "a\r\nB\r\nc\r\n");
  // LF-only hunk lines do not match CRLF content.
  EXPECT_FALSE(apply_hunks("a\r\nb\r\nc\r\n", hunks_of("@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")).ok());
}

TEST(ApplyHunks, NewFileFromNothingAndReverseToNothing) {
  const std::vector<Hunk> create = hunks_of("@@ -0,0 +1,2 @@\n+x\n+y\n");
  HunkResult r = apply_hunks("", create);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.content, "x\ny\n");
  FileDiff d;
  d.hunks = create;
  r = apply_hunks("x\ny\n", reverse_diff(d).hunks);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.content, "");
}

TEST(ApplyHunks, HunkAtStartOfFileStaysThere) {
  // Less leading than trailing context: the hunk was made at the start.
  const std::vector<Hunk> h = hunks_of("@@ -1,3 +1,4 @@\n+header\n a\n b\n c\n");
  EXPECT_EQ(apply_hunks("a\nb\nc\nd\n", h).content, "header\na\nb\nc\nd\n");
  EXPECT_FALSE(apply_hunks("z\na\nb\nc\nd\n", h).ok());
}

TEST(ApplyHunks, ReverseApplicationRestoresTheOriginal) {
  const std::string original = numbered(1, 20);
  const std::vector<Hunk> fwd = hunks_of(kChange10);
  const HunkResult applied = apply_hunks(original, fwd);
  FileDiff d;
  d.hunks = fwd;
  const HunkResult back = apply_hunks(applied.content, reverse_diff(d).hunks);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.content, original);
  // Applying twice fails: the context is gone.
  EXPECT_FALSE(apply_hunks(applied.content, fwd).ok());
}

}  // namespace
}  // namespace umq
