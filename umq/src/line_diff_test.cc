#include "line_diff.h"

#include <gtest/gtest.h>

#include <random>

namespace umq {
namespace {

std::string render(const std::vector<DiffLine>& d) {
  std::string s;
  for (const DiffLine& l : d) s += std::string(1, l.op) + l.text + "\n";
  return s;
}

TEST(LineDiff, MinimalEditScript) {
  EXPECT_EQ(render(diff_lines({"a", "b", "c", "d"}, {"a", "x", "c", "d", "e"})),
            " a\n-b\n+x\n c\n d\n+e\n");
  EXPECT_EQ(render(diff_lines({}, {"a"})), "+a\n");
  EXPECT_EQ(render(diff_lines({"a"}, {})), "-a\n");
  EXPECT_EQ(render(diff_lines({"x", "a", "b"}, {"a", "b", "y"})), "-x\n a\n b\n+y\n");
  EXPECT_TRUE(diff_lines({}, {}).empty());
}

TEST(LineDiff, HunksWithContext) {
  std::vector<std::string> a, b;
  for (int i = 0; i < 20; ++i) a.push_back(std::to_string(i));
  b = a;
  b[2] = "two";
  b[15] = "fifteen";
  const auto hunks = unified_hunks(diff_lines(a, b), 2);
  ASSERT_EQ(hunks.size(), 2u);
  EXPECT_EQ(hunks[0].a_start, 0u);
  EXPECT_EQ(render(hunks[0].lines), " 0\n 1\n-2\n+two\n 3\n 4\n");
  EXPECT_EQ(hunks[1].a_start, 13u);
  EXPECT_EQ(render(hunks[1].lines), " 13\n 14\n-15\n+fifteen\n 16\n 17\n");
  // Close changes share one hunk.
  b[5] = "five";
  EXPECT_EQ(unified_hunks(diff_lines(a, b), 2).size(), 2u);
  EXPECT_EQ(render(unified_hunks(diff_lines(a, b), 2)[0].lines),
            " 0\n 1\n-2\n+two\n 3\n 4\n-5\n+five\n 6\n 7\n");
  EXPECT_TRUE(unified_hunks(diff_lines(a, a), 3).empty());
}

// The script turns a into b: its ' ' and '-' lines are a, ' ' and '+' are b.
void expect_valid(const std::vector<DiffLine>& d, const std::vector<std::string>& a,
                  const std::vector<std::string>& b) {
  std::vector<std::string> ra, rb;
  for (const DiffLine& l : d) {
    if (l.op != '+') ra.push_back(l.text);
    if (l.op != '-') rb.push_back(l.text);
  }
  EXPECT_EQ(ra, a);
  EXPECT_EQ(rb, b);
}

size_t kept(const std::vector<DiffLine>& d) {
  size_t n = 0;
  for (const DiffLine& l : d) n += l.op == ' ';
  return n;
}

// The length of a longest common subsequence, by the textbook table.
size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : std::max(t[i + 1][j], t[i][j + 1]);
    }
  }
  return t[0][0];
}

TEST(LineDiff, MinimalOnRandomInputs) {
  std::mt19937 rng(11);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> a, b;
    const size_t alphabet = 2 + rng() % 5;
    for (size_t i = rng() % 40; i > 0; --i) a.push_back(std::string(1, static_cast<char>('a' + rng() % alphabet)));
    for (size_t i = rng() % 40; i > 0; --i) b.push_back(std::string(1, static_cast<char>('a' + rng() % alphabet)));
    SCOPED_TRACE(round);
    const auto d = diff_lines(a, b);
    expect_valid(d, a, b);
    EXPECT_EQ(kept(d), lcs_length(a, b));
  }
}

// 6000 x 6000 lines (36M cells: the old table gave up past 4M and printed
// "remove everything, add everything"): a few changed lines come out as just
// those lines, quickly.
TEST(LineDiff, LargeInputsStayExact) {
  std::vector<std::string> a;
  for (int i = 0; i < 6000; ++i) a.push_back("line " + std::to_string(i % 700) + " of the file");
  std::vector<std::string> b = a;
  b[10] = "changed near the start";
  b.erase(b.begin() + 3000);
  b.insert(b.begin() + 4500, "inserted in the middle");
  b[5990] = "changed near the end";
  const auto d = diff_lines(a, b);
  expect_valid(d, a, b);
  EXPECT_EQ(d.size() - kept(d), 6u);  // 3 removed, 3 added
  EXPECT_EQ(kept(d), 5997u);
  const auto hunks = unified_hunks(d, 3);
  ASSERT_EQ(hunks.size(), 4u);
  EXPECT_EQ(hunks[1].a_start, 2997u);
  // Unrelated inputs of that size are all removed and added, and cheap too.
  std::vector<std::string> c;
  for (int i = 0; i < 6000; ++i) c.push_back("other " + std::to_string(i));
  const auto all = diff_lines(a, c);
  EXPECT_EQ(kept(all), 0u);
  EXPECT_EQ(all.size(), 12000u);
}

}  // namespace
}  // namespace umq
