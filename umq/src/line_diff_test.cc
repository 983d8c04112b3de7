#include "line_diff.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace umq
