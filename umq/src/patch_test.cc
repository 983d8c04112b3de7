#include "patch.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

const char kMbox[] =
    "From 3a1b2c3d4e5f60718293a4b5c6d7e8f901234567 Mon Sep 17 00:00:00 2001\n"  // 1
    "From: Cong Wang <cwang@multikernel.io>\n"
    "Date: Fri, 19 Jun 2026 20:22:21 -0700\n"
    "Subject: [PATCH 4/7] um: skas: handle out-of-batch stub mmap\n"
    " notifications\n"  // 5: folded
    "\n"
    "The mmap validation so far only runs for mmaps the monitor queued.\n"
    "\n"
    "Signed-off-by: Cong Wang <cwang@multikernel.io>\n"
    "---\n"  // 10
    " arch/um/os-Linux/skas/process.c | 3 ++-\n"
    " 1 file changed, 2 insertions(+), 1 deletion(-)\n"
    "\n"
    "diff --git a/arch/um/os-Linux/skas/process.c b/arch/um/os-Linux/skas/process.c\n"
    "index 3a31e52cdcf8..0987eb79ce76 100644\n"  // 15
    "--- a/arch/um/os-Linux/skas/process.c\n"
    "+++ b/arch/um/os-Linux/skas/process.c\n"
    "@@ -32,3 +32,4 @@ static int x;\n"
    " #include <a.h>\n"
    "-#include <b.h>\n"  // 20
    "+#include <c.h>\n"
    "+#include <poll.h>\n"
    " #include <d.h>\n"
    "-- \n"
    "2.43.0\n"
    "\n";

TEST(Patch, ParsesGitFormatPatchMbox) {
  const Patch p = parse_patch(kMbox, "0004.patch");
  EXPECT_EQ(p.from, "Cong Wang <cwang@multikernel.io>");
  EXPECT_EQ(p.subject, "[PATCH 4/7] um: skas: handle out-of-batch stub mmap notifications");
  EXPECT_EQ(p.title(), "um: skas: handle out-of-batch stub mmap notifications");
  EXPECT_EQ(p.message,
            "The mmap validation so far only runs for mmaps the monitor queued.\n\n"
            "Signed-off-by: Cong Wang <cwang@multikernel.io>\n");
  ASSERT_EQ(p.files.size(), 1u);
  const FileDiff& d = p.files[0];
  EXPECT_EQ(d.old_path, "arch/um/os-Linux/skas/process.c");
  EXPECT_EQ(d.new_path, "arch/um/os-Linux/skas/process.c");
  EXPECT_EQ(d.old_id, "3a31e52cdcf8");
  EXPECT_EQ(d.new_id, "0987eb79ce76");
  EXPECT_EQ(d.patch_line, 14);
  ASSERT_EQ(d.hunks.size(), 1u);
  const Hunk& h = d.hunks[0];
  EXPECT_EQ(h.old_start, 32);
  EXPECT_EQ(h.old_count, 3);
  EXPECT_EQ(h.new_count, 4);
  EXPECT_EQ(h.patch_line, 18);
  EXPECT_EQ(h.heading, "static int x;");
  ASSERT_EQ(h.lines.size(), 5u);
  EXPECT_EQ(h.lines[1].kind, '-');
  EXPECT_EQ(h.lines[1].text, "#include <b.h>\n");
  EXPECT_EQ(h.lines[1].patch_line, 20);
  EXPECT_EQ(h.lines[4].text, "#include <d.h>\n");  // the "-- " signature is not a hunk line
}

TEST(Patch, ExtendedHeaders) {
  const char text[] =
      "diff --git a/new/file.c b/new/file.c\n"
      "new file mode 100755\n"
      "index 0000000..e69de29\n"
      "diff --git a/old.txt b/old.txt\n"
      "deleted file mode 100644\n"
      "index 5e1c309..0000000\n"
      "--- a/old.txt\n"
      "+++ /dev/null\n"
      "@@ -1 +0,0 @@\n"
      "-gone\n"
      "diff --git a/tool.sh b/tool.sh\n"
      "old mode 100644\n"
      "new mode 100755\n"
      "diff --git a/docs/readme.txt b/docs/README\n"
      "similarity index 100%\n"
      "rename from docs/readme.txt\n"
      "rename to docs/README\n";
  const Patch p = parse_patch(text, "x.patch");
  ASSERT_EQ(p.files.size(), 4u);
  EXPECT_TRUE(p.files[0].is_new);
  EXPECT_EQ(p.files[0].old_path, "");
  EXPECT_EQ(p.files[0].new_path, "new/file.c");
  EXPECT_EQ(*p.files[0].new_mode, kModeExecutable);
  EXPECT_TRUE(p.files[0].hunks.empty());
  EXPECT_TRUE(p.files[1].is_delete);
  EXPECT_EQ(p.files[1].path(), "old.txt");
  EXPECT_EQ(p.files[1].hunks[0].new_count, 0);
  EXPECT_EQ(*p.files[2].old_mode, kModeRegular);
  EXPECT_EQ(*p.files[2].new_mode, kModeExecutable);
  EXPECT_TRUE(p.files[3].is_rename);
  EXPECT_EQ(p.files[3].old_path, "docs/readme.txt");
  EXPECT_EQ(p.files[3].new_path, "docs/README");
}

TEST(Patch, PlainUnifiedDiffAndNoNewlineMarkers) {
  const char text[] =
      "Some free text before the diff\n"
      "diff -u a/x.c b/x.c\n"
      "--- a/x.c\t2026-01-01 00:00:00.000000000 +0000\n"
      "+++ b/x.c\t2026-01-02 00:00:00.000000000 +0000\n"
      "@@ -1,2 +1,2 @@\n"
      " one\n"
      "-two\n"
      "\\ No newline at end of file\n"
      "+two\n"
      "--- /dev/null\n"
      "+++ b/y.c\n"
      "@@ -0,0 +1 @@\n"
      "+crlf\r\n";
  const Patch p = parse_patch(text, "plain.diff");
  ASSERT_EQ(p.files.size(), 2u);
  EXPECT_EQ(p.files[0].old_path, "x.c");
  const auto& lines = p.files[0].hunks[0].lines;
  EXPECT_EQ(lines[1].text, "two");    // no newline on the old side
  EXPECT_EQ(lines[2].text, "two\n");  // but on the new side
  EXPECT_TRUE(p.files[1].is_new);
  EXPECT_EQ(p.files[1].hunks[0].lines[0].text, "crlf\r\n");  // CR kept
}

TEST(Patch, ReverseDiffSwapsSides) {
  const Patch p = parse_patch(kMbox, "p");
  const FileDiff r = reverse_diff(p.files[0]);
  EXPECT_EQ(r.old_id, "0987eb79ce76");
  EXPECT_EQ(r.hunks[0].old_count, 4);
  EXPECT_EQ(r.hunks[0].lines[1].kind, '+');
  EXPECT_EQ(r.hunks[0].lines[2].kind, '-');
}

struct Malformed {
  const char* name;
  const char* text;
  const char* error;
};

class PatchMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(PatchMalformed, ReportsFileAndLine) {
  try {
    parse_patch(GetParam().text, "bad.patch");
    FAIL() << "no error for " << GetParam().name;
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, PatchMalformed,
    testing::Values(
        Malformed{"truncated_hunk",
                  "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n",
                  "bad.patch:3: truncated hunk: the patch ends 1 old and 2 new lines short of "
                  "its @@ counts"},
        Malformed{"bad_header", "--- a/x\n+++ b/x\n@@ -1,3 +1,3\n a\n",
                  "bad.patch:3: bad hunk header \"@@ -1,3 +1,3\""},
        Malformed{"bad_header_number", "--- a/x\n+++ b/x\n@@ -a,3 +1,3 @@\n a\n",
                  "bad.patch:3: bad hunk header \"@@ -a,3 +1,3 @@\""},
        Malformed{"too_many_lines", "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-a\n+b\n+c\n",
                  "bad.patch:6: line counts do not add up: more hunk lines than the @@ header "
                  "says"},
        Malformed{"counts_short_in_middle",
                  "--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n-a\n+b\n+c\n",
                  "bad.patch:6: line counts do not add up: more added lines than the @@ header "
                  "says"},
        Malformed{"junk", "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n*junk\n b\n",
                  "bad.patch:5: junk inside hunk: \"*junk\""},
        Malformed{"ends_early",
                  "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n@@ -5 +5 @@\n-x\n+y\n",
                  "bad.patch:5: hunk ends early: line counts do not add up (2 old and 2 new "
                  "lines missing)"},
        Malformed{"missing_plus", "diff --git a/x b/x\nindex 1234567..89abcde\n--- a/x\n@@ -1 +1 @@\n",
                  "bad.patch:4: missing \"+++\" line after \"---\" line"},
        Malformed{"missing_plus_plain", "text\n--- a/x\n@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:3: missing \"+++\" line after \"---\" line"},
        Malformed{"hunk_without_files", "diff --git a/x b/x\n@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:2: missing \"---\"/\"+++\" lines before the first hunk"},
        Malformed{"binary", "diff --git a/x.bin b/x.bin\nindex 1234567..89abcde 100644\n"
                            "Binary files a/x.bin and b/x.bin differ\n",
                  "bad.patch:3: binary patches are not supported (x.bin)"},
        Malformed{"git_binary", "diff --git a/x.bin b/x.bin\nindex 1234567..89abcde 100644\n"
                                "GIT binary patch\nliteral 5\n",
                  "bad.patch:3: binary patches are not supported (x.bin)"},
        Malformed{"symlink", "diff --git a/l b/l\nnew file mode 120000\n",
                  "bad.patch:2: symbolic links are not supported"},
        Malformed{"copy", "diff --git a/a b/b\nsimilarity index 100%\ncopy from a\ncopy to b\n",
                  "bad.patch:3: copy patches are not supported (re-export without -C)"},
        // Found by fuzz_apply: different names without rename headers were
        // taken as "read the old name, write the new one", a copy: the old
        // file stayed, and reverse-applying left the new one behind.
        Malformed{"names_differ_plain", "--- a/a.c\n+++ b/b.c\n@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:1: old and new names differ (a.c, b.c) without \"rename from\"/"
                  "\"rename to\" lines: not supported"},
        Malformed{"names_differ_git",
                  "diff --git a/a.c b/b.c\nindex 1234567..89abcde 100644\n--- a/a.c\n+++ b/b.c\n"
                  "@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:1: old and new names differ (a.c, b.c) without \"rename from\"/"
                  "\"rename to\" lines: not supported"},
        // Found by fuzz_apply: a "new file" that was also a rename was created,
        // and its reverse (a deletion renaming to nothing) failed on "".
        Malformed{"new_and_rename",
                  "diff --git a/x.c b/y.c\nsimilarity index 100%\nrename from x.c\nrename to y.c\n"
                  "new file mode 100644\n",
                  "bad.patch:6: a rename cannot also create or delete the file"},
        Malformed{"delete_and_rename",
                  "diff --git a/x.c b/y.c\ndeleted file mode 100644\nrename from x.c\n",
                  "bad.patch:4: a rename cannot also create or delete the file"},
        // Found by fuzz_apply: an index line that changes the content, and no
        // hunk (git apply: "patch with only garbage").
        Malformed{"index_without_hunks",
                  "diff --git a/x.c b/x.c\nindex 1234567..89abcde 100644\n",
                  "bad.patch:1: the index line says the content changes (1234567..89abcde) but "
                  "the diff has no hunks"},
        Malformed{"unsafe_path", "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:1: unsafe path \"../etc/passwd\""},
        Malformed{"no_diff", "Subject: hello\n\njust a message\n",
                  "bad.patch:1: no file diffs found (no \"diff --git\" or \"---\"/\"+++\" lines)"},
        Malformed{"bad_index", "diff --git a/x b/x\nindex xyz..123\n",
                  "bad.patch:2: bad index line"},
        Malformed{"overlapping_hunks",
                  "--- a/x\n+++ b/x\n@@ -5,2 +5,2 @@\n a\n-b\n+c\n@@ -3,1 +3,1 @@\n-d\n+e\n",
                  "bad.patch:7: hunk overlaps or precedes the previous hunk"},
        Malformed{"plus_mismatch", "diff --git a/x b/x\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
                  "bad.patch:3: \"+++\" line does not match the \"diff --git\" header"}),
    [](const testing::TestParamInfo<Malformed>& p) { return std::string(p.param.name); });

// A mailing-list archive page (pipermail): no mail headers, the subject and
// author as text, the diff and signature, then the archive's footer.
TEST(Patch, PipermailText) {
  const char text[] =
      "[PATCH 1/7] um: skas: create a listener\n"
      "\n"
      "Cong Wang xiyou.wangcong at gmail.com\n"
      "Fri Jun 19 20:22:21 PDT 2026\n"
      "\n"
      "From: Cong Wang <cwang at multikernel.io>\n"
      "\n"
      "Body text.\n"
      "---\n"
      " a.c | 1 +\n"
      "\n"
      "diff --git a/a.c b/a.c\n"
      "index 18c0621430d2..46164d71554b 100644\n"
      "--- a/a.c\n"
      "+++ b/a.c\n"
      "@@ -1 +1,2 @@\n"
      " x\n"
      "+y\n"
      "-- \n"
      "2.43.0\n"
      "\n"
      "More information about the linux-um mailing list\n";
  const Patch p = parse_patch(text, "seed.txt");
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].hunks[0].lines.size(), 2u);
  EXPECT_NE(p.message.find("Body text."), std::string::npos);
}

TEST(Patch, SignatureDashLinesInsideAHunkAreContent) {
  // "-- " inside a hunk is a removed line "- ", not the signature.
  const Patch p = parse_patch("--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n a\n-- \n", "p");
  ASSERT_EQ(p.files[0].hunks[0].lines.size(), 2u);
  EXPECT_EQ(p.files[0].hunks[0].lines[1].text, "- \n");
}

}  // namespace
}  // namespace umq
