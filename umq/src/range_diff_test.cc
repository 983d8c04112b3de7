#include "range_diff.h"

#include <gtest/gtest.h>

#include <algorithm>

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
                "ids: patch-diff ids (a hash of the diff, line numbers and index lines aside), not commit ids",
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
  EXPECT_EQ(render_range_diff(d, o, n), "ids: patch-diff ids (a hash of the diff, line numbers and index lines "
                                        "aside), not commit ids\n"
                                        "1:  " + diff_id(p1) + " = 1:  " + diff_id(p2) +
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

TEST(RangeDiff, PatchNumberFromTagElseFileName) {
  const auto number = [](const std::string& subject, const std::string& file) {
    return patch_number(parse_patch(mail(subject, "M.\n", a_diff()), file), file);
  };
  EXPECT_EQ(number("[PATCH 4/7] x", "a.patch"), 4u);
  EXPECT_EQ(number("[PATCH v2 03/07] x", "0005-x.patch"), 3u);  // the tag wins over the name
  EXPECT_EQ(number("[RFC] [PATCH 2/3] x", "x.patch"), 2u);
  EXPECT_EQ(number("Re: [PATCH 6/7] x", "x.patch"), 6u);
  EXPECT_EQ(number("[PATCH] x", "/q/0007-x.patch"), 7u);
  EXPECT_EQ(number("x", "0002-x.patch"), 2u);
  EXPECT_EQ(number("[PATCH] x", "x.patch"), std::nullopt);
  EXPECT_EQ(number("[PATCH] a 1/2 b", "v2-x.patch"), std::nullopt);  // not in a tag; no number first
  EXPECT_EQ(number("[PATCH a/7] x", "99999999999-x.patch"), std::nullopt);  // too long to be one
}

// v1: parts 1, 3 and 4 of 4 as posted (numbers in the subject only); v2 a
// rewrite with new subjects and diffs, numbered by its file names only.
struct Rewrite {
  SeriesVersion v1, v2;
  Rewrite() {
    const auto p = [](const std::string& subject, const std::string& body, const std::string& diff,
                      const std::string& file) { return parse_patch(mail(subject, body, diff), file); };
    v1 = {"v1", {"a.patch", "b.patch", "c.patch"},
          {p("[PATCH 1/4] a: fix two", "Fix two.\n\nSigned-off-by: A <a@example.org>\n", a_diff(), "a.patch"),
           p("[PATCH 3/4] b: rename y", "Rename y.\n",
             modify("b.c", kB0, kB1, "@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n"), "b.patch"),
           p("[PATCH 4/4] d: the old way", "Old.\n", modify("d.c", kD0, kD1, "@@ -1 +1 @@\n-d\n+D\n"), "c.patch")},
          {}};
    v2 = {"v2", {"0001-a.patch", "0002-c.patch", "0003-b.patch", "0004-e.patch"},
          {p("a: make two loud", "Two.\nLouder.\n\nSigned-off-by: B <b@example.org>\n",
             modify("a.c", kA0, "one\ntwo!\nthree\n", "@@ -1,3 +1,3 @@\n one\n-two\n+two!\n three\n") + c_diff(),
             "0001-a.patch"),
           p("c: add file", "Add c.\n", c_diff(), "0002-c.patch"),
           p("b: rename y", "Rename y.\n", modify("b.c", kB0, kB1, "@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n"),
             "0003-b.patch"),
           p("e: the new way", "New.\n", modify("e.c", kE0, kE1, "@@ -1 +1 @@\n-e\n+E\n"), "0004-e.patch")},
          {}};
  }
};

TEST(RangeDiff, ByNumberPairsTheSamePartOfARewrite) {
  const Rewrite r;
  using K = RangePair::Kind;
  // By subject and content, a rewrite pairs only what kept its subject.
  const RangeDiff plain = range_diff(r.v1, r.v2);
  EXPECT_EQ(plain.count(K::kChanged) + plain.count(K::kUnchanged), 1u);

  const RangeDiff d = range_diff(r.v1, r.v2, {.by_number = true});
  ASSERT_EQ(d.pairs.size(), 4u);
  EXPECT_EQ(d.pairs[0].kind, K::kChanged);
  EXPECT_TRUE(d.pairs[0].by_number);
  EXPECT_EQ(d.pairs[0].old_index, 0u);
  EXPECT_EQ(d.pairs[0].new_index, 0u);
  EXPECT_EQ(d.pairs[1].kind, K::kNew);  // 2/4 was not posted in v1
  EXPECT_EQ(d.pairs[1].new_index, 1u);
  EXPECT_EQ(d.pairs[2].kind, K::kUnchanged);  // 3/4: same subject and diff
  EXPECT_FALSE(d.pairs[2].by_number);          // paired by its subject first
  EXPECT_EQ(d.pairs[3].kind, K::kChanged);  // 4/4: nothing in common but the number
  EXPECT_TRUE(d.pairs[3].by_number);
  EXPECT_FALSE(d.pairs[3].by_content);
  EXPECT_EQ(d.pairs[3].similarity, 0);
}

// The same subject, then similar content pair first; numbers only pair what
// is left (a part renumbered by a patch inserted before it keeps its pair).
TEST(RangeDiff, ByNumberPairsSubjectsAndContentFirstThenNumbers) {
  Rewrite r;
  // v1 gets an unnumbered part with v2 2/4's subject, and its 3/4 takes the
  // subject of v2's 4/4: the subjects pair them, the numbers pair 1 with 1.
  r.v1.names.push_back("extra.patch");
  r.v1.patches.push_back(parse_patch(mail("[PATCH] c: add file", "Add c.\n", c_diff()), "extra.patch"));
  r.v1.patches[1].subject = "[PATCH 3/4] e: the new way";
  const RangeDiff d = range_diff(r.v1, r.v2, {.by_number = true});
  using K = RangePair::Kind;
  auto pair_of_old = [&](size_t i) {
    return *std::find_if(d.pairs.begin(), d.pairs.end(), [&](const RangePair& p) { return p.old_index == i; });
  };
  EXPECT_EQ(pair_of_old(0).new_index, 0u);
  EXPECT_TRUE(pair_of_old(0).by_number);
  EXPECT_EQ(pair_of_old(1).new_index, 3u);  // by subject, not 3/4 with 3/4
  EXPECT_FALSE(pair_of_old(1).by_number);
  EXPECT_EQ(pair_of_old(2).kind, K::kDropped);  // 4/4: v2's 4/4 is taken, its d.c is nowhere
  EXPECT_EQ(pair_of_old(3).new_index, 1u);
  EXPECT_EQ(pair_of_old(3).kind, K::kUnchanged);
  EXPECT_EQ(d.count(K::kNew), 1u);  // v2 3/4 "b: rename y": v1's is renamed "e: ..." and 3 is taken
}

// A patch inserted in the middle renames every NNNN- file after it: the
// renamed files still pair with their old selves, by subject and by content,
// with --by-number too; only the inserted one is new.
TEST(RangeDiff, RenumberedFilesKeepTheirPairs) {
  const auto p = [](const std::string& subject, const std::string& diff, const std::string& file) {
    return parse_patch(mail(subject, "M.\n", diff), file);
  };
  const std::string b = modify("b.c", kB0, kB1, "@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n");
  const std::string d_diff = modify("d.c", kD0, kD1, "@@ -1 +1 @@\n-d\n+D\n");
  const std::string e = modify("e.c", kE0, kE1, "@@ -1 +1 @@\n-e\n+E\n");
  SeriesVersion o{"o", {"0001-a.patch", "0002-b.patch", "0003-d.patch"},
                  {p("a: fix two", a_diff(), "0001-a.patch"), p("b: rename y", b, "0002-b.patch"),
                   p("d: make it loud", d_diff, "0003-d.patch")},
                  {}};
  SeriesVersion n{"n", {"0001-a.patch", "0002-e.patch", "0003-b.patch", "0004-d.patch"},
                  {p("a: fix two", a_diff(), "0001-a.patch"), p("e: inserted", e, "0002-e.patch"),
                   p("b: rename y", b, "0003-b.patch"), p("d: make D loud", d_diff, "0004-d.patch")},
                  {}};
  for (const bool by_number : {false, true}) {
    SCOPED_TRACE(by_number);
    const RangeDiff d = range_diff(o, n, {.by_number = by_number});
    using K = RangePair::Kind;
    EXPECT_EQ(d.count(K::kDropped), 0u);
    EXPECT_EQ(d.count(K::kNew), 1u);
    EXPECT_EQ(d.count(K::kUnchanged) + d.count(K::kChanged), 3u);
    for (const RangePair& pr : d.pairs) {
      if (pr.kind == K::kNew) {
        EXPECT_EQ(pr.new_index, 1u);
      }
      if (pr.old_index == 1u) {
        EXPECT_EQ(pr.new_index, 2u);
      }
      if (pr.old_index == 2u) {
        EXPECT_EQ(pr.new_index, 3u);
        EXPECT_TRUE(pr.by_content);  // the subject changed, the diff did not
      }
    }
  }
  const RangeDiffOptions opts{.by_number = true, .stat = true};
  const std::string out = render_range_diff(range_diff(o, n, opts), o, n, opts);
  EXPECT_NE(out.find("2: b: rename y = 3: b: rename y\n"), std::string::npos) << out;
}

// What the 7 hex digits are: not commit ids.
TEST(RangeDiff, TheIdsAreNamedForWhatTheyAre) {
  MemoryFileSystem fs;
  write_series(fs);
  const SeriesVersion o = load_series_dir(fs, "/old"), n = load_series_dir(fs, "/new");
  const std::string out = render_range_diff(range_diff(o, n), o, n);
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "ids: patch-diff ids (a hash of the diff, line numbers and index lines aside), not commit ids\n")
      << out;
}

TEST(RangeDiff, ByNumberStatShowsBothSubjectsAndASummaryOnly) {
  const Rewrite r;
  const RangeDiffOptions opts{.by_number = true, .stat = true};
  const std::string out = render_range_diff(range_diff(r.v1, r.v2, opts), r.v1, r.v2, opts);
  EXPECT_EQ(out,
            "1: a: fix two ! 1: a: make two loud\n"
            "    paired by number; the diffs are 34% similar\n"
            "    commit message: 3 -> 4 lines: 2 removed, 3 added, 1 kept\n"
            "    trailer removed: Signed-off-by: A <a@example.org>\n"
            "    trailer added: Signed-off-by: B <b@example.org>\n"
            "    files: 1 old, 2 new, 1 in both (1 differs)\n"
            "             old | new\n"
            "      a.c  +1 -1 | +1 -1  differs\n"
            "      c.c      - | +3 -0  only new\n"
            "-: ------- > 2: c: add file\n"  // c.c is in no v1 patch: no closest match
            "    1 file, +3 -0\n"
            "3: b: rename y = 3: b: rename y\n"
            "4: d: the old way ! 4: e: the new way\n"
            "    paired by number; the diffs are 0% similar\n"
            "    commit message: 1 -> 1 lines: 1 removed, 1 added, 0 kept\n"
            "    files: 1 old, 1 new, 0 in both (0 differ)\n"
            "             old | new\n"
            "      e.c      - | +1 -1  only new\n"
            "      d.c  +1 -1 | -      only old\n"
            "range-diff: 3 old, 4 new: 1 unchanged, 2 changed, 0 dropped, 1 new\n");
  // Without --stat the summary is followed by the interdiff.
  const RangeDiffOptions full{.by_number = true};
  const std::string with_diff = render_range_diff(range_diff(r.v1, r.v2, full), r.v1, r.v2, full);
  EXPECT_NE(with_diff.find("      c.c      - | +3 -0  only new\n"
                           "    ## Metadata ##\n"),
            std::string::npos)
      << with_diff;
  EXPECT_NE(with_diff.find("    ## c.c (only in the new version) ##\n"), std::string::npos) << with_diff;
}

TEST(RangeDiff, StatWithoutByNumberKeepsTheGitStyleHeader) {
  MemoryFileSystem fs;
  write_series(fs);
  const SeriesVersion o = load_series_dir(fs, "/old"), n = load_series_dir(fs, "/new");
  const RangeDiffOptions opts{.stat = true};
  const std::string out = render_range_diff(range_diff(o, n, opts), o, n, opts);
  EXPECT_NE(out.find("2:  " + diff_id(o.patches[1]) + " ! 2:  " + diff_id(n.patches[1]) + " B: Rename Y\n"
                     "    commit message: 3 -> 4 lines: 1 removed, 2 added, 2 kept\n"
                     "    files: 1 old, 1 new, 1 in both (1 differs)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("##"), std::string::npos) << out;  // no interdiff
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

TEST_F(RangeDiffCli, ByNumberAndStatFlags) {
  EXPECT_EQ(run({"range-diff", "--by-number", "--stat", "/old", "/new"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("2: b: rename y ! 2: B: Rename Y\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("4: d: drop me ! 4: e: new thing\n"), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("##"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"range-diff", "--by-number", "/old", "/new"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("## e.c (only in the new version) ##"), std::string::npos) << out_.str();
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
