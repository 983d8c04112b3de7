#include "range_diff.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli.h"
#include "memory_file_system.h"
#include "test_queue.h"

namespace umq {
namespace {

using testing_util::modify;

std::string mail(const std::string& subject, const std::string& body, const std::string& diff) {
  return "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
         "From: Test <test@example.org>\nSubject: " +
         subject + "\n\n" + body + "---\n" + diff + "-- \n2.43.0\n";
}

const std::string kA0 = "one\ntwo\nthree\n", kA1 = "one\nTWO\nthree\n";
const std::string kB0 = "x\ny\nz\n", kB1 = "x\nY\nz\n", kB2 = "x\nYy\nz\n";
const std::string kC = "int c;\nint d;\nint e;\n";
const std::string kD0 = "d\n", kD1 = "D\n";
const std::string kE0 = "e\n", kE1 = "E\n";

std::string a_diff() { return modify("a.c", kA0, kA1, "@@ -1,3 +1,3 @@ int main(void)\n one\n-two\n+TWO\n three\n"); }
std::string c_diff() {
  return testing_util::create("c.c", kC, "@@ -0,0 +1,3 @@\n+int c;\n+int d;\n+int e;\n");
}

// Old: a, b, c, d. New: a (same), b (other diff and message, subject case
// changed), c (same diff, new subject), e (new); d is gone.
void write_series(MemoryFileSystem& fs) {
  fs.add_file("/old/series", "0001-a.patch\n0002-b.patch\n0003-c.patch\n0004-d.patch\n");
  fs.add_file("/old/0001-a.patch", mail("[PATCH 1/4] a: fix two", "Fix two.\n", a_diff()));
  fs.add_file("/old/0002-b.patch",
              mail("[PATCH 2/4] b: rename y", "Rename y.\n\nSigned-off-by: T <t@example.org>\n",
                   modify("b.c", kB0, kB1, "@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n")));
  fs.add_file("/old/0003-c.patch", mail("[PATCH 3/4] c: add file", "Add c.\n", c_diff()));
  fs.add_file("/old/0004-d.patch",
              mail("[PATCH 4/4] d: drop me", "Dropped later.\n", modify("d.c", kD0, kD1, "@@ -1 +1 @@\n-d\n+D\n")));

  fs.add_file("/new/series", "0001-a.patch\n0002-b.patch\n0003-c.patch\n0004-e.patch\n");
  fs.add_file("/new/0001-a.patch", mail("[PATCH v2 1/4] a: fix two", "Fix two.\n", a_diff()));
  fs.add_file("/new/0002-b.patch",
              mail("[PATCH v2 2/4] B: Rename Y", "Rename y to Yy.\nSee the thread.\n\nSigned-off-by: T <t@example.org>\n",
                   modify("b.c", kB0, kB2, "@@ -1,3 +1,3 @@\n x\n-y\n+Yy\n z\n")));
  fs.add_file("/new/0003-c.patch", mail("[PATCH v2 3/4] c: create c.c with three ints", "Add c.\n", c_diff()));
  fs.add_file("/new/0004-e.patch",
              mail("[PATCH v2 4/4] e: new thing", "New.\n", modify("e.c", kE0, kE1, "@@ -1 +1 @@\n-e\n+E\n")));
}

std::vector<std::string> header_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l[0] != ' ') lines.push_back(l);
  }
  return lines;
}

TEST(RangeDiff, EveryCategory) {
  MemoryFileSystem fs;
  write_series(fs);
  const SeriesVersion o = load_series_dir(fs, "/old"), n = load_series_dir(fs, "/new");
  const RangeDiff d = range_diff(o, n);
  ASSERT_EQ(d.pairs.size(), 5u);
  using K = RangePair::Kind;
  EXPECT_EQ(d.pairs[0].kind, K::kUnchanged);
  EXPECT_EQ(d.pairs[1].kind, K::kChanged);
  EXPECT_FALSE(d.pairs[1].by_content);  // same subject but for case
  EXPECT_EQ(d.pairs[1].message_added, 2u);
  EXPECT_EQ(d.pairs[1].message_removed, 1u);
  EXPECT_EQ(d.pairs[1].files_changed, (std::vector<std::string>{"b.c"}));
  EXPECT_EQ(d.pairs[2].kind, K::kChanged);
  EXPECT_TRUE(d.pairs[2].by_content);
  EXPECT_EQ(d.pairs[2].similarity, 100);
  EXPECT_TRUE(d.pairs[2].files_changed.empty());
  EXPECT_EQ(d.pairs[3].kind, K::kDropped);
  EXPECT_EQ(d.pairs[3].old_index, 3u);
  EXPECT_EQ(d.pairs[4].kind, K::kNew);
  EXPECT_EQ(d.pairs[4].new_index, 3u);
  EXPECT_FALSE(d.pairs[4].closest);  // e.c is in no old patch

  const std::string out = render_range_diff(d, o, n);
  const std::string a = diff_id(o.patches[0]), b_old = diff_id(o.patches[1]),
                    b_new = diff_id(n.patches[1]), c = diff_id(o.patches[2]),
                    dd = diff_id(o.patches[3]), e = diff_id(n.patches[3]);
  EXPECT_EQ(c, diff_id(n.patches[2]));
  EXPECT_EQ(header_lines(out),
            (std::vector<std::string>{
                "1:  " + a + " = 1:  " + a + " a: fix two",
                "2:  " + b_old + " ! 2:  " + b_new + " B: Rename Y",
                "3:  " + c + " ! 3:  " + c + " c: create c.c with three ints",
                "4:  " + dd + " < -:  ------- d: drop me",
                "-:  ------- > 4:  " + e + " e: new thing",
                "range-diff: 4 old, 4 new: 1 unchanged, 2 changed, 1 dropped, 1 new"}))
      << out;
  // The interdiff of 2: the message and the nested diff of b.c.
  EXPECT_NE(out.find("    commit message: 2 lines added, 1 removed\n"
                     "    diff: 1 of 1 file differs: b.c\n"
                     "    ## Metadata ##\n"
                     "     Author: Test <test@example.org>\n"
                     "    -Subject: b: rename y\n"
                     "    +Subject: B: Rename Y\n"
                     "    ## Commit message ##\n"
                     "    -Rename y.\n"
                     "    +Rename y to Yy.\n"
                     "    +See the thread.\n"
                     "     \n"
                     "     Signed-off-by: T <t@example.org>\n"
                     "    ## b.c ##\n"
                     "     @@\n"
                     "      x\n"
                     "     -y\n"
                     "    -+Y\n"
                     "    ++Yy\n"
                     "      z\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("3:  " + c + " ! 3:  " + c + " c: create c.c with three ints\n"
                     "    paired by content (100% similar): the subject changed\n"
                     "    commit message: unchanged\n"
                     "    diff: unchanged\n"
                     "    ## Metadata ##\n"),
            std::string::npos)
      << out;
}

TEST(RangeDiff, HunkOffsetsAloneAreUnchanged) {
  // The same change made at another line (the base moved): "=".
  const Patch p1 = parse_patch(mail("[PATCH] a", "M.\n", "--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@ f()\n x\n-y\n+Y\n"), "1");
  const Patch p2 = parse_patch(mail("[PATCH v3 1/2] a", "M.\n", "--- a/a.c\n+++ b/a.c\n@@ -40,2 +41,2 @@ f()\n x\n-y\n+Y\n"), "2");
  SeriesVersion o{"o", {"1"}, {p1}, {}}, n{"n", {"2"}, {p2}, {}};
  const RangeDiff d = range_diff(o, n);
  ASSERT_EQ(d.pairs.size(), 1u);
  EXPECT_EQ(d.pairs[0].kind, RangePair::Kind::kUnchanged);
  EXPECT_EQ(render_range_diff(d, o, n), "1:  " + diff_id(p1) + " = 1:  " + diff_id(p2) +
                                            " a\nrange-diff: 1 old, 1 new: 1 unchanged, 0 changed, "
                                            "0 dropped, 0 new\n");
  EXPECT_EQ(diff_id(p1), diff_id(p2));
  EXPECT_EQ(subject_key(p1), subject_key(p2));
}

TEST(RangeDiff, SimilarityNeedsSharedFilesAndLines) {
  const Patch a = parse_patch(mail("[PATCH] a", "M.\n", "--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,4 @@\n x\n+int alpha;\n+int beta;\n y\n"), "a");
  const Patch b = parse_patch(mail("[PATCH] b", "M.\n", "--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,4 @@\n x\n+int alpha;\n+int gamma;\n y\n"), "b");
  const Patch c = parse_patch(mail("[PATCH] c", "M.\n", "--- a/c.c\n+++ b/c.c\n@@ -1,2 +1,4 @@\n x\n+int alpha;\n+int beta;\n y\n"), "c");
  EXPECT_EQ(diff_similarity(a, a), 100);
  EXPECT_EQ(diff_similarity(a, b), 63);  // same file, half the lines
  EXPECT_EQ(diff_similarity(a, c), 0);   // same lines, other file
}

TEST(RangeDiff, UnpairedPatchesNameTheirClosestMatch) {
  const Patch a = parse_patch(mail("[PATCH] b: y", "M.\n", modify("b.c", kB0, kB1, "@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n")), "a");
  const Patch b = parse_patch(mail("[PATCH] b: z", "M.\n", modify("b.c", kB0, "x\ny\nZ\n", "@@ -1,3 +1,3 @@\n x\n y\n-z\n+Z\n")), "b");
  SeriesVersion o{"o", {"a"}, {a}, {}}, n{"n", {"b"}, {b}, {}};
  const RangeDiff d = range_diff(o, n);
  ASSERT_EQ(d.pairs.size(), 2u);
  EXPECT_EQ(d.pairs[0].kind, RangePair::Kind::kDropped);
  EXPECT_EQ(d.pairs[0].closest, 0u);
  EXPECT_EQ(d.pairs[0].closest_similarity, 25);  // the same file, no line in common
  EXPECT_NE(render_range_diff(d, o, n).find("1:  " + diff_id(a) + " < -:  ------- b: y\n"
                                            "    closest in the new version: 1: " + diff_id(b) +
                                            " b: z (25% similar; pairing needs 50%)\n"),
            std::string::npos)
      << render_range_diff(d, o, n);
}

class RangeDiffCli : public testing::Test {
 protected:
  void SetUp() override { write_series(fs_); }
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), "umq");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    CliEnv env{fs_, runner_, out_, err_, {}};
    return run_cli(static_cast<int>(argv.size()), argv.data(), env);
  }
  MemoryFileSystem fs_;
  FakeProcessRunner runner_{[](const auto&, const auto&) { return ProcessResult{0, "", ""}; }};
  std::ostringstream out_, err_;
};

TEST_F(RangeDiffCli, DirectoriesAndFileLists) {
  EXPECT_EQ(run({"range-diff", "/old", "/new"}), 0) << err_.str();
  const std::string dirs = out_.str();
  EXPECT_NE(dirs.find("range-diff: 4 old, 4 new: 1 unchanged, 2 changed, 1 dropped, 1 new\n"), std::string::npos);
  EXPECT_EQ(run({"range-diff", "--old", "/old/0001-a.patch", "/old/0002-b.patch", "/old/0003-c.patch",
                 "/old/0004-d.patch", "--new", "/new/0001-a.patch", "/new/0002-b.patch",
                 "/new/0003-c.patch", "/new/0004-e.patch"}),
            0)
      << err_.str();
  EXPECT_EQ(out_.str(), dirs);
  // A directory without a series file: its *.patch files in name order.
  fs_.remove_file("/new/series");
  EXPECT_EQ(run({"range-diff", "/old", "/new"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "new: no series file in /new: its *.patch files in name order\n" + dirs);
  // One side as a directory, the other as files.
  EXPECT_EQ(run({"range-diff", "/old", "--new", "/new/0001-a.patch"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("range-diff: 4 old, 1 new: 1 unchanged, 0 changed, 3 dropped, 0 new\n"),
            std::string::npos)
      << out_.str();
}

TEST_F(RangeDiffCli, Errors) {
  EXPECT_EQ(run({"range-diff", "/old"}), 2);
  EXPECT_NE(err_.str().find("give OLD NEW"), std::string::npos);
  fs_.add_file("/bad/series", "0001-x.patch\n");
  fs_.add_file("/bad/0001-x.patch", "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-x\n");
  EXPECT_EQ(run({"range-diff", "/old", "/bad"}), 1);
  EXPECT_EQ(err_.str(), "umq: /bad/0001-x.patch:3: truncated hunk: the patch ends 1 old and 2 new "
                        "lines short of its @@ counts\n");
  EXPECT_EQ(run({"range-diff", "/old", "/nothing"}), 1);
}

}  // namespace
}  // namespace umq
