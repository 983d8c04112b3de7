#include "report.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

std::vector<CellResults> sample() {
  return {parse_tap("TAP version 13\n1..3\nok 1 a\nnot ok 2 b\nok 3 c # SKIP why\n", "up-on"),
          parse_tap("TAP version 13\n1..3\nok 1 a\nok 2 b\n# HANG: c\n", "smp-on")};
}

TEST(Report, TableAndClosingLine) {
  const std::string t = render_table(sample());
  EXPECT_EQ(t,
            "case  up-on    smp-on\n"
            "a     PASS     PASS\n"
            "b     FAIL     PASS\n"
            "c     SKIP     HANG\n"
            "\n"
            "FAIL up-on: b\n"
            "HANG smp-on: c (hung: no result before the timeout (HANG: c))\n"
            "\n"
            "1 skipped, 0 xfail\n"
            "3 passed, 2 failed\n");
  const Totals n = count(sample());
  EXPECT_EQ(n.passed, 3u);
  EXPECT_EQ(n.failed, 2u);
  EXPECT_EQ(n.skipped, 1u);
}

TEST(Report, AFailureShowsItsLogLinesClipped) {
  const std::string long_line(450, 'x');
  const std::vector<CellResults> cells = {parse_tap(
      "TAP version 13\n1..2\nok 1 a\n# said first\n# " + long_line + "\nnot ok 2 b\n", "up-on")};
  const std::string t = render_table(cells);
  EXPECT_NE(t.find("FAIL up-on: b\n    | said first\n    | " + std::string(400, 'x') +
                   " [...]\n"),
            std::string::npos)
      << t;
}

TEST(Report, CellsOutsideTheMatrixGetOneSummaryRow) {
  auto cells = sample();
  cells.push_back(parse_tap("1..3\nok 1 u1\nok 2 u2\nnot ok 3 u3\n", "unit"));
  const std::string t = render_table(cells);
  EXPECT_EQ(t.find("u1"), std::string::npos);
  EXPECT_NE(t.find("unit   3 cases: 2 passed, 1 failed\n"), std::string::npos);
  EXPECT_NE(t.find("FAIL unit: u3\n"), std::string::npos);
  EXPECT_NE(t.find("\n5 passed, 3 failed\n"), std::string::npos);
}

TEST(Report, AllPassingHasNoSkipLine) {
  const std::string t = render_table({parse_tap("1..1\nok 1 a\n", "x")});
  EXPECT_EQ(t, "case  x\na     PASS\n\n1 passed, 0 failed\n");
}

TEST(Report, CombinedTapIsParseableAgain) {
  const std::string tap = render_combined_tap(sample());
  EXPECT_NE(tap.find("TAP version 13\n1..2\n# Subtest: up-on\n    1..3\n    ok 1 a\n"),
            std::string::npos);
  EXPECT_NE(tap.find("    not ok 3 c # HANG"), std::string::npos);
  // Round trip: the same leaf results under cell/ prefixes.
  const CellResults again = parse_tap(tap, "all");
  ASSERT_EQ(again.cases.size(), 6u);
  EXPECT_EQ(again.cases[1].name, "up-on/b");
  EXPECT_EQ(again.cases[1].outcome, Outcome::kFail);
  EXPECT_EQ(again.cases[2].outcome, Outcome::kSkip);
}

TEST(Report, JunitXml) {
  auto cells = sample();
  cells[0].cases[0].name = "a<&>\"";
  const std::string xml = render_junit(cells);
  EXPECT_NE(xml.find("<testsuites name=\"umq\" tests=\"6\" failures=\"2\" skipped=\"1\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"up-on\" tests=\"3\" failures=\"1\" skipped=\"1\">"),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"a&lt;&amp;&gt;&quot;\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"HANG\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"SKIP: why\"/>"), std::string::npos);
}

TEST(Report, CellNames) {
  EXPECT_EQ(cell_name("results/up-on.tap"), "up-on");
  EXPECT_EQ(cell_name("smp-off.tap"), "smp-off");
}

}  // namespace
}  // namespace umq
