#include "series.h"

#include <gtest/gtest.h>

#include "patch.h"

namespace umq {
namespace {

TEST(Series, ParsesNamesCommentsAndOptions) {
  auto s = parse_series("# the series\n\n0001-a.patch\n0002-b.patch -p1\n"
                        "  0003-c.patch   # trailing comment\n",
                        "series");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].name, "0001-a.patch");
  EXPECT_EQ(s[0].line, 3);
  EXPECT_EQ(s[1].name, "0002-b.patch");
  EXPECT_EQ(s[2].name, "0003-c.patch");
  EXPECT_EQ(s[2].line, 5);
}

TEST(Series, RejectsOtherStripLevels) {
  try {
    parse_series("0001-a.patch\n0002-b.patch -p0\n", "patches/series");
    FAIL() << "expected an error";
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(),
                 "patches/series:2: unsupported option \"-p0\" for 0002-b.patch (only -p1 is accepted)");
  }
}

TEST(Series, RejectsDuplicatesAndEscapes) {
  EXPECT_THROW(parse_series("a.patch\na.patch\n", "s"), ParseError);
  EXPECT_THROW(parse_series("../x.patch\n", "s"), ParseError);
}

TEST(Series, PatchNumbers) {
  EXPECT_EQ(patch_number("0004-um-foo.patch", 9), "0004");
  EXPECT_EQ(patch_number("fix.patch", 3), "0003");
  EXPECT_EQ(patch_number("12.patch", 2), "0002");
}

}  // namespace
}  // namespace umq
