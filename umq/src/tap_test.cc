#include "tap.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

std::string summary(const CellResults& r) {
  std::string s;
  for (const TestCase& c : r.cases) s += c.name + "=" + outcome_name(c.outcome) + ";";
  return s;
}

TEST(Tap, FlatResultsDirectivesAndFreeText) {
  const CellResults r = parse_tap(
      "Linux version 7.3.4 booting...\n"
      "TAP version 13\n"
      "1..5\n"
      "# Starting 5 tests from 1 test cases.\n"
      "ok 1 - first\n"
      "not ok 2 second\n"
      "ok 3 third # SKIP no seccomp here\n"
      "ok 4 fourth # XFAIL known bug\n"
      "not ok 5 fifth # TODO not yet\n"
      "random console noise\n",
      "up-on");
  EXPECT_EQ(r.cell, "up-on");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(summary(r), "first=PASS;second=FAIL;third=SKIP;fourth=XFAIL;fifth=XFAIL;");
  EXPECT_EQ(r.cases[2].detail, "no seccomp here");
}

TEST(Tap, APlainCommentIsKeptWholeAsTheDetail) {
  const CellResults r = parse_tap(
      "TAP version 13\n"
      "1..2\n"
      "not ok 1 good_values_are_handled # 1 killed: iteration 7, a faked report\n"
      "ok 2 every_iteration_runs # 2000 of 2000\n",
      "up-on");
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].outcome, Outcome::kFail);
  EXPECT_EQ(r.cases[0].detail, "1 killed: iteration 7, a faked report");
  EXPECT_EQ(r.cases[1].outcome, Outcome::kPass);
  EXPECT_EQ(r.cases[1].detail, "2000 of 2000");
}

TEST(Tap, KselftestRunnerNestingWithHashPrefix) {
  const CellResults r = parse_tap(
      "TAP version 13\n"
      "1..2\n"
      "# timeout set to 45\n"
      "# selftests: um: attack\n"
      "# TAP version 13\n"
      "# 1..3\n"
      "# # Starting 3 tests from 1 test cases.\n"
      "# #  RUN           global.mmap_fixed ...\n"
      "# #            OK  global.mmap_fixed\n"
      "# ok 1 global.mmap_fixed\n"
      "# not ok 2 global.mmap_other\n"
      "# ok 3 global.skipped # SKIP not on UP\n"
      "# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
      "not ok 1 selftests: um: attack # exit=1\n"
      "# selftests: um: regression\n"
      "ok 2 selftests: um: regression\n",
      "smp-on");
  EXPECT_EQ(summary(r),
            "selftests: um: attack/global.mmap_fixed=PASS;"
            "selftests: um: attack/global.mmap_other=FAIL;"
            "selftests: um: attack/global.skipped=SKIP;"
            "selftests: um: regression=PASS;");
}

TEST(Tap, AFailureKeepsTheLastDiagnosticsBeforeItsResult) {
  const CellResults r = parse_tap(
      "TAP version 13\n"
      "1..1\n"
      "# selftests: um: forge\n"
      "# TAP version 13\n"
      "# 1..2\n"
      "# # Starting 2 tests from 1 test cases.\n"
      "# #  RUN           forge.a ...\n"
      "# # forge.c:10:a:one\n"
      "# #            OK  forge.a\n"
      "# ok 1 forge.a\n"
      "# #  RUN           forge.b ...\n"
      "# # forge.c:20:b:first\n"
      "# # forge.c:21:b:second\n"
      "# # forge.c:22:b:third\n"
      "# # forge.c:23:b:fourth\n"
      "# # forge.c:24:b:Expected 0 (0) == rr->stuck (1)\n"
      "# #          FAIL  forge.b\n"
      "# not ok 2 forge.b\n"
      "not ok 1 selftests: um: forge # exit=1\n",
      "up-on");
  ASSERT_EQ(summary(r), "selftests: um: forge/forge.a=PASS;selftests: um: forge/forge.b=FAIL;");
  EXPECT_EQ(r.cases[0].log, std::vector<std::string>{"forge.c:10:a:one"});
  const std::vector<std::string> want = {"forge.c:21:b:second", "forge.c:22:b:third",
                                         "forge.c:23:b:fourth",
                                         "forge.c:24:b:Expected 0 (0) == rr->stuck (1)"};
  EXPECT_EQ(r.cases[1].log, want);
}

TEST(Tap, KtapIndentedSubtests) {
  const CellResults r = parse_tap(
      "KTAP version 1\n"
      "1..1\n"
      "    KTAP version 1\n"
      "    # Subtest: stub\n"
      "    1..2\n"
      "    ok 1 maps\n"
      "    not ok 2 unmaps\n"
      "not ok 1 stub\n",
      "c");
  EXPECT_EQ(summary(r), "stub/maps=PASS;stub/unmaps=FAIL;");
}

TEST(Tap, FailingParentWithPassingChildrenIsReported) {
  const CellResults r = parse_tap(
      "TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# ok 1 inner\n"
      "not ok 1 selftests: um: bench # TIMEOUT 45 seconds\n",
      "c");
  EXPECT_EQ(summary(r), "selftests: um: bench/inner=PASS;selftests: um: bench=HANG;");
}

TEST(Tap, HangMarkerNamesTheHungCase) {
  const CellResults r = parse_tap(
      "TAP version 13\n"
      "1..3\n"
      "ok 1 alpha\n"
      "#  RUN           global.beta ...\n"
      "# HANG: global.beta\n",
      "up-off");
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(summary(r), "alpha=PASS;global.beta=HANG;#3=FAIL;");
}

TEST(Tap, HangMarkerWithoutRunLine) {
  const CellResults r = parse_tap("TAP version 13\n1..2\nok 1 alpha\n# HANG: attack\n", "c");
  EXPECT_EQ(summary(r), "alpha=PASS;attack=HANG;");
}

TEST(Tap, TruncatedOutputUsesTheRunningName) {
  const CellResults r = parse_tap(
      "TAP version 13\n1..2\n# TAP version 13\n# 1..2\n# ok 1 a\n# #  RUN  global.b ...\n", "c");
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(summary(r), "#1/a=PASS;#1/global.b=FAIL;#1=FAIL;#2=FAIL;");
}

TEST(Tap, NoOutputAtAll) {
  CellResults r = parse_tap("Kernel panic - not syncing\n", "smp-off");
  EXPECT_EQ(summary(r), "(no TAP output)=FAIL;");
  r = parse_tap("", "smp-off");
  EXPECT_FALSE(r.complete);
  r = parse_tap("# HANG: boot\n", "smp-off");
  EXPECT_EQ(summary(r), "boot=HANG;");
}

TEST(Tap, HangAfterAllResults) {
  const CellResults r = parse_tap("TAP version 13\n1..1\nok 1 a\n# HANG: shutdown\n", "c");
  EXPECT_EQ(summary(r), "a=PASS;shutdown=HANG;");
}

TEST(Tap, OutcomeClasses) {
  EXPECT_TRUE(counts_as_failure(Outcome::kHang));
  EXPECT_TRUE(counts_as_failure(Outcome::kXPass));
  EXPECT_FALSE(counts_as_failure(Outcome::kSkip));
  EXPECT_FALSE(counts_as_failure(Outcome::kXFail));
}

}  // namespace
}  // namespace umq
