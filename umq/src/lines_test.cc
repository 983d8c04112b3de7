#include "lines.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

TEST(Lines, SplitKeepsTerminators) {
  EXPECT_TRUE(split_lines("").empty());
  auto l = split_lines("a\r\nb\n\nc");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0], "a\r\n");
  EXPECT_EQ(l[2], "\n");
  EXPECT_EQ(l[3], "c");
  std::string joined;
  for (auto s : l) joined += s;
  EXPECT_EQ(joined, "a\r\nb\n\nc");
}

TEST(Lines, ChompAndQuote) {
  EXPECT_EQ(chomp("x\r\n"), "x");
  EXPECT_EQ(chomp("x"), "x");
  EXPECT_EQ(quote_line("a\tb\n"), "\"a\\tb\\n\"");
  EXPECT_EQ(quote_line("abcdef", 3), "\"abc...\"");
}

TEST(Lines, CountOf) {
  EXPECT_EQ(count_of(1, "file"), "1 file");
  EXPECT_EQ(count_of(0, "file"), "0 files");
  EXPECT_EQ(count_of(2, "patch", "patches"), "2 patches");
  EXPECT_EQ(count_of(1, "patch", "patches"), "1 patch");
}

}  // namespace
}  // namespace umq
